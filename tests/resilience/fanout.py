"""The crash suite's reminder fan-outs: members of a unit of their own (no unit head, so each
gets one reminder of one item, no digest) with ledger items due, seeded in waves while the
active process is being killed; afterwards, every outbox row is compared with what the
simulator delivered to its recipient.

Each wave is seeded right before a kill, so the process that takes over finds it at its first
sweep (`SWEEP_SOON` after start: the zygote moves the first tick forward, see zygote.py); the
next kill waits until that wave's first reminder was delivered, so it lands mid-fan-out.
sendMessage answers are delayed (`SEND_DELAY`, the Bot API's round trip stretched) so a
fan-out has sends in flight when the process dies.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import select

from simulator import BotApiSimulator, SimUser
from storage.db import Database
from storage.models import LedgerItem, Member, Unit

UNIT = "SCH002"  # no one of the conversation part is in this unit
WAVES = (1, 6, 11, 16)  # seeded right before these kills; the kill after each lands mid-wave
WAVE_SIZE = 15  # 4 waves: 60 items, 60 reminders
SEND_DELAY = 0.05  # seconds before the simulator carries out a sendMessage
SWEEP_SOON = 0.2  # seconds after start-up of the first sweep (instead of the interval)
TZ = ZoneInfo("Asia/Shanghai")  # config.example.toml's campaign time zone


@dataclass
class FanOut:
    """The recipients, and what was seen at each kill."""

    sim: BotApiSimulator
    url: str
    rng: random.Random
    recipients: list[SimUser] = field(default_factory=list)
    waves: list[list[SimUser]] = field(default_factory=list)
    in_flight_at_kills: int = 0  # Bot API calls in flight at the kills (upper bound)
    mid_wave_kills: int = 0  # kills while a wave had been started and was not finished

    def delivered(self, users: list[SimUser]) -> int:
        return sum(1 for u in users if self.sim.bot_messages(u))

    async def before_kill(self, index: int) -> None:
        """Called by the chaos loop before kill `index`: seed a wave, or wait for one to be
        under way so that this kill interrupts it."""
        if index - 1 in WAVES and self.waves:
            wave = self.waves[-1]
            for _ in range(1000):  # up to 10 s
                if self.delivered(wave):
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(self.rng.uniform(0.0, 0.3))
        if index in WAVES:
            await self.seed_wave()

    def at_kill(self) -> None:
        """Right before SIGKILL: note how many calls the killed process had in flight."""
        self.in_flight_at_kills += self.sim.state.in_flight
        if any(0 < self.delivered(w) < len(w) for w in self.waves):
            self.mid_wave_kills += 1

    async def seed_wave(self) -> None:
        """WAVE_SIZE members of UNIT (their private chats open), each responsible for one
        item due tomorrow: its reminder the day before is due now."""
        users = [self.sim.add_user(f"提醒{len(self.recipients) + i}") for i in range(WAVE_SIZE)]
        for user in users:
            user.started = True  # they pressed Start once (registration is not tested here)
        now = datetime.now(UTC)
        tomorrow = now.astimezone(TZ).date() + timedelta(days=1)
        db = Database(self.url)
        try:
            async with db.session() as session:
                unit = (await session.exec(select(Unit).where(Unit.code == UNIT))).one()
                members = [
                    Member(
                        telegram_user_id=u.id,
                        display_name=u.first_name,
                        unit_id=unit.id,
                        role="member",
                        joined_at=now,
                        updated_at=now,
                    )
                    for u in users
                ]
                session.add_all(members)
                await session.flush()
                session.add_all(_items(unit.id, members, len(self.recipients), tomorrow, now))
                await session.commit()
        finally:
            await db.dispose()
        self.recipients += users
        self.waves.append(users)


def _items(
    unit_id: int | None, members: list[Member], before: int, deadline: date, now: datetime
) -> list[LedgerItem]:
    assert unit_id is not None
    return [
        LedgerItem(
            unit_id=unit_id,
            seq=before + n + 1,
            category_key="loose",
            description=f"到期提醒测试 第{before + n + 1}项",
            measure="按期整改",
            deadline=deadline,
            responsible_member_id=member.id,
            status="open",
            created_at=now,
            updated_at=now,
        )
        for n, member in enumerate(members)
    ]


@dataclass
class Verdict:
    rows: int  # outbox rows of the fan-out
    sent_rows: int
    delivered: int  # messages the recipients received
    missing: int  # rows sent (or due) whose recipient got nothing
    duplicates: int  # messages beyond one per row
    unsettled: list[str]  # rows still due / sending / failed


async def settle(fan: FanOut, within: float = 20.0) -> Verdict:
    """Wait until the active process has sent every row of the fan-out; then compare."""
    deadline = time.monotonic() + within
    while True:
        states = await _outbox(fan)
        pending = [r for r, s in states if s != "sent"]
        if not pending or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    rows = Counter(recipient for recipient, _ in states)
    sent = Counter(recipient for recipient, state in states if state == "sent")
    by_member = await _member_ids(fan)
    missing = duplicates = delivered = 0
    for user in fan.recipients:
        key = f"member:{by_member[user.id]}"
        got = len(fan.sim.bot_messages(user))
        delivered += got
        missing += max(1, rows[key]) - min(got, max(1, rows[key]))  # no row counts too
        duplicates += max(0, got - rows[key])
    return Verdict(
        rows=sum(rows.values()),
        sent_rows=sum(sent.values()),
        delivered=delivered,
        missing=missing,
        duplicates=duplicates,
        unsettled=pending,
    )


async def _outbox(fan: FanOut) -> list[tuple[str, str]]:
    db = Database(fan.url)
    try:
        async with db.engine.connect() as conn:
            found = await conn.execute(
                text(
                    "SELECT o.recipient, o.state FROM reminder_outbox o "
                    "JOIN units u ON u.id = o.unit_id WHERE u.code = :code"
                ),
                {"code": UNIT},
            )
            return [(str(r), str(s)) for r, s in found]
    finally:
        await db.dispose()


async def _member_ids(fan: FanOut) -> dict[int, int]:
    db = Database(fan.url)
    try:
        async with db.session() as session:
            ids = [u.id for u in fan.recipients]
            members = (
                await session.exec(select(Member).where(Member.telegram_user_id.in_(ids)))  # type: ignore[attr-defined]
            ).all()
            return {m.telegram_user_id: m.id for m in members if m.id is not None}
    finally:
        await db.dispose()
