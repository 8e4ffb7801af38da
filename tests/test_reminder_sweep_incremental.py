"""The incremental sweep sends exactly what a whole sweep sends: two copies of one ledger, one
swept incrementally and one read whole every time, over a week of clock steps with changes in
between (a deadline moved, an item closed, one added, a unit paused and resumed, a new head),
hold the same outbox rows after every sweep — while the incremental one reads only the items
that became due or changed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.clock import TravelClock
from bot.reminders.pacer import Pacer
from bot.reminders.sweep import ReminderEngine
from domain.campaign import Campaign, Phase
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import NEVER, ItemFacts, next_look
from domain.reminders.timing import Policy
from handlers.i18n import Catalogs
from storage import migrate
from storage.db import Database
from storage.models.reminders import ReminderOutbox

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 6, 9, 0, 30, tzinfo=UTC)  # a Wednesday, 08:30 in Shanghai
TODAY = date(2027, 6, 9)
POLICY = Policy(timezone=TZ)
CAMPAIGN = Campaign(
    name="t",
    phases=(Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31)),),
    deadlines=(),
    categories=(),
)
STAMP = "2027-06-01 00:00:00"


def _sql(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    con = sqlite3.connect(path)
    for sql, args in statements:
        con.execute(sql, args)
    con.commit()
    con.close()


def _item(
    n: int, unit: int, deadline: date, status: str = "open"
) -> tuple[str, tuple[object, ...]]:
    return (
        "INSERT INTO ledger_items (id, unit_id, seq, category_key, description, deadline, status, "
        "added_after_signoff, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,0,?,?,1)",
        (n, unit, n, "lax", f"问题{n}", deadline.isoformat(), status, STAMP, STAMP),
    )


async def _world(path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(db)
    rows = [
        (
            "INSERT INTO units (id, code, name, kind, created_at, updated_at) VALUES (?,?,?,?,?,?)",
            (u, f"U{u}", f"单位{u}", "school", STAMP, STAMP),
        )
        for u in (1, 2, 3)
    ]
    rows += [
        (
            "INSERT INTO members (id, telegram_user_id, display_name, unit_id, role, active, "
            "reachable, joined_at, updated_at) VALUES (?,?,?,?,?,1,1,?,?)",
            (m, 1000 + m, f"校长{m}", m, "unit_head", STAMP, STAMP),
        )
        for m in (1, 2)  # unit 3 has no head yet
    ]
    offsets = [-30, -12, -9, -6, -5, -3, -2, -1, 0, 1, 2, 3, 4, 6, 9, 20]
    rows += [
        _item(n, n % 3 + 1, TODAY + timedelta(days=d), "verified" if n % 7 == 0 else "open")
        for n, d in enumerate(offsets, start=1)
    ]
    _sql(path, *rows)
    return db


def _engine(db: Database, clock: TravelClock) -> ReminderEngine:
    sent = iter(range(1, 1_000_000))

    async def send(chat_id: int, text: str, markup: object) -> int:
        return next(sent)

    return ReminderEngine(
        db=db,
        clock=clock,
        campaign=CAMPAIGN,
        policy=POLICY,
        calendar=WorkCalendar(),
        catalogs=Catalogs(default_language="zh_CN", timezone=TZ),
        staff_chat=-100,
        send=send,  # type: ignore[arg-type]
        max_attempts=3,
        pacer=Pacer(private_interval=0.0, group_interval=0.0),
    )


async def _outbox(db: Database) -> list[tuple[str, ...]]:
    async with db.session() as session:
        rows = (await session.exec(select(ReminderOutbox))).all()
    return sorted((r.rule, r.subject, r.recipient, r.slot, r.state, r.payload) for r in rows)


async def test_incremental_sweeps_send_what_whole_sweeps_send(tmp_path: Path) -> None:
    paths = tmp_path / "incremental.db", tmp_path / "whole.db"
    dbs = [await _world(p) for p in paths]
    clocks = [TravelClock(START), TravelClock(START)]
    incremental, whole = (_engine(db, clock) for db, clock in zip(dbs, clocks, strict=True))
    changes = {
        3: [  # a deadline moved to tomorrow, an item closed
            ("UPDATE ledger_items SET deadline = ?, updated_at = ? WHERE id = 15", "+1"),
            ("UPDATE ledger_items SET status = 'verified', updated_at = ? WHERE id = 8", None),
        ],
        6: [(_item(40, 2, TODAY + timedelta(days=3))[0], "item")],  # a new item
        9: [("INSERT INTO reminder_pauses (unit_id, paused_at) VALUES (2, ?)", None)],
        14: [("DELETE FROM reminder_pauses WHERE unit_id = 2", "-")],
        17: [  # unit 3 gets its first head
            (
                "INSERT INTO members (id, telegram_user_id, display_name, unit_id, role, active, "
                "reachable, joined_at, updated_at) VALUES (3, 1003, '校长3', 3, 'unit_head', 1, "
                "1, ?, ?)",
                "twice",
            )
        ],
    }
    read: list[int] = []
    for step in range(40):  # five days in steps of three hours
        now = clocks[0].now()
        stamp = now.replace(tzinfo=None).isoformat(sep=" ")
        for sql, kind in changes.get(step, []):
            if kind == "+1":
                args: tuple[object, ...] = ((now.date() + timedelta(days=1)).isoformat(), stamp)
            elif kind == "item":
                args = (*_item(40, 2, TODAY + timedelta(days=3))[1][:7], stamp, stamp)
            elif kind == "-":
                args = ()
            elif kind == "twice":
                args = (stamp, stamp)
            else:
                args = (stamp,)
            for path in paths:
                _sql(path, (sql, args))
        whole._last = None  # the reference reads every candidate item every time
        await incremental.sweep_once()
        await whole.sweep_once()
        assert await _outbox(dbs[0]) == await _outbox(dbs[1]), f"step {step} at {now}"
        assert incremental._looked is not None and whole._looked is not None
        read.append(len(incremental._looked.items))
        for clock in clocks:
            clock.advance(timedelta(hours=3))
    assert len(await _outbox(dbs[0])) > 20  # the ladder did run: not two empty outboxes
    # Most incremental sweeps read nothing: only what became due or changed.
    assert read[0] > 8 and sorted(read)[len(read) // 2] == 0
    for db in dbs:
        await db.dispose()


def test_next_look_is_the_next_slot_of_any_rule() -> None:
    now = datetime(2027, 6, 9, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, after the send time

    def item(deadline: date, created: date = date(2027, 5, 1)) -> ItemFacts:
        return ItemFacts(1, 1, 1, "x", deadline, "open", created_on=created)

    def at(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)

    cal = WorkCalendar()
    # Before the deadline: the next step of the ladder (3, 1, 0 days before).
    assert next_look(item(date(2027, 6, 12)), now=now, p=POLICY, cal=cal) == at(date(2027, 6, 11))
    # Overdue since the 6th: chased on the 7th, 9th, 11th ... and escalated after 5 working days.
    assert next_look(item(date(2027, 6, 6)), now=now, p=POLICY, cal=cal) == at(date(2027, 6, 11))
    assert next_look(item(date(2027, 6, 7)), now=now, p=POLICY, cal=cal) == at(date(2027, 6, 10))
    # Created after its ladder's steps: its first chase.
    far = next_look(item(date(2027, 6, 9), created=date(2027, 6, 9)), now=now, p=POLICY, cal=cal)
    assert far == at(date(2027, 6, 10))
    assert now < NEVER
