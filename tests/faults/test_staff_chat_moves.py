"""The staff chat upgraded to a supergroup, and a staff chat the bot can no longer write to
(issue 21), through the Bot API simulator: the cards follow the chat to its new id, the
running bot and a restarted one use that id, the operator is told to update the config, and
the admins are told in private when a card cannot be delivered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.jobs import desk as desk_jobs
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from handlers.desk import cards as staff_cards
from storage.desk import actions as desk
from storage.desk import cards as desk_cards
from storage.membership import groups
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.hotline_support import COMPLAINANT, Hotline, hotline_bot
from tests.e2e.test_inbox import file_report


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path, staff_supergroup=False) as found:
        found.sim.set_chat_admin(found.staff, found.handler, creator=True)
        yield found


def services(hl: Hotline) -> Services:
    found: Services = hl.h.app.bot_data[SERVICES_KEY]
    return found


async def test_cards_follow_a_staff_chat_upgraded_while_the_bot_was_not_looking(
    hl: Hotline, caplog: pytest.LogCaptureFixture
) -> None:
    h, sim, old = hl.h, hl.sim, hl.staff
    teacher = sim.add_user("周老师")
    await h.register(teacher, Role.MEMBER, "SCH002")
    posted = await file_report(h, teacher, "SCH002")
    assert await desk_jobs.sweep_once(h.app) == 1
    card = await sim.next_message(old)
    assert posted in card.text
    owed = await file_report(h, teacher, "SCH002")  # its card not posted yet

    assert h.app.updater is not None
    await h.app.updater.stop()  # the bot misses the upgrade notice
    new_id = sim.migrate_group(old)
    caplog.set_level(logging.WARNING)
    assert await desk_jobs.sweep_once(h.app) == 1  # ChatMigrated: followed, posted there
    first = await sim.next_message(new_id)
    assert owed in first.text
    assert services(hl).settings.staff_chat == new_id  # the running bot follows it
    assert f"Set [access] staff_chat = {new_id}" in caplog.text

    # The card posted before stays in the old chat's history (the simulator, like the
    # clients' history view, still lets the bot edit it there); nothing is owed any more.
    assert await desk_cards.due(h.db, h.clock.now(), limit=10) == ()
    assert len(sim.bot_messages(new_id)) == 1

    # A restart reads the move from the database (the config still names the old chat).
    assert await groups.moved_to(h.db, sim.chat(old).id) == new_id
    staff_cards.follow_staff_chat(h.app.bot_data, sim.chat(old).id)  # as a restart starts
    assert await desk_jobs.follow_moved_staff_chat(h.app) == new_id
    assert services(hl).settings.staff_chat == new_id


async def test_the_upgrade_notice_moves_the_staff_chat_and_its_owed_cards(
    hl: Hotline, caplog: pytest.LogCaptureFixture
) -> None:
    h, sim, old = hl.h, hl.sim, hl.staff
    old_id = sim.chat(old).id
    teacher = sim.add_user("周老师")
    await h.register(teacher, Role.MEMBER, "SCH002")
    number = await file_report(h, teacher, "SCH002")
    caplog.set_level(logging.WARNING)
    new_id = sim.migrate_group(old)  # the bot is in the group: it gets the notice
    for _ in range(250):  # the notice is an update like any other: handled in a moment
        if services(hl).settings.staff_chat == new_id:
            break
        await asyncio.sleep(0.02)
    assert services(hl).settings.staff_chat == new_id
    assert await groups.moved_to(h.db, old_id) == new_id
    assert await desk_jobs.sweep_once(h.app) == 1
    card = await sim.next_message(new_id)
    assert number in card.text
    assert f"Set [access] staff_chat = {new_id}" in caplog.text


async def test_admins_are_told_when_a_card_cannot_be_delivered(hl: Hotline) -> None:
    h, sim = hl.h, hl.sim
    admin = sim.add_user("局管理员", user_id=ADMIN_ID)
    await h.ask(admin, "/start")
    teacher = sim.add_user("周老师")
    await h.register(teacher, Role.MEMBER, "SCH002")
    number = await file_report(h, teacher, "SCH002")
    sim.chat(hl.staff).bot_member = False  # the bot was removed from the staff chat
    assert await desk_jobs.sweep_once(h.app) == 1
    told = await sim.next_message(admin)
    assert number in told.text and "无法送达" in told.text and "staff_chat" in told.text
    assert "周老师" not in told.text
    card = await desk_cards.card_of(h.db, await _case_id(hl, number))
    assert card is not None and card.message_id is None  # given up, not retried forever
    assert await desk_jobs.sweep_once(h.app) == 0

    # A complaint's card: the admins learn its pseudonym, nothing of the complainant.
    parent = hl.complainant()
    await hl.file(parent)
    told = await sim.next_message(admin)
    assert "C-" in told.text and "无法送达" in told.text
    for trace in (*map(str, COMPLAINANT.values()), "食堂"):
        assert trace not in told.text


async def _case_id(hl: Hotline, number: str) -> int:
    for case_id in range(1, 50):
        found = await desk.desk_case(hl.h.db, case_id)
        if found is not None and found.number == number:
            return case_id
    raise AssertionError(number)
