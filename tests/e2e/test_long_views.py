"""Views longer than one Telegram message (issue 21): /status of a rejected complaint and the
complaint's staff card, built with every field at its maximum, reach the person whole — paged
(/status) or shortened with a note (the card, one message edited in place). The simulator
refuses any text over 4096 characters after entity parsing, as Telegram does, and
`hotline_bot` fails the test on any refused call."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.cases.lifecycle import CaseStatus
from domain.hotline import receipts
from handlers.context import SERVICES_KEY, Services
from handlers.desk import cards
from handlers.ui import limits
from simulator import SimMessage
from storage.cases import complaint_staff, complaints
from tests.e2e.hotline_support import Hotline, hotline_bot

TODAY = date(2027, 3, 10)


def long_text(tag: str, size: int) -> str:
    """`size` characters: a marker at each end, HTML's special characters (escaped, so longer
    before parsing), Chinese, and an emoji (two UTF-16 code units) in between."""
    filler = "食堂多收费用<&>，没有收据😀。" * (size // 10 + 1)
    middle = filler[: size - 2 * len(tag) - 2]
    return f"{tag}[{middle}]{tag}"


async def _rejected(hl: Hotline, sizes: dict[str, int]) -> str:
    """A complaint answered once, then added to twice (which reopens it), then rejected;
    returns the receipt."""
    svc: Services = hl.h.app.bot_data[SERVICES_KEY]
    receipt = receipts.format_receipt(receipts.new_receipt())
    filed = await complaints.file_complaint(
        hl.h.db,
        complaints.NewComplaint(
            category_key=svc.settings.campaign.categories[0].key,
            unit_id=None,
            description=long_text("DESC", sizes["description"]),
        ),
        receipt=receipt,
        policy=svc.settings.hotline,
        today=TODAY,
    )
    now = hl.h.clock.now()
    await complaint_staff.reply(
        hl.h.db,
        filed.pseudonym,
        long_text("REPLY", sizes["addition"]),
        member_id=None,
        now=now,
        today=TODAY,
    )
    for n in (1, 2):
        await complaints.add_information(
            hl.h.db, filed.case_id, long_text(f"ADD{n}", sizes["addition"]), today=TODAY
        )
    done = await complaint_staff.finish(
        hl.h.db,
        filed.pseudonym,
        CaseStatus.REJECTED,
        member_id=None,
        now=now,
        today=TODAY,
        reason=long_text("REASON", sizes["reason"]),
    )
    assert done.case_id == filed.case_id
    return receipt


async def _status_pages(hl: Hotline, receipt: str) -> list[SimMessage]:
    """/status RECEIPT; the bot's messages up to the one with the buttons."""
    parent = hl.complainant()
    await hl.sim.send_command(parent, "/status", receipt)
    shown: list[SimMessage] = []
    while not shown or not shown[-1].buttons:
        shown.append(await hl.sim.next_message(parent))
    return shown


def _whole(pages: list[SimMessage], *tags: str) -> str:
    text = "".join(p.text for p in pages)
    for tag in tags:
        assert text.count(tag) == 2, tag  # both ends: nothing cut out of the middle
    return text


async def test_status_of_the_issue_s_rejected_complaint_is_read_whole(tmp_path: Path) -> None:
    """690-character complaint, two 1400-character additions, a 2000-character reason."""
    async with hotline_bot(tmp_path) as hl:
        receipt = await _rejected(hl, {"description": 690, "addition": 1400, "reason": 2000})
        pages = await _status_pages(hl, receipt)
        assert len(pages) >= 2  # too long for one message: paged
        assert all(limits.units(p.text) <= limits.TEXT_LIMIT for p in pages)
        text = _whole(pages, "DESC", "ADD1", "ADD2", "REPLY", "REASON")
        assert "不予受理" in text and "抱歉" not in text


async def test_status_and_card_with_every_field_at_its_maximum(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path, text_max_chars=4000) as hl:
        receipt = await _rejected(hl, {"description": 4000, "addition": 4000, "reason": 4000})
        pages = await _status_pages(hl, receipt)
        assert all(limits.units(p.text) <= limits.TEXT_LIMIT for p in pages)
        text = _whole(pages, "DESC", "REASON", "ADD2")  # the newest exchange, whole
        assert (
            "ADD1" not in text and "REPLY" not in text and "更早的消息" in text
        )  # the oldest, named as left out

        # The staff card of a 4000-character complaint: one message, shortened, with a note.
        svc: Services = hl.h.app.bot_data[SERVICES_KEY]
        case_id = (await complaints.for_staff(hl.h.db))[0].case_id
        await cards.post_card(hl.h.app.bot, svc, case_id)
        card = await hl.sim.next_message(hl.staff)
        assert limits.units(card.text) <= limits.TEXT_LIMIT
        assert card.text.startswith("匿名投诉") and "DESC[" in card.text
        assert "全文共 4000 字" in card.text  # the note says how long
