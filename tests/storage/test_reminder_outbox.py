"""The reminder outbox on SQLite and PostgreSQL: one row per key however often or however
concurrently it is recorded, claims that never overlap, state moves, the pause switch, and
candidate queries that read only items near a deadline."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from domain.membership.units import UnitKind, UnitRow
from domain.reminders.due import Due, Rule, Snapshot
from storage import audit
from storage.db import Database
from storage.membership import units
from storage.models import LedgerItem, Member
from storage.reminders import candidates as reminder_candidates
from storage.reminders import outbox as reminders

NOW = datetime(2027, 4, 9, 1, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def dues(n: int, *, recipient: str = "member:1") -> list[Due]:
    return [
        Due(Rule.ITEM_DUE, f"item:{i}", recipient, "2027-04-10:-1", NOW, None, {"item_id": i})
        for i in range(n)
    ]


async def test_a_key_is_recorded_once(db: Database) -> None:
    assert await reminders.enqueue(db, dues(3), now=NOW) == 3
    assert await reminders.enqueue(db, dues(3), now=NOW) == 0
    assert await reminders.enqueue(db, dues(3, recipient="member:2"), now=NOW) == 3
    assert len(await reminders.rows(db)) == 6


async def test_concurrent_sweeps_record_and_claim_without_duplicates(db: Database) -> None:
    added = await asyncio.gather(*(reminders.enqueue(db, dues(50), now=NOW) for _ in range(4)))
    assert sum(added) == 50
    claims = await asyncio.gather(*(reminders.claim(db, now=NOW, limit=50) for _ in range(4)))
    ids = [p.id for claim in claims for p in claim]
    assert len(ids) == len(set(ids)) == 50
    assert {r.state for r in await reminders.rows(db)} == {"sending"}


async def test_state_moves(db: Database) -> None:
    await reminders.enqueue(db, dues(3), now=NOW)
    assert await reminders.claim(db, now=NOW - timedelta(minutes=1)) == []  # not yet due
    first, second, third = await reminders.claim(db, now=NOW)
    await reminders.mark_sent(
        db, [first.id], now=NOW, chat_id=42, message_id=7, digest_day=date(2027, 4, 9)
    )
    retry_at = NOW + timedelta(minutes=2)
    await reminders.mark_failed(db, [second.id], error="NetworkError: boom", retry_at=retry_at)
    await reminders.mark_failed(db, [third.id], error="forbidden: blocked", retry_at=None)
    by_id = {r.id: r for r in await reminders.rows(db)}
    assert (by_id[first.id].state, by_id[first.id].chat_id) == ("sent", 42)
    assert (by_id[second.id].state, by_id[second.id].attempts) == ("due", 1)
    assert by_id[second.id].next_attempt_at == retry_at
    assert (by_id[third.id].state, by_id[third.id].last_error) == (
        "undeliverable",
        "forbidden: blocked",
    )
    assert [p.id for p in await reminders.claim(db, now=retry_at)] == [second.id]
    assert await reminders.digested(db, ["member:1", "member:9"], date(2027, 4, 9)) == {"member:1"}


async def test_interrupted_sends_are_recovered(db: Database) -> None:
    await reminders.enqueue(db, dues(2), now=NOW)
    await reminders.claim(db, now=NOW)
    assert await reminders.recover(db, now=NOW) == 0  # the lease still runs
    assert await reminders.recover(db, now=NOW, all_sending=True) == 2
    assert len(await reminders.claim(db, now=NOW)) == 2


async def _school(db: Database) -> int:
    rows = [UnitRow("SCH001", "一中", UnitKind.SCHOOL, None)]
    await units.import_units(db, list(enumerate(rows, start=2)), now=NOW)
    unit = await units.by_code(db, "SCH001")
    assert unit is not None and unit.id is not None
    return unit.id


async def test_pause_switch_is_audited(db: Database) -> None:
    unit_id = await _school(db)
    unit, changed = await reminders.set_paused(
        db, unit_code="SCH001", paused=True, now=NOW, actor_telegram_id=5
    )
    assert changed and unit.id == unit_id
    _, again = await reminders.set_paused(
        db, unit_code="SCH001", paused=True, now=NOW, actor_telegram_id=5
    )
    assert not again
    await reminders.set_paused(db, unit_code="SCH001", paused=False, now=NOW, actor_telegram_id=5)
    actions = [e.action for e in await audit.events_for(db, "unit", "SCH001")]
    assert actions[-2:] == ["reminders.paused", "reminders.resumed"]


def _item(unit_id: int, seq: int, deadline: date, status: str = "open") -> LedgerItem:
    return LedgerItem(
        unit_id=unit_id,
        seq=seq,
        category_key="lax",
        description="d",
        deadline=deadline,
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )


async def test_candidates_are_only_open_items_near_or_past_a_deadline(db: Database) -> None:
    unit_id = await _school(db)
    today = date(2027, 4, 9)
    cases = [
        (today + timedelta(days=2), "open", True),
        (today - timedelta(days=30), "in_progress", True),
        (today + timedelta(days=3), "open", True),
        (today + timedelta(days=8), "open", False),  # beyond the longest ladder (7)
        (today - timedelta(days=1), "rectified", False),
        (today + timedelta(days=200), "open", False),
    ]
    async with db.session() as session:
        for seq, (deadline, status, _) in enumerate(cases, start=1):
            session.add(_item(unit_id, seq, deadline, status))
        await session.commit()
    snap = await reminder_candidates.snapshot(
        db, until=today + timedelta(days=7), case_kinds=("complaint",), staff_chat=True, tz=SHANGHAI
    )
    assert sorted(i.seq for i in snap.items) == [n for n, c in enumerate(cases, 1) if c[2]]
    assert snap.units[unit_id].code == "SCH001"
    assert snap.units[unit_id].files_list  # a school files a problem list


async def test_the_bureau_itself_files_no_list(db: Database) -> None:
    rows = [
        UnitRow("EDU", "教育局", UnitKind.BUREAU, None),
        UnitRow("RSG", "人事股", UnitKind.SECTION, "EDU"),
    ]
    await units.import_units(db, list(enumerate(rows, start=2)), now=NOW)
    snap = await reminder_candidates.snapshot(
        db, until=date(2027, 4, 16), case_kinds=(), staff_chat=True, tz=SHANGHAI
    )
    assert {u.code: u.files_list for u in snap.units.values()} == {"EDU": False, "RSG": True}


async def test_an_incremental_snapshot_reads_what_became_due_once(db: Database) -> None:
    """On both backends: the reminders and the next looks are recorded together; a later
    sweep reads the items whose look came or that were never looked at, and every candidate
    of a unit with a member written since — each item once, whatever the reasons it meets."""
    school = await _school(db)
    await units.import_units(db, [(2, UnitRow("SCH002", "二中", UnitKind.SCHOOL, None))], now=NOW)
    other = await units.by_code(db, "SCH002")
    assert other is not None and other.id is not None
    today = date(2027, 4, 9)
    plan = [  # unit, deadline, status
        (school, today + timedelta(days=2), "open"),
        (school, today - timedelta(days=5), "in_progress"),
        (school, today + timedelta(days=100), "open"),  # far: never a candidate
        (school, today - timedelta(days=1), "verified"),  # closed
        (other.id, today + timedelta(days=1), "open"),
    ]
    async with db.session() as session:
        for seq, (unit_id, deadline, status) in enumerate(plan, start=1):
            session.add(_item(unit_id, seq, deadline, status))
        await session.commit()

    async def look(
        scope: reminder_candidates.Scope | None,
    ) -> Snapshot:
        return await reminder_candidates.snapshot(
            db, until=today + timedelta(days=7), case_kinds=(), staff_chat=True, tz=SHANGHAI,
            scope=scope,
        )  # fmt: skip

    whole = await look(None)
    ids = {i.seq: i.id for i in whole.items}
    assert sorted(ids) == [1, 2, 5] and whole.whole_units is None
    marks = {ids[1]: NOW + timedelta(hours=1), ids[2]: NOW + timedelta(days=1)}
    marks[ids[5]] = NOW + timedelta(days=1)
    assert await reminder_candidates.record(db, dues(2), marks, now=NOW) == 2
    async with db.session() as session:
        stored = dict((await session.exec(select(LedgerItem.id, LedgerItem.remind_at))).all())
    assert {i: stored[i] for i in marks} == marks
    assert len(await reminders.rows(db)) == 2

    later = NOW + timedelta(hours=2)
    scope = reminder_candidates.Scope(
        due_by=later, changed_since=NOW + timedelta(minutes=1), previous_units=whole.units
    )
    first = await look(scope)
    assert [i.seq for i in first.items] == [1] and first.whole_units == frozenset()

    async with db.session() as session:  # a member of the other unit written; item 1 too
        session.add(
            Member(
                telegram_user_id=77,
                display_name="m",
                unit_id=other.id,
                role="member",
                joined_at=later,
                updated_at=later,
            )
        )
        session.add(_item(school, 6, today + timedelta(days=3)))  # never looked at
        session.add(_item(school, 7, today + timedelta(days=7)))  # came into the window today
        item = await session.get(LedgerItem, ids[1])
        assert item is not None
        item.updated_at = later
        session.add(item)
        await session.commit()
    second = await look(scope)
    seqs = [i.seq for i in second.items]
    assert sorted(seqs) == [1, 5, 6, 7] and len(seqs) == len(set(seqs))
    assert second.whole_units == frozenset({other.id})
    assert second.units == first.units  # a plain member: the unit's facts did not change
    # The last sweep's window ended yesterday at today + 6: of the items never looked at,
    # only the one whose deadline came into the window since is read.
    since = await look(replace(scope, window_after=today + timedelta(days=6)))
    assert sorted(i.seq for i in since.items) == [1, 5, 7]
