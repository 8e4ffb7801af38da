"""Delivery through the real client against the simulator: a restart in the middle of a
fan-out (nothing twice, nothing lost), a 429 storm, 5xx errors retried then given up with the
reason, a user who blocked the bot, and groups upgraded to supergroups."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.membership.roles import Role
from simulator import BotApiSimulator
from storage.db import Database
from storage.membership import groups
from storage.models import Member
from storage.reminders import outbox as reminders
from tests.conftest import BACKENDS, drop_database, fresh_database
from tests.e2e.conftest import ADMIN_ID, TOKEN
from tests.e2e.reminder_support import world

MAR29 = datetime(2027, 3, 29, 1, 0, tzinfo=UTC)  # 09:00: 7 days before April 5


@pytest.mark.parametrize("backend", BACKENDS)
async def test_restart_in_the_middle_of_a_fan_out(tmp_path: Path, backend: str) -> None:
    db, schema = await fresh_database(backend, tmp_path)
    try:
        await _restart_in_the_middle_of_a_fan_out(tmp_path, db)
    finally:
        await drop_database(db, schema)


async def _restart_in_the_middle_of_a_fan_out(tmp_path: Path, db: Database) -> None:
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        staff = sim.add_group("局作风办工作群", supergroup=True)
        heads = [sim.add_user(f"校长{n}") for n in range(6)]
        async with world(
            tmp_path, start=MAR29 - timedelta(days=1), sim=sim, staff=staff, database=db
        ) as w:
            for n, head in enumerate(heads):
                await w.register(head, Role.UNIT_HEAD, ("SCH001", "SCH002", "D01")[n % 3])
            w.clock.set(MAR29)
            w.engine.send_limit = 3  # the bot stops after three sends
            report = await w.engine.sweep_once()
            assert report.sent == 3
            # One more was on the wire when the process died: it is left `sending`.
            waiting = await reminders.claim(w.db, now=w.clock.now(), limit=1)
            assert len(waiting) == 1
        async with world(
            tmp_path,
            start=MAR29 + timedelta(minutes=5),
            sim=sim,
            staff=staff,
            fresh=False,
            database=db,
        ) as again:
            report = await again.engine.sweep_once()
            assert report.sent == report.due - 3  # the rest, including the interrupted one
            await again.engine.sweep_once()
            for head in heads:
                ladder = [m for m in sim.bot_messages(head) if "问题整改清单" in m.text]
                assert len(ladder) == 1, head.first_name
            assert [r.state for r in await reminders.rows(again.db, rule="deadline")] == [
                "sent"
            ] * 6
            assert {r.state for r in await reminders.rows(again.db)} == {"sent"}
        assert sim.violations == []


async def test_a_429_storm_is_waited_out_per_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with world(tmp_path, start=datetime(2027, 4, 20, 1, 0, tzinfo=UTC)) as w:
        head_a, head_b = w.sim.add_user("甲校长"), w.sim.add_user("乙校长")
        await w.register(head_a, Role.UNIT_HEAD, "SCH001")
        await w.register(head_b, Role.UNIT_HEAD, "SCH002")
        for unit in ("SCH001", "SCH002"):
            for n in range(3):  # due today: each goes out on its own
                await w.add_item(unit, date(2027, 4, 20), description=f"{unit} 问题{n}")
        w.sim.set_flood_control(True, private_per_second=2.0, private_burst=1)
        report = await w.engine.sweep_once()
        assert report.sent == 6 and report.undeliverable == 0
        assert sum(w.sim.stats.flood_429.values()) >= 2
        for head in (head_a, head_b):
            assert len(w.sim.bot_messages(head)) == 1 + 3
        assert {r.state for r in await reminders.rows(w.db)} == {"sent"}


async def test_server_errors_are_retried_then_undeliverable_with_the_reason(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, start=datetime(2027, 4, 20, 1, 0, tzinfo=UTC)) as w:
        head = w.sim.add_user("李校长")
        await w.register(head, Role.UNIT_HEAD)
        await w.add_item("SCH001", date(2027, 4, 20))
        w.sim.faults.fail_next("sendMessage", status=502, count=2)
        await w.engine.sweep_once()
        await w.engine.sweep_once()  # not yet: the retry waits its back-off
        (row,) = await reminders.rows(w.db)
        assert (row.state, row.attempts) == ("due", 1)
        for minutes in (1, 2):
            w.clock.advance(timedelta(minutes=minutes))
            await w.engine.sweep_once()
        assert len(w.sim.bot_messages(head)) == 1 + 1
        (row,) = await reminders.rows(w.db)
        assert (row.state, row.attempts) == ("sent", 2)

        await w.add_item("SCH001", date(2027, 4, 21))
        w.clock.set(datetime(2027, 4, 21, 1, 0, tzinfo=UTC))
        w.sim.faults.fail_next("sendMessage", status=500, count=20)
        for _ in range(6):
            await w.engine.sweep_once()
            w.clock.advance(timedelta(minutes=20))
        w.sim.faults.clear()
        # The new item and yesterday's (now overdue) went as one digest; both gave up.
        failed = await reminders.rows(w.db, state="undeliverable")
        assert len(failed) == 2 and {r.attempts for r in failed} == {5}
        assert all("Internal Server Error" in (r.last_error or "") for r in failed)
        assert len(w.sim.bot_messages(head)) == 1 + 1


async def test_a_blocked_user_is_marked_unreachable_and_the_head_told_once(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, start=datetime(2027, 4, 19, 1, 0, tzinfo=UTC)) as w:
        teacher, head = w.sim.add_user("张老师"), w.sim.add_user("李校长")
        teacher_id = await w.register(teacher, Role.MEMBER)
        await w.register(head, Role.UNIT_HEAD)
        await w.add_item("SCH001", date(2027, 4, 20), responsible=teacher_id)
        w.sim.block_bot(teacher)
        w.clock.set(datetime(2027, 4, 20, 1, 0, tzinfo=UTC))
        await w.engine.sweep_once()
        texts = [(await w.sim.next_message(head)).text for _ in range(2)]
        assert any("张老师" in t and "屏蔽" in t for t in texts)
        async with w.db.session() as session:
            member = await session.get(Member, teacher_id)
            assert member is not None and member.reachable is False
        failed = await reminders.rows(w.db, recipient=f"member:{teacher_id}")
        assert failed[0].state == "undeliverable" and "forbidden" in (failed[0].last_error or "")
        w.clock.set(datetime(2027, 4, 22, 1, 0, tzinfo=UTC))  # chased again: still blocked
        await w.engine.sweep_once()
        later = [m.text for m in w.sim.bot_messages(head)][3:]
        assert later and not any("屏蔽" in t for t in later)


async def _bound_to(db: object, chat_id: int) -> bool:
    for _ in range(100):
        if await groups.unit_of_group(db, chat_id) is not None:  # type: ignore[arg-type]
            return True
        await asyncio.sleep(0.02)
    return False


async def test_reminders_follow_a_group_migrated_to_a_supergroup(tmp_path: Path) -> None:
    async with world(tmp_path, start=datetime(2027, 3, 1, 1, 0, tzinfo=UTC)) as w:
        admin = w.sim.add_user("局管理员", user_id=ADMIN_ID)
        seen = w.sim.add_group("一中老群")  # the bot sees the upgrade notice
        unseen = w.sim.add_group("二小老群")  # the bot is offline when this one upgrades
        for group, code in ((seen, "SCH001"), (unseen, "SCH002")):
            await w.sim.send_command(admin, "/bindgroup", code, chat=group)
            await w.sim.next_message(group)
        w.clock.set(datetime(2027, 3, 6, 1, 0, tzinfo=UTC))  # phase 2 starts
        await w.engine.sweep_once()
        for group in (seen, unseen):
            assert "自查自纠" in (await w.sim.next_message(group)).text
        new_seen = w.sim.migrate_group(seen)
        assert await _bound_to(w.db, new_seen)
        assert w.app.updater is not None
        await w.app.updater.stop()
        new_unseen = w.sim.migrate_group(unseen)

        w.clock.set(datetime(2027, 3, 6, 2, 0, tzinfo=UTC))  # the same notice is not repeated
        await w.engine.sweep_once()
        assert w.sim.bot_messages(new_seen) == []
        w.clock.set(datetime(2027, 3, 28, 1, 0, tzinfo=UTC))  # three days before the end
        await w.engine.sweep_once()
        await w.engine.sweep_once()
        for new_id in (new_seen, new_unseen):
            texts = [m.text for m in w.sim.bot_messages(new_id)]
            assert len(texts) == 1 and "3 天结束" in texts[0]
        assert await groups.unit_of_group(w.db, new_unseen) is not None
        assert await groups.unit_of_group(w.db, unseen.id) is None
        assert len(w.sim.bot_messages(unseen)) == 2  # the binding reply and the start notice
