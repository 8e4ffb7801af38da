"""Every long view with every field at its maximum (issue 21): a member and staff with names
of the longest allowed length, many reports and ledger items whose texts are each at the
longest allowed length, with Chinese, HTML's special characters and emoji (two UTF-16 code
units each), so the count that matters is Telegram's. Each view is opened through the
simulator, which refuses any text over 4096 units after entity parsing, any caption over 1024
and any callback data over 64 bytes, as Telegram does (`sim.violations`, checked by the
harness). Nothing is lost silently: a text is either whole (both ends of its marker shown,
possibly over several pages) or the view says it is shortened, or offers a next page."""

from __future__ import annotations

from datetime import timedelta

from domain.cases.reports import ReportDraft
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from handlers.ui import limits
from simulator import SimUser
from simulator.models import SimMessage
from storage.cases import reports
from storage.ledger import items
from storage.membership import members, units
from tests.e2e.conftest import Harness

APOLOGY = "抱歉"
REPORTS = 30
ITEMS = 30


def long_text(tag: str, size: int) -> str:
    """`size` characters with `tag` at both ends; Chinese, `<&>` and an emoji inside."""
    filler = "食堂多收费用<&>，没有收据😀。" * (size // 10 + 1)
    return f"{tag}[{filler[: size - 2 * len(tag) - 2]}]{tag}"


def long_name(tag: str, size: int) -> str:
    return (tag + "校长😀张三丰<&>" * size)[:size]


def services(harness: Harness) -> Services:
    found: Services = harness.app.bot_data[SERVICES_KEY]
    return found


def check_limits(messages: list[SimMessage]) -> None:
    """What the person received: within Telegram's limits (the simulator refused nothing
    either, or the harness fails), and never the apology."""
    for message in messages:
        budget = limits.TEXT_LIMIT if message.kind == "text" else limits.CAPTION_LIMIT
        assert limits.units(message.text) <= budget
        assert APOLOGY not in message.text, message.text[:200]
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                assert len(button.get("callback_data", "").encode()) <= 64


async def _people(harness: Harness) -> tuple[SimUser, SimUser, SimUser]:
    size = services(harness).settings.name_max_chars
    teacher = harness.sim.add_user(long_name("T", size))
    head = harness.sim.add_user(long_name("H", size))
    officer = harness.sim.add_user(long_name("O", size))
    await harness.register(teacher)
    await harness.register(head, Role.UNIT_HEAD)
    await harness.register(officer, Role.CASE_OFFICER, "EDU")
    return teacher, head, officer


async def _reports(harness: Harness, teacher: SimUser) -> list[str]:
    svc = services(harness)
    who = await members.by_telegram_id(harness.db, teacher.id)
    unit = await units.by_code(harness.db, "SCH001")
    assert who is not None and who.member.id is not None and unit is not None
    size, category = svc.settings.text_max_chars, svc.settings.campaign.categories[0].key
    numbers = []
    for n in range(REPORTS):
        draft = ReportDraft(
            category,
            unit.id,
            long_text(f"R{n:02d}", size),
            long_text("W", svc.settings.occurred_max_chars),
            [],
            False,
        )
        filed = await reports.submit_report(
            harness.db,
            author_member_id=who.member.id,
            draft=draft,
            year=2027,
            today=harness.clock.now().date() - timedelta(days=40),
            now=harness.clock.now() - timedelta(days=40),
        )
        numbers.append(filed.number)
    return numbers


async def _items(harness: Harness, head: SimUser) -> None:
    svc = services(harness)
    who = await members.by_telegram_id(harness.db, head.id)
    unit = await units.by_code(harness.db, "SCH001")
    assert who is not None and unit is not None and unit.id is not None
    size, category = svc.settings.text_max_chars, svc.settings.campaign.categories[0].key
    now = harness.clock.now()
    for n in range(ITEMS):
        await items.add_item(
            harness.db,
            unit_id=unit.id,
            category_key=category,
            description=long_text(f"L{n:02d}", size),
            measure=long_text(f"M{n:02d}", size),
            deadline=now.date() - timedelta(days=5),
            responsible_member_id=who.member.id,
            responsible_name=None,
            actor_member_id=who.member.id,
            now=now - timedelta(days=30),
            today=now.date() - timedelta(days=30),
        )


async def _view(harness: Harness, user: SimUser, command: str, args: str = "") -> list[SimMessage]:
    """The bot's messages in answer to `command`, up to and including the one with buttons
    (or the last one when none carries buttons)."""
    await harness.sim.drain(user)
    before = len(harness.sim.bot_messages(user))
    await harness.sim.send_command(user, command, args)
    await harness.sim.wait_confirmed(settle=0.3)
    return harness.sim.bot_messages(user)[before:]


async def _press(harness: Harness, user: SimUser, starts: str) -> list[SimMessage]:
    """Press the newest button starting with `starts`; the messages sent or edited since."""
    shown = harness.sim.bot_messages(user)
    label = next(
        b for m in reversed(shown) for row in m.buttons for b in row if b.startswith(starts)
    )
    edits = {m.message_id: m.edits for m in shown}
    await harness.sim.press_button(user, label)
    await harness.sim.wait_confirmed(settle=0.3)
    return [
        m
        for m in harness.sim.bot_messages(user)
        if m.message_id not in edits or m.edits != edits[m.message_id]
    ]


def _whole_or_marked(text: str, tag: str) -> bool:
    """The text tagged `tag` is shown whole (both ends), or its cut is marked."""
    return text.count(f"{tag}[") == 1 and (text.count(f"]{tag}") == 1 or "…" in text)


async def test_every_long_view_at_its_maximum_fits_and_loses_nothing(harness: Harness) -> None:
    teacher, head, officer = await _people(harness)
    numbers = await _reports(harness, teacher)
    await _items(harness, head)
    seen: dict[str, list[SimMessage]] = {}

    seen["/mine"] = await _view(harness, teacher, "/mine")
    text = "".join(m.text for m in seen["/mine"])
    assert numbers[-1] in text or numbers[0] in text
    assert any(m.buttons for m in seen["/mine"])  # a next page: the rest is reachable

    seen["/inbox"] = await _view(harness, officer, "/inbox")
    assert any(m.buttons for m in seen["/inbox"])
    label = next(b for m in seen["/inbox"] for row in m.buttons for b in row if numbers[-1] in b)
    await harness.sim.press_button(officer, label)
    await harness.sim.wait_confirmed(settle=0.3)
    card = [m for m in harness.sim.bot_messages(officer) if f"R{REPORTS - 1}[" in m.text]
    seen["report card"] = card
    assert card and _whole_or_marked("".join(m.text for m in card), f"R{REPORTS - 1}")

    seen["/ledger"] = await _view(harness, head, "/ledger")
    assert any(m.buttons for m in seen["/ledger"])

    seen["/overdue"] = await _view(harness, officer, "/overdue")
    seen["/stats"] = await _view(harness, officer, "/stats")
    seen["ledger page 2"] = await _press(harness, head, "下一页")
    seen["ledger item card"] = await _press(harness, head, "11. L10[")
    card_text = "".join(m.text for m in seen["ledger item card"])
    assert _whole_or_marked(card_text, "L10") and _whole_or_marked(card_text, "M10")
    seen["overdue item card"] = await _press(harness, officer, "查看第 SCH001-1 号")

    for view, messages in seen.items():
        assert messages, view
        check_limits(messages)
    for user in (teacher, head, officer):
        check_limits(harness.sim.bot_messages(user))
