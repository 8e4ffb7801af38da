"""How a reminder sweep's cost grows: with what became due, not with the size of the ledger.

Builds ledgers of 10,000, 100,000 and 1,000,000 items (SQLite files, or PostgreSQL databases
with `--database`) where 1 % are near or past a deadline (half each) and all others are far
from any deadline or closed. Times, on each (median of several):
- a whole sweep: the candidate query plus rule evaluation over every candidate item (what the
  engine's first sweep, and the first after a new digest week, does), with a naive sweep that
  loads every item and filters in Python as the reference;
- the incremental sweep that follows (bot/reminders/sweep.py): after a whole sweep stored each
  item's next instant (`remind_at`), a sweep five minutes later reads only what became due since;
  and, on the largest ledger, the same with 1 %, 10 % and 100 % of the due items due again.
Built ledgers are kept (temp directory / databases named by size and schema revision), so a
second run skips the build (printed separately).

    .venv/bin/python benchmarks/reminder_sweep.py [--sizes 10000,100000,1000000] [--fresh]
        [--database postgresql+asyncpg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import select

from benchmarks.support import (
    database_option,
    is_postgres,
    machine,
    postgres_database,
    verdict,
)
from bot.reminders.sweep import CHANGE_MARGIN
from domain.campaign import Campaign, Deadline, Phase
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import (
    Snapshot,
    candidate_window,
    due_reminders,
    next_look,
    running_audiences,
)
from domain.reminders.timing import Policy
from storage import migrate
from storage.db import Database
from storage.models import LedgerItem
from storage.reminders import candidates as reminder_candidates

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 6, 14, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
TODAY = date(2027, 6, 14)
UNITS = 1000
DUE_SHARE = 0.01  # near (half) or past (half) a deadline
TARGET_MS_AT_1M = 50.0
LATER = NOW + timedelta(minutes=5)  # the incremental sweep after the whole one
STAMP = NOW - timedelta(days=1)  # when the ledger was written (before the last sweep)
POLICY = Policy(timezone=TZ)
CAMPAIGN = Campaign(
    name="bench",
    phases=(Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31)),),
    deadlines=(Deadline("problem_list", "问题清单", date(2027, 4, 5), "unit_heads"),),
    categories=(),
)


def _specials(items: int, due: int) -> dict[int, str]:
    rng = random.Random(7)
    special = {i: "soon" for i in rng.sample(range(items), due)}
    for n, key in enumerate(list(special)):
        special[key] = "soon" if n < due // 2 else "late"
    return special


def _item_rows(items: int, due: int) -> Iterator[tuple[int, int, date, str]]:
    """(unit, seq, deadline, status) of every item."""
    special = _specials(items, due)
    rng = random.Random(8)
    seqs = [0] * (UNITS + 1)
    for i in range(items):
        unit = i % UNITS + 1
        seqs[unit] += 1
        kind = special.get(i)
        if kind == "soon":
            deadline, status = TODAY + timedelta(days=rng.randint(0, 3)), "open"
        elif kind == "late":
            deadline, status = TODAY - timedelta(days=rng.randint(1, 60)), "in_progress"
        elif i % 3 == 0:  # closed: the deadline no longer matters
            deadline, status = TODAY - timedelta(days=rng.randint(1, 300)), "verified"
        else:  # far from any deadline
            deadline, status = TODAY + timedelta(days=rng.randint(30, 500)), "open"
        yield unit, seqs[unit], deadline, status


async def build_postgres(url: str, items: int, due: int) -> None:
    """The same ledger in PostgreSQL, through COPY (indexes built after the load)."""
    db = Database(url)
    await migrate.upgrade(db)
    await db.dispose()
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(raw)
    stamp = STAMP
    try:
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_items' "
            "AND indexname NOT LIKE 'pk_%'"
        )
        for row in indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        await conn.copy_records_to_table(
            "units",
            records=[
                (u, f"U{u:04d}", f"单位{u}", "school", stamp, stamp) for u in range(1, UNITS + 1)
            ],
            columns=["id", "code", "name", "kind", "created_at", "updated_at"],
        )
        await conn.copy_records_to_table(
            "members",
            records=[
                (u, 10_000 + u, f"校长{u}", u, "unit_head", True, True, stamp, stamp)
                for u in range(1, UNITS + 1)
            ],
            columns=[
                "id", "telegram_user_id", "display_name", "unit_id", "role", "active",
                "reachable", "joined_at", "updated_at",
            ],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "ledger_items",
            records=[
                (unit, seq, "lax", "问题描述", deadline, status, False, stamp, stamp, 1, False)
                for unit, seq, deadline, status in _item_rows(items, due)
            ],
            columns=[
                "unit_id", "seq", "category_key", "description", "deadline", "status",
                "added_after_signoff", "created_at", "updated_at", "version", "bureau_deadline",
            ],
        )  # fmt: skip
        for row in indexes:
            await conn.execute(row["indexdef"])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def build(path: Path, items: int, due: int) -> None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(db)
    await db.dispose()
    stamp = STAMP.replace(tzinfo=None).isoformat(sep=" ")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.executemany(
        "INSERT INTO units (id, code, name, kind, created_at, updated_at) VALUES (?,?,?,?,?,?)",
        [(u, f"U{u:04d}", f"单位{u}", "school", stamp, stamp) for u in range(1, UNITS + 1)],
    )
    con.executemany(
        "INSERT INTO members (id, telegram_user_id, display_name, unit_id, role, active, "
        "reachable, joined_at, updated_at) VALUES (?,?,?,?,?,1,1,?,?)",
        [(u, 10_000 + u, f"校长{u}", u, "unit_head", stamp, stamp) for u in range(1, UNITS + 1)],
    )

    def rows() -> Iterator[tuple[object, ...]]:
        for unit, seq, deadline, status in _item_rows(items, due):
            yield (unit, seq, "lax", "问题描述", deadline.isoformat(), status, stamp, stamp)

    # Bulk load without the indexes, then build them once (much faster than row by row).
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_items' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f'DROP INDEX "{name}"')
    con.executemany(
        "INSERT INTO ledger_items (unit_id, seq, category_key, description, deadline, status, "
        "added_after_signoff, created_at, updated_at, version) VALUES (?,?,?,?,?,?,0,?,?,1)",
        rows(),
    )
    for _, sql in indexes:
        con.execute(sql)
    con.commit()
    con.execute("ANALYZE")
    con.close()


async def _snapshot(
    db: Database, now: datetime, scope: reminder_candidates.Scope | None
) -> Snapshot:
    _, until = candidate_window(now, POLICY)
    return await reminder_candidates.snapshot(
        db,
        until=until,
        case_kinds=(),
        audiences=running_audiences(CAMPAIGN, now, POLICY),
        staff_chat=True,
        tz=TZ,
        scope=scope,
    )


async def sweep_seconds(url: str, repeats: int) -> tuple[float, int, int]:
    """A whole sweep: every candidate item read and judged (median of `repeats`)."""
    db = Database(url)
    timings: list[float] = []
    found = candidates = 0
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            snap = await _snapshot(db, NOW, None)
            due = due_reminders(CAMPAIGN, snap, now=NOW, policy=POLICY, cal=WorkCalendar())
            timings.append(time.perf_counter() - started)
            found, candidates = len(due), len(snap.items)
    finally:
        await db.dispose()
    return statistics.median(timings), candidates, found


class Incremental:
    """The engine's sweeps as bot/reminders/sweep.py runs them: one whole sweep that stores
    each item's next instant, then sweeps that read only what became due since."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.units: dict[int, object] = {}

    async def whole(self) -> tuple[float, int]:
        """The whole sweep at NOW, storing the marks (timed with the write)."""
        async with self.db.session() as session:  # forget the marks of a previous run
            await session.exec(  # type: ignore[call-overload]
                text("UPDATE ledger_items SET remind_at = NULL WHERE remind_at IS NOT NULL")
            )
            await session.commit()
        started = time.perf_counter()
        snap = await _snapshot(self.db, NOW, None)
        due_reminders(CAMPAIGN, snap, now=NOW, policy=POLICY, cal=WorkCalendar())
        cal = WorkCalendar()
        marks = {i.id: next_look(i, now=NOW, p=POLICY, cal=cal) for i in snap.items}
        await reminder_candidates.record(self.db, (), marks, now=NOW)
        self.units = dict(snap.units)
        return time.perf_counter() - started, len(marks)

    async def later(self, repeats: int) -> tuple[float, int, int]:
        """The sweep five minutes later: reads what became due since (median of `repeats`;
        the marks it would store are computed, not written, so each repeat sees the same)."""
        scope = reminder_candidates.Scope(
            due_by=LATER,
            changed_since=NOW - CHANGE_MARGIN,
            previous_units=self.units,  # type: ignore[arg-type]
            window_after=candidate_window(NOW, POLICY)[1],
        )
        timings: list[float] = []
        read = found = 0
        cal = WorkCalendar()
        for _ in range(repeats):
            started = time.perf_counter()
            snap = await _snapshot(self.db, LATER, scope)
            due = due_reminders(CAMPAIGN, snap, now=LATER, policy=POLICY, cal=cal)
            for item in snap.items:
                next_look(item, now=LATER, p=POLICY, cal=cal)
            timings.append(time.perf_counter() - started)
            read, found = len(snap.items), len(due)
        return statistics.median(timings), read, found

    async def due_again(self, count: int) -> None:
        """`count` of the items looked at become due (their next instant comes before LATER)."""
        async with self.db.session() as session:
            await session.exec(  # type: ignore[call-overload]
                text(
                    "UPDATE ledger_items SET remind_at = :at WHERE id IN (SELECT id FROM "
                    "ledger_items WHERE remind_at IS NOT NULL ORDER BY id LIMIT :n)"
                ),
                params={"at": NOW + timedelta(minutes=1), "n": count},
            )
            await session.commit()

    async def close(self) -> None:
        await self.db.dispose()


async def naive_seconds(url: str) -> tuple[float, int]:
    """The reference: load every ledger item, keep the open ones near or past a deadline."""
    db = Database(url)
    try:
        started = time.perf_counter()
        _, until = candidate_window(NOW, POLICY)
        async with db.session() as session:
            rows = (await session.exec(select(LedgerItem))).all()
        kept = [
            r
            for r in rows
            if r.status in ("open", "in_progress")
            and r.deadline is not None
            and r.deadline <= until
        ]
        return time.perf_counter() - started, len(kept)
    finally:
        await db.dispose()


async def cached(items: int, due: int, fresh: bool, database: str) -> tuple[str, float | None]:
    """The URL of the ledger of `items` items (`due` of them due), built now (seconds) or
    reused."""
    name = f"sweep-{migrate.head_revision()}-{items}-{due}"
    if is_postgres(database):
        url, existed = await postgres_database(database, name, fresh=fresh)
        if existed:
            db = Database(url)
            try:
                async with db.session() as session:
                    built = (await session.exec(select(LedgerItem.id).limit(1))).first()
            finally:
                await db.dispose()
            if built is not None:
                return url, None
        started = time.perf_counter()
        await build_postgres(url, items, due)
        return url, time.perf_counter() - started
    folder = Path(tempfile.gettempdir()) / "rectify-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.db"
    url = f"sqlite+aiosqlite:///{path}"
    if path.exists() and not fresh:
        return url, None
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    await build(partial, items, due)
    partial.rename(path)
    return url, time.perf_counter() - started


def query_plan(url: str) -> str:
    if not url.startswith("sqlite"):
        return "(PostgreSQL: see EXPLAIN in docs/performance.md)"
    con = sqlite3.connect(make_url(url).database or "")
    try:
        plans = []
        for sql, args in (
            (
                "SELECT * FROM ledger_items WHERE status IN ('in_progress','open') "
                "AND deadline IS NOT NULL AND deadline <= ?",
                ((TODAY + timedelta(days=7)).isoformat(),),
            ),
            (
                "SELECT * FROM ledger_items WHERE status IN ('in_progress','open') "
                "AND deadline <= ? AND remind_at <= ?",
                ((TODAY + timedelta(days=7)).isoformat(), str(LATER)),
            ),
        ):
            plan = con.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()
            plans.append("; ".join(str(row[-1]) for row in plan))
        return " | ".join(plans)
    finally:
        con.close()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached ledgers")
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive reference")
    database_option(parser)
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s <= 100_000]
    kind = "PostgreSQL" if is_postgres(args.database) else "SQLite"
    print(f"reminder sweep, {kind}, {DUE_SHARE:.0%} of items due; {machine()}")
    whole_at: dict[int, float] = {}
    later_at: dict[int, float] = {}
    runs = [(items, max(2, round(items * DUE_SHARE))) for items in sizes]
    if len(sizes) > 1:  # the largest ledger with only the smallest one's due items
        runs.append((max(sizes), max(2, round(min(sizes) * DUE_SHARE))))
    url = ""
    same_due = 0.0
    for items, due_items in runs:
        url, built = await cached(items, due_items, args.fresh, args.database)
        note = f"built in {built:5.1f} s" if built is not None else "reused from cache"
        seconds, candidates, due = await sweep_seconds(url, args.repeats)
        full_share = due_items == max(2, round(items * DUE_SHARE))
        if full_share:
            whole_at[items] = seconds
        else:
            same_due = seconds
        naive = ""
        if not args.no_naive:
            naive_s, kept = await naive_seconds(url)
            naive = f"; naive load-and-filter {naive_s * 1000:8.1f} ms ({kept} kept), "
            naive += f"{naive_s / seconds:5.1f}x slower"
        print(
            f"{items:>9,} items, {due_items:>6,} due ({note}): whole sweep "
            f"{seconds * 1000:7.1f} ms (median of {args.repeats}), {candidates} candidates "
            f"read, {due} reminders due{naive}",
            flush=True,
        )
        if not full_share:
            continue
        engine = Incremental(url)
        try:
            first, marked = await engine.whole()
            later, read, found = await engine.later(args.repeats)
            later_at[items] = later
            print(
                f"{'':>9}  incremental: the whole sweep storing {marked} marks "
                f"{first * 1000:7.1f} ms; the sweep 5 min later {later * 1000:6.1f} ms "
                f"(median of {args.repeats}), {read} items read, {found} reminders due",
                flush=True,
            )
            if items == max(sizes):
                for share in (0.01, 0.1, 1.0):
                    count = max(1, round(marked * share))
                    await engine.due_again(count)
                    again, read, found = await engine.later(args.repeats)
                    print(
                        f"{'':>9}  incremental, {count:>6} items due again: "
                        f"{again * 1000:7.1f} ms, {read} items read, {found} reminders due "
                        f"({again / max(count, 1) * 1e6:5.1f} us per item read)",
                        flush=True,
                    )
        finally:
            await engine.close()
    print("  query plans (whole | incremental):", query_plan(url))
    small, large = min(whole_at), max(whole_at)
    if large != small:
        print(
            f"  whole sweep time ratio {large:,} / {small:,} items: "
            f"{whole_at[large] / whole_at[small]:.1f}x for {large / small:.0f}x the items and "
            f"{large / small:.0f}x the due items; {large:,} items with {small:,}'s due items: "
            f"{same_due * 1000:.1f} ms ({same_due / whole_at[small]:.1f}x the {small:,} sweep)"
        )
    label = "" if kind == "SQLite" else f" on {kind}"
    if 1_000_000 in later_at:
        ms = later_at[1_000_000] * 1000
        whole_ms = whole_at[1_000_000] * 1000
        verdict(
            f"sweep <= 50 ms at 1M items (1% due){label}",
            ms <= TARGET_MS_AT_1M,
            f"{ms:.0f} ms for the incremental sweep; a whole sweep, as after a start or on a "
            f"new digest week, {whole_ms:.0f} ms",
        )
    else:
        ms = later_at[large] * 1000
        verdict(f"sweep at {large:,} items (1M skipped){label}", True, f"{ms:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
