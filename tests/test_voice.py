"""One voice: one form of address (您) in every Chinese message, named reports called 问题反映
(their author 反映人), complaints 投诉; category buttons never cut mid-word; the report's first
step lists the categories once; a daily digest names each item once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from bot.app import campaign_from
from bot.demo import example_config
from domain.reminders.digest import Pending, one_line_each
from handlers.i18n import LOCALES_DIR, Catalogs
from handlers.reminders.texts import compose
from handlers.report.views import category_keyboard, category_prompt
from handlers.ui.labels import category_label
from handlers.ui.text import BUTTON_MAX_CHARS
from tests.test_reminder_texts import CAMPAIGN, ITEM, TODAY

ZH = LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
CONFIG = example_config(
    base_url="http://127.0.0.1:9/bot",
    base_file_url="http://127.0.0.1:9/file/bot",
    storage_url="sqlite+aiosqlite://",
    language="zh_CN",
    admins=[1],
    token="1:x",
)


def zh_messages() -> list[tuple[str, str]]:
    with Path(ZH).open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    found: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        found += [(ids[0], text) for text in texts if text]
    return found


def test_one_form_of_address_in_chinese() -> None:
    informal = [(msgid, text) for msgid, text in zh_messages() if "你" in text]
    assert informal == []
    assert sum("您" in text for _, text in zh_messages()) > 50


def test_named_reports_are_wentifanying_everywhere() -> None:
    wrong = [
        (msgid, text)
        for msgid, text in zh_messages()
        if re.search("实名举报|举报人|答复举报", text)
    ]
    assert wrong == []


def test_category_buttons_are_never_cut_mid_word() -> None:
    categories = campaign_from(CONFIG).categories
    assert len(categories) >= 9, "the example campaign's categories"
    for language in ("zh_CN", "en"):
        for category in categories:
            label = category_label(category, language)
            assert len(label) <= BUTTON_MAX_CHARS and "…" not in label, label


def test_report_step_one_lists_the_categories_once() -> None:
    campaign = campaign_from(CONFIG)
    t = Catalogs(timezone=CONFIG.campaign.tz).get("zh_CN")
    prompt = category_prompt(t, campaign)
    buttons = [b.text for row in category_keyboard(campaign, "zh_CN").inline_keyboard for b in row]
    assert len(buttons) == len(campaign.categories)
    for category in campaign.categories:
        assert (category.description_for("zh_CN") or "") not in prompt


def pending(n: int, rule: str, slot: str, at: int, **payload: object) -> Pending:
    when = datetime(2027, 4, 12 - at, 1, tzinfo=UTC)
    return Pending(n, rule, f"item:{payload['item_id']}", "member:1", slot, when, 0, payload)


def test_a_digest_names_each_item_once() -> None:
    yesterday = pending(1, "item_due", "d-1", 1, **{**ITEM, "deadline": "2027-04-13"})
    today = pending(2, "item_overdue", "od-3", 0, **ITEM)
    other = pending(3, "item_overdue", "od-3", 0, **{**ITEM, "item_id": 10, "seq": 5})
    assert one_line_each([yesterday, today, other]) == (today, other)
    text, markup = compose(
        Catalogs(timezone=CONFIG.campaign.tz).get("zh_CN"),
        [yesterday, today, other],
        today=TODAY,
        campaign=CAMPAIGN,
        digest=True,
    )
    assert text.count("第 4 号") + text.count("No. 4") <= 1
    assert "共 2 条" in text
    assert markup is not None and len(markup.inline_keyboard) == 2
    unit_list = Pending(
        4,
        "unit_overdue",
        "unit:1",
        "member:1",
        "u",
        datetime(2027, 4, 12, 2, tzinfo=UTC),
        0,
        {"items": [{"item_id": 9, "seq": 4}], "unit": "一中"},
    )
    assert one_line_each([today, unit_list, other]) == (other, unit_list)
