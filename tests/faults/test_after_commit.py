"""After the commit, the bot tells the truth: a report or a complaint whose
confirmation Telegram refuses (a 5xx for the person's chat only) is stored, the refused
message is sent again, the conversation ends, and /mine and /cancel agree with the database.
A complaint's receipt is held until Telegram takes it, the staff card is posted whatever
happened to it, and an undeliverable receipt does not make a later filing a duplicate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.membership.roles import Role
from handlers.hotline.held import HELD_KEY, WINDOW, HeldReceipts
from simulator import SimUser
from storage.models import Case, ReportAuthor
from tests.e2e.hotline_support import RECEIPT_RE
from tests.e2e.report_helpers import file_report_until_summary
from tests.hostile.bench import APOLOGY_ZH, Bench, bench_bot
from tests.hostile.seed import member_id
from tests.hostile.table import row

TITLE = "Fault suite: after the commit"
HEADERS = ("scenario", "figures")
COMPLAINT = "城关第一中学食堂今年多次收取学生额外伙食费，没有收据。"
NOTHING_TO_CANCEL = "当前没有可以取消的操作。"


def texts(b: Bench, chat: object) -> list[str]:
    return [m.text for m in b.sim.bot_messages(chat)]


async def complaint_until_summary(b: Bench, user: SimUser, text: str = COMPLAINT) -> None:
    sim = b.sim
    await b.h.ask(user, "/complain")
    await b.press(user, "继续")
    first = b.last(user).buttons[0][0]
    await sim.press_button(user, first)
    await sim.wait_edit(sim.private_chat(user))
    await sim.next_message(user)
    await b.say(user, "一中")
    await b.press(user, "城关第一中学")
    await b.say(user, text)
    await b.press(user, "完成")
    await b.press(user, "不需要通知")


async def complaints(b: Bench) -> int:
    return await b.count(Case, Case.kind == "complaint")


def held(b: Bench) -> HeldReceipts:
    found = b.app.bot_data.get(HELD_KEY)
    assert isinstance(found, HeldReceipts)
    return found


@pytest.mark.parametrize("refusals", [1, 3])
async def test_a_report_whose_confirmation_is_refused_is_told_truthfully(
    request: pytest.FixtureRequest, tmp_path: Path, refusals: int
) -> None:
    async with bench_bot(tmp_path) as b:
        user = await b.person(Role.MEMBER, "SCH001", "周老师")
        await file_report_until_summary(b.h, user)
        b.sim.faults.fail_next("sendMessage", status=502, count=refusals, chat=user.id)
        await b.sim.press_button(user, "提交")
        await b.sim.wait_confirmed(settle=0.2)
        mine = await member_id(b, user)
        assert await b.count(ReportAuthor, ReportAuthor.member_id == mine) == 1
        seen = texts(b, user)
        assert APOLOGY_ZH not in seen
        filed = [t for t in seen if "您的问题反映已提交" in t]
        # Refused once: the retry shows it. Refused every time: nothing false was said.
        assert len(filed) == (1 if refusals < 3 else 0), seen
        await b.sim.drain(user)
        listing = await b.h.ask(user, "/mine")
        await b.quiet(user)
        assert "正在填写" not in listing and "R-2027-" in listing, listing
        assert await b.h.ask(user, "/cancel") == NOTHING_TO_CANCEL
        assert await b.count(ReportAuthor, ReportAuthor.member_id == mine) == 1
        assert b.apologies() == 0
        row(
            request,
            TITLE,
            HEADERS,
            (
                f"report confirmation refused {refusals}×",
                f"stored 1; confirmation shown {len(filed)}; apologies 0; "
                f"/mine lists it; /cancel: nothing to cancel",
            ),
        )


async def test_a_receipt_refused_once_is_shown_and_the_card_posted(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bench_bot(tmp_path) as b:
        user = b.stranger("投诉人")
        await complaint_until_summary(b, user)
        b.sim.faults.fail_next("sendMessage", status=502, chat=user.id)
        await b.sim.press_button(user, "提交")
        receipt = await b.next(user)
        assert RECEIPT_RE.search(receipt), receipt
        await b.sim.wait_confirmed(settle=0.2)
        assert await complaints(b) == 1
        assert len(held(b)) == 0
        assert any("收到新投诉" in t or "投诉" in t for t in texts(b, b.staff))
        assert await b.h.ask(user, "/cancel") == NOTHING_TO_CANCEL
        assert b.apologies() == 0
        row(request, TITLE, HEADERS, ("receipt refused 1×", "shown on the retry; card posted"))


async def test_an_undelivered_receipt_is_held_and_sent_with_the_next_message(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bench_bot(tmp_path) as b:
        user = b.stranger("投诉人")
        cards_before = len(b.sim.bot_messages(b.staff))
        await complaint_until_summary(b, user)
        b.sim.faults.fail_next("sendMessage", status=502, count=3, chat=user.id)
        await b.sim.press_button(user, "提交")
        await b.sim.wait_confirmed(settle=0.3)
        assert await complaints(b) == 1
        assert not any(RECEIPT_RE.search(t) for t in texts(b, user))
        assert len(held(b)) == 1
        assert len(b.sim.bot_messages(b.staff)) > cards_before, "no staff card"
        assert b.apologies() == 0
        # The conversation ended: anything the person sends brings the receipt first.
        await b.sim.drain(user)
        await b.sim.send_text(user, "在吗？")
        receipt = await b.next(user)
        assert RECEIPT_RE.search(receipt), receipt
        await b.quiet(user)
        assert len(held(b)) == 0
        assert await b.h.ask(user, "/cancel") == NOTHING_TO_CANCEL
        # Once delivered it is never sent again.
        await b.sim.drain(user)
        await b.h.ask(user, "/help")
        assert not any(RECEIPT_RE.search(t) for t in texts(b, user)[-1:])
        row(
            request,
            TITLE,
            HEADERS,
            ("receipt refused 3×", "stored 1; held 1; card posted; sent with the next message"),
        )


async def test_a_receipt_never_delivered_does_not_block_filing_again(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bench_bot(tmp_path) as b:
        user = b.stranger("投诉人")
        await complaint_until_summary(b, user)
        b.sim.faults.fail_next("sendMessage", status=502, count=4, chat=user.id)
        await b.sim.press_button(user, "提交")
        await b.sim.wait_confirmed(settle=0.3)
        await b.sim.send_text(user, "/complain")  # the held receipt's re-send is refused too
        await b.sim.wait_confirmed(settle=0.3)
        assert not any(RECEIPT_RE.search(t) for t in texts(b, user))
        # The window passes: the receipt is forgotten (memory only), the text may be filed again.
        b.h.clock.advance(WINDOW + timedelta(minutes=1))
        await b.sim.drain(user)
        await b.h.ask(user, "/cancel")
        await complaint_until_summary(b, user)
        await b.sim.press_button(user, "提交")
        receipt = await b.next(user)
        assert RECEIPT_RE.search(receipt), receipt
        assert await complaints(b) == 2
        assert len(held(b)) == 0
        assert b.apologies() == 0
        row(
            request,
            TITLE,
            HEADERS,
            ("receipt never delivered", "filing the same text again accepted; 2 stored"),
        )
