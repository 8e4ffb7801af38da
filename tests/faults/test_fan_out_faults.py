"""A reminder fan-out through every Bot API fault at once: 5xx answers, a 429 storm over all
chats, a head who blocked the bot (403), a bound group upgraded to a supergroup while the bot
was not looking (ChatMigrated), and a send that times out on the bot's side.

The outbox is the memory: every due reminder ends `sent` exactly once (one message per row in
its chat) or `undeliverable` with the reason; sweeps after recovery send nothing again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.membership.roles import Role
from storage.reminders import outbox as reminders
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.reminder_support import world
from tests.faults.support import set_read_timeout
from tests.hostile.table import row

MAR29 = datetime(2027, 3, 29, 1, 0, tzinfo=UTC)  # 7 days before the April 5 deadline
TITLE = "Fault suite: figures"
HEADERS = ("scenario", "figures")


async def test_a_fan_out_through_every_fault_sends_each_reminder_once(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with world(tmp_path, start=MAR29 - timedelta(days=1)) as w:
        sim = w.sim
        admin = sim.add_user("局管理员", user_id=ADMIN_ID)
        group = sim.add_group("一中老群")
        await sim.send_command(admin, "/bindgroup", "SCH001", chat=group)
        await sim.next_message(group)
        heads = [sim.add_user(f"校长{n}") for n in range(6)]
        for n, head in enumerate(heads):
            await w.register(head, Role.UNIT_HEAD, ("SCH001", "SCH002", "D01")[n % 3])
        blocked = heads[0]
        sim.block_bot(blocked)
        assert w.app.updater is not None
        await w.app.updater.stop()  # the bot misses the upgrade notice
        new_group = sim.migrate_group(group)

        chats = [*heads, w.staff]
        before = {sim.chat(c).id: len(sim.bot_messages(c)) for c in chats}
        sim.faults.fail_next("sendMessage", status=502, count=3)
        sim.set_flood_control(True, global_per_second=5, private_per_second=1.0, private_burst=1)

        w.clock.set(MAR29)
        started, sweeps = time.monotonic(), 0
        while sweeps < 12:
            await w.engine.sweep_once()
            sweeps += 1
            left = [
                r for r in await reminders.rows(w.db) if r.state not in ("sent", "undeliverable")
            ]
            if not left:
                break
            w.clock.advance(timedelta(minutes=5))  # past every retry's back-off
        took = time.monotonic() - started
        sim.set_flood_control(False)

        rows = await reminders.rows(w.db)
        assert rows and not [r for r in rows if r.state not in ("sent", "undeliverable")]
        failed = [r for r in rows if r.state == "undeliverable"]
        assert failed and all("forbidden" in (r.last_error or "") for r in failed)
        sent = [r for r in rows if r.state == "sent"]
        assert {r.chat_id for r in sent} >= {new_group}
        assert not [r for r in sent if r.chat_id == group.id]
        # One message per sent outbox message (a digest carries several rows), none twice.
        per_message = {(r.chat_id, r.telegram_message_id) for r in sent}
        delivered = Counter[int]()
        chats.append(sim.chat(new_group))
        for chat in chats:
            delivered[chat.id] = len(sim.bot_messages(chat)) - before.get(chat.id, 0)
        expected = Counter(chat_id for chat_id, _ in per_message)
        assert delivered == expected
        assert delivered[blocked.id] == 0
        await w.engine.sweep_once()  # later sweeps send nothing again
        total = sum(len(sim.bot_messages(c)) for c in chats)
        assert total == sum(delivered.values()) + sum(before.values())

        # A send the bot gives up on (its read timeout) that Telegram still carries out: the
        # row is retried, and that one reminder arrives twice. Telegram has no idempotency key,
        # so at-least-once is the best a sender can do; this measures it.
        set_read_timeout(w.app.bot, 1.0)  # test-only: 1 s reads
        await w.add_item("SCH002", date(2027, 3, 29), description="当天到期的问题")
        sim.faults.delay_next("sendMessage", 1.5)
        for _ in range(3):
            await w.engine.sweep_once()
            w.clock.advance(timedelta(minutes=5))
        await asyncio.sleep(0.6)  # the late send lands
        later = [r for r in await reminders.rows(w.db) if r.id not in {x.id for x in rows}]
        assert later and {r.state for r in later} == {"sent"}
        timed_out = [r for r in later if "TimedOut" in (r.last_error or "")]
        shown = sum(len(sim.bot_messages(c)) for c in chats) - total
        duplicates = shown - len({(r.chat_id, r.telegram_message_id) for r in later})
        assert timed_out and duplicates <= len(timed_out)  # a slow machine may time out more
        row(
            request,
            TITLE,
            HEADERS,
            (
                "reminder fan-out, all API faults",
                f"rows {len(rows)}: sent {len(sent)}, undeliverable {len(failed)} (403); "
                f"429s {sum(sim.stats.flood_429.values())}; 5xx 3; migrated group reached; "
                f"duplicates 0; {sweeps} sweeps, {took:.1f}s; then {len(timed_out)} client "
                f"timeout(s) → {duplicates} duplicate(s)",
            ),
        )
