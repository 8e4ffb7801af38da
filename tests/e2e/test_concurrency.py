"""Many members filing `/report` at the same time, their steps interleaved and every API call
slowed down: each stored report is exactly what its own member sent (the per-user ordered
update processor keeps every conversation's steps in order while others run)."""

from __future__ import annotations

import asyncio
import random

from domain.membership.roles import Role
from simulator import SimUser
from storage.cases import reports
from storage.membership import members
from tests.e2e.conftest import Harness

USERS = 16
CATEGORIES = (
    ("弱 · 理想信念不坚决", "weak"),
    ("松 · 党性锻炼不经常", "lax"),
    ("散 · 纪律意识不牢固", "loose"),
)


async def _file(harness: Harness, n: int, user: SimUser, rng: random.Random) -> None:
    sim = harness.sim
    label, _ = CATEGORIES[n % len(CATEGORIES)]

    async def step(action: object) -> str:
        await asyncio.sleep(rng.random() / 50)  # shuffle who goes next
        await action  # type: ignore[misc]
        return (await sim.next_message(user, timeout=20)).text

    await step(sim.send_command(user, "/report"))
    await step(sim.press_button(user, label))
    await step(sim.press_button(user, "城关第一中学"))
    description = f"第{n}位老师反映的问题：编号{n:03d}。"
    if n % 2:  # two messages at once, not waiting in between: they must be taken in order
        await sim.send_text(user, description)
        await sim.send_text(user, f"{n}月{n}日，{n}号教室")
        await sim.next_message(user, timeout=20)
        await sim.next_message(user, timeout=20)
    else:
        await step(sim.send_text(user, description))
        await step(sim.press_button(user, "跳过"))
    await step(sim.press_button(user, "跳过"))
    await step(sim.press_button(user, "是，请保密" if n % 3 == 0 else "否，可以署名"))
    done = await step(sim.press_button(user, "提交"))
    assert "R-2027-" in done


async def test_interleaved_forms_under_load_store_what_each_user_sent(harness: Harness) -> None:
    sim = harness.sim
    token = await harness.invite(role=Role.MEMBER, uses=USERS)
    people = [sim.add_user(f"老师{n}") for n in range(USERS)]
    for user in people:
        await sim.send_command(user, "/start", token)
    for user in people:
        await sim.next_message(user)
    sim.latency = 0.02  # every call slow: many updates are in flight at once
    rng = random.Random(8)
    await asyncio.gather(*(_file(harness, n, u, rng) for n, u in enumerate(people)))
    sim.latency = 0
    numbers: set[str] = set()
    for n, user in enumerate(people):
        found = await members.by_telegram_id(harness.db, user.id)
        assert found is not None and found.member.id is not None
        page = await reports.list_by_author(harness.db, found.member.id, limit=10)
        assert len(page.items) == 1, f"user {n} has {len(page.items)} reports"
        own = page.items[0]
        viewer = reports.ReportViewer(role=Role.CASE_OFFICER, unit_id=None, member_id=None)
        view = await reports.view_for(harness.db, own.case_id, viewer)
        assert view is not None
        assert view.category_key == CATEGORIES[n % len(CATEGORIES)][1]
        assert view.description == f"第{n}位老师反映的问题：编号{n:03d}。"
        assert view.occurred == (f"{n}月{n}日，{n}号教室" if n % 2 else None)
        assert view.confidential == (n % 3 == 0)
        numbers.add(own.number)
    assert len(numbers) == USERS  # every report got a number of its own
    processor = harness.app.update_processor
    assert getattr(processor, "waiting_keys", 0) == 0  # no user or chat queue left behind
    # Every form is over: no person stays in memory as a key (python-telegram-bot re-creates
    # an empty dict when it hands a person's data to the persistence; the bot drops it).
    await sim.wait_confirmed()
    assert {u.id for u in people} & set(harness.app.user_data) == set()
