"""One pacer for every message the bot sends: a burst of staff-card posts and edits in the
staff chat (a group: 20 messages a minute) goes out without a single 429 under the
simulator's strict Telegram limits, while a person's answer never waits behind it.

The simulator's flood clock and the bot's pacer run `pace_speed` times faster than real
time (the same strict windows, kept in a fraction of the time); nothing is switched off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable
from pathlib import Path

import pytest
from sqlmodel import col, update

from domain.cases.reports import ReportDraft
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from handlers.desk.cards import post_card, refresh_card
from storage.cases import reports
from storage.membership import members
from storage.models import Case
from tests.e2e.hotline_support import Hotline, hotline_bot

CARDS = 100  # posts, then as many edits: 200 messages in the staff chat


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def test_a_burst_of_staff_cards_draws_no_429_and_answers_do_not_wait(hl: Hotline) -> None:
    h, sim, staff = hl.h, hl.sim, hl.staff
    speed = h.config.telegram.pace_speed
    assert speed > 1  # the test's clock runs fast; production's is 1 (Telegram's)
    teacher = sim.add_user("周老师")
    await h.register(teacher, Role.MEMBER, "SCH002")
    found = await members.by_telegram_id(h.db, teacher.id)
    assert found is not None and found.member.id is not None
    author = found.member
    svc: Services = h.app.bot_data[SERVICES_KEY]
    case_ids = []
    for n in range(CARDS):
        filed = await reports.submit_report(
            h.db,
            author_member_id=author.id,
            draft=ReportDraft(
                category_key=svc.settings.campaign.categories[0].key,
                unit_id=author.unit_id,
                description=f"第{n}条：食堂收费没有收据。",
                confidential=False,
            ),
            year=h.clock.now().year,
            today=h.clock.now().date(),
            now=h.clock.now(),
        )
        case_ids.append(filed.case_id)
    sim.set_flood_control(True, speed=speed)  # Telegram's strict limits from here on

    posts = asyncio.create_task(_all(post_card(h.app.bot, svc, c) for c in case_ids))
    # A person asking while the burst waits for its turn: answered at once, not after it.
    assert "/report" in await h.ask(teacher, "/help")
    assert not posts.done()
    await posts
    cards = sim.bot_messages(staff)
    assert len(cards) == CARDS
    async with h.db.session() as session:  # every case changed: each card needs an edit
        await session.exec(  # type: ignore[call-overload]
            update(Case)
            .where(col(Case.id).in_(case_ids))
            .values(description=Case.description + "（已核实）")
        )
        await session.commit()
    await _all(refresh_card(h.app.bot, svc, c) for c in case_ids)
    assert all("已核实" in card.text for card in sim.bot_messages(staff))
    assert len(sim.bot_messages(staff)) == CARDS  # edited in place
    assert sim.stats.flood_429 == {}
    assert sim.violations == []


async def _all(calls: Iterable[Awaitable[object]]) -> None:
    await asyncio.gather(*calls)
