"""Demo scene of the anonymous hotline: a parent complains with a photo and gets a receipt;
staff reply from the card; the parent reads the reply and adds information by receipt; staff
close; the parent rates it. Then the demo proves that the parent's Telegram id and names are
absent from the database file and from the log the bot wrote while it ran (every logger at
DEBUG, filtered the way `python -m bot run` filters)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfWriter
from sqlalchemy import text

from bot.demo.reports import PHOTO
from bot.ops import log_privacy
from domain.membership.roles import Role

if TYPE_CHECKING:
    from bot.demo.stage import Stage
    from simulator import SimChat, SimUser

PARENT_ID = 8123456789
PARENT_FIRST, PARENT_LAST, PARENT_USERNAME = "秀英", "陈", "chen_xiuying_parent"
RECEIPT = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}")


class _Capture:
    """Every logger at DEBUG into a buffer, with the bot's own privacy filter."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.handler = logging.StreamHandler(self.buffer)
        self.saved: dict[str, int] = {}
        self.handler_levels: dict[logging.Handler, int] = {}

    def __enter__(self) -> _Capture:
        root = logging.getLogger()
        self.saved = {"": root.level}
        for name, logger in list(logging.root.manager.loggerDict.items()):
            if isinstance(logger, logging.Logger):
                self.saved[name] = logger.level
                logger.setLevel(logging.DEBUG)
        # The transcript's own stderr handler keeps its level: only the buffer gets DEBUG.
        self.handler_levels = {h: h.level for h in root.handlers}
        for h in root.handlers:
            h.setLevel(max(h.level, root.level))
        root.setLevel(logging.DEBUG)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.handler.setLevel(logging.DEBUG)
        root.addHandler(self.handler)
        self.handler.addFilter(log_privacy.LibraryFloor())
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self.handler)
        for name, logger in list(logging.root.manager.loggerDict.items()):
            if isinstance(logger, logging.Logger):
                logger.setLevel(self.saved.get(name, logging.NOTSET))
        logging.getLogger().setLevel(self.saved[""])
        for h, level in self.handler_levels.items():
            h.setLevel(level)


async def _reply_from_card(stage: Stage, staff: SimChat, label: str, answer: str) -> None:
    sim = stage.sim
    await sim.press_button(stage.admin, label, chat=staff)
    prompt = await sim.next_message(staff)
    await sim.send_text(stage.admin, answer, chat=staff, reply_to=prompt)
    await sim.next_message(staff)


async def _status(stage: Stage, parent: SimUser, receipt: str) -> None:
    await stage.sim.send_command(parent, "/status", receipt)
    await stage.sim.next_message(parent)


async def scene_hotline(stage: Stage) -> None:
    t, sim, staff = stage.t, stage.sim, stage.staff
    if staff is None:
        return
    parent = sim.add_user(PARENT_FIRST, PARENT_LAST, PARENT_USERNAME, user_id=PARENT_ID)
    chat = sim.private_chat(parent)
    await sim.drain(staff)  # earlier scenes' cards in the staff chat are not this scene's
    with _Capture() as capture:
        stage.narrate(
            t.gettext("A parent complains anonymously, with a photo, and gets a receipt.")
        )
        await sim.send_command(parent, "/complain")
        await sim.next_message(chat)
        await sim.press_button(parent, t.gettext("Continue"))
        categories = await sim.next_message(chat)
        await sim.press_button(parent, categories.buttons[-1][0])  # "other"
        await sim.next_message(chat)
        await sim.send_text(parent, "一中" if t.language == "zh_CN" else "第一")
        found = await sim.next_message(chat)
        await sim.press_button(parent, found.buttons[0][0])
        await sim.next_message(chat)
        await sim.send_text(
            parent,
            "城关第一中学食堂本学期每月向学生额外收取伙食费50元，不开收据。"
            if t.language == "zh_CN"
            else "The canteen of No. 1 Middle School charges pupils an extra 50 yuan a month "
            "for meals this term, without receipts.",
        )
        await sim.next_message(chat)
        await sim.send_photo(parent, PHOTO)
        await sim.next_message(chat)
        stage.narrate(
            t.gettext(
                "The parent also sends a PDF as a file: the bot removes its author and software "
                "details and sends back the copy that staff will receive."
            )
        )
        await sim.send_document(parent, _pdf_with_author(), "收费单.pdf")
        await sim.next_message(chat)  # the cleaned copy
        await sim.next_message(chat)  # "file 2 added"
        await sim.press_button(parent, t.gettext("Done"))
        await sim.next_message(chat)
        await sim.press_button(parent, t.gettext("Notify me"))
        await sim.next_message(chat)
        await sim.press_button(parent, t.gettext("Submit"))
        shown = await sim.next_message(chat)
        match = RECEIPT.search(shown.text)
        assert match is not None
        receipt = match.group(0)
        card = await sim.next_message(staff)  # the card
        await sim.next_message(staff)  # the photo, re-sent by the bot
        await sim.next_message(staff)  # the cleaned PDF

        stage.narrate(
            t.gettext(
                "A case handler of the personnel section accepts it on the card: whoever "
                "receives it is responsible (谁受理谁负责)."
            )
        )
        receiver = sim.add_user("人事股 赵干事")
        await sim.send_command(
            receiver, "/start", await stage.invite(Role.CASE_OFFICER, unit_code="RSG")
        )
        await sim.next_message(sim.private_chat(receiver))
        await sim.press_button(receiver, t.gettext("Accept (I am responsible)"), chat=staff)
        await sim.wait_edit(card)

        stage.narrate(t.gettext("Staff reply from the card in the staff chat."))
        await _reply_from_card(
            stage, staff, t.gettext("Reply"), t.gettext("Thank you. We are checking the canteen.")
        )
        await sim.next_message(chat)  # the opted-in notice

        stage.narrate(
            t.gettext("The parent reads the reply with the receipt and adds information.")
        )
        await _status(stage, parent, receipt)
        await sim.press_button(parent, t.gettext("Add information"))
        await sim.next_message(chat)
        await sim.send_text(
            parent,
            "三月份的收费在每周一早上。"
            if t.language == "zh_CN"
            else "In March it was collected on Monday mornings.",
        )
        await sim.next_message(chat)
        await sim.next_message(staff)
        await sim.next_message(chat)
        await sim.press_button(parent, t.gettext("Done"))
        await sim.next_message(chat)

        stage.narrate(t.gettext("Staff answer and close the complaint; the parent rates it."))
        await _reply_from_card(
            stage, staff, t.gettext("Reply"), t.gettext("The extra fees have been refunded.")
        )
        await sim.next_message(chat)
        await sim.press_button(stage.admin, t.gettext("Close"), chat=staff)
        findings = await sim.next_message(staff)
        await sim.press_button(stage.admin, t.gettext("Cannot be verified"), chat=staff)
        await sim.wait_edit(findings)
        await sim.next_message(chat)
        await _status(stage, parent, receipt)
        await sim.press_button(parent, t.gettext("Rate the handling"))
        await sim.next_message(chat)
        await sim.press_button(parent, t.gettext("satisfied"))
        await sim.next_message(chat)
        await sim.press_button(parent, t.gettext("No comment"))
        await sim.next_message(chat)
        await sim.wait_confirmed()
    await _prove_absence(stage, capture.buffer.getvalue())


async def _prove_absence(stage: Stage, log_text: str) -> None:
    t = stage.t
    async with stage.db.engine.connect() as conn:
        if stage.db.dialect == "sqlite":
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(str(stage.db.engine.url.database))
    data = b"".join(f.read_bytes() for f in path.parent.glob(path.name + "*"))
    uid = PARENT_ID
    needles = {
        t.gettext("Telegram user id"): [str(uid).encode(), uid.to_bytes(8, "big")],
        t.gettext("first name"): [PARENT_FIRST.encode()],
        t.gettext("full name"): [f"{PARENT_LAST}{PARENT_FIRST}".encode()],
        t.gettext("username"): [PARENT_USERNAME.encode()],
    }
    lines = [
        t.gettext(
            "Proof: searched the database file ({size} bytes) and the log ({lines} lines, every "
            "logger at DEBUG) for the parent's identifiers:",
            size=len(data),
            lines=log_text.count("\n"),
        )
    ]
    for what, forms in needles.items():
        in_db = any(form in data for form in forms)
        in_log = any(form in log_text.encode() for form in forms)
        assert not in_db and not in_log, what
        lines.append(t.gettext("✔ {what}: absent from both", what=what))
    words = ("向学生额外收取伙食费", "extra 50 yuan a month")
    assert not any(w.encode() in data for w in words)
    lines.append(
        t.gettext("✔ the complaint's text: stored encrypted, absent from the database file")
    )
    stage.narrate("\n".join(lines))


def _pdf_with_author() -> bytes:
    """A one-page PDF whose properties name its author, as office software writes them."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": f"{PARENT_LAST}{PARENT_FIRST}", "/Creator": "WPS Office"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
