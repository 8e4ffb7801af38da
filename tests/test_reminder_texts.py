"""Every reminder's words in both languages: the item, its deadline as a local date, how late
it is, what to do, a button to open it; long digests point to /overdue instead of being cut."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.campaign import Campaign, Deadline, Phase
from domain.reminders.digest import Pending
from handlers.i18n import Catalogs
from handlers.reminders.texts import compose

CATALOGS = Catalogs(timezone=ZoneInfo("Asia/Shanghai"))
CAMPAIGN = Campaign(
    name="作风整顿",
    phases=(Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31), "五个专项行动"),),
    deadlines=(Deadline("problem_list", "问题清单报局办公室", date(2027, 4, 5), "unit_heads"),),
    categories=(),
)
TODAY = date(2027, 4, 12)
ITEM = {
    "item_id": 9,
    "seq": 4,
    "unit": "一中",
    "description": "<b>账目</b>",
    "deadline": "2027-04-09",
}


def row(rule: str, slot: str = "s", **payload: object) -> Pending:
    subject = f"item:{payload['item_id']}" if "item_id" in payload else "x"  # as due.py names it
    at = datetime(2027, 4, 12, 1, tzinfo=UTC)
    return Pending(1, rule, subject, "member:1", slot, at, 0, payload)


@pytest.mark.parametrize(
    ("pending", "zh", "en"),
    [
        (row("item_overdue", **ITEM), "已逾期 3 天", "3 days late"),
        (row("item_due", **{**ITEM, "deadline": "2027-04-12"}), "今天到期", "Due today"),
        (row("item_escalate", **ITEM), "通报", "Escalation"),
        (row("deadline", deadline="problem_list", due="2027-04-15"), "还有 3 天", "in 3 days"),
        (row("phase", phase="rectify", edge="end", target="2027-04-12"), "今天", "ends today"),
        (row("phase", phase="rectify", edge="start", target="2027-04-10"), "已于", "began on"),
        (
            row(
                "case_warn",
                "ack:80",
                case_id=1,
                number="TS-1",
                kind="complaint",
                clock="ack",
                limit="2027-04-14",
            ),
            "签收时限已用去 80%",
            "80% of the time to acknowledge",
        ),
        (
            row(
                "case_escalate",
                "answer:esc",
                case_id=1,
                number="R-1",
                kind="report",
                clock="answer",
                limit="2027-04-10",
            ),
            "未在2027年4月10日前答复",
            "not answered by April 10, 2027",
        ),
        (row("unreachable", "once", name="张<老师>"), "张<老师>", "blocked the bot"),
    ],
)
def test_each_reminder_in_both_languages(pending: Pending, zh: str, en: str) -> None:
    text_zh, _ = compose(
        CATALOGS.get("zh_CN"), [pending], today=TODAY, campaign=CAMPAIGN, digest=False
    )
    text_en, markup = compose(
        CATALOGS.get("en"), [pending], today=TODAY, campaign=CAMPAIGN, digest=False
    )
    assert zh in text_zh.replace("&lt;", "<").replace("&gt;", ">")
    assert en in text_en
    if pending.rule.startswith("item"):
        assert "&lt;b&gt;账目&lt;/b&gt;" in text_zh  # what users typed is shown literally
        assert "2027年4月" in text_zh
        assert markup is not None
        assert markup.inline_keyboard[0][0].callback_data == "ledger:v1:o:9"


def test_a_long_digest_points_to_overdue_instead_of_being_cut() -> None:
    rows = [row("item_overdue", **{**ITEM, "item_id": n, "seq": n}) for n in range(30)]
    text, markup = compose(CATALOGS.get("zh_CN"), rows, today=TODAY, campaign=CAMPAIGN, digest=True)
    assert len(text) < 4096
    assert "共 30 条" in text and "另有 18 项" in text
    assert markup is not None and len(markup.inline_keyboard) == 10
