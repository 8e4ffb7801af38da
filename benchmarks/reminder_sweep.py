"""How a reminder sweep's cost grows: with what is due, not with the size of the ledger.

Builds SQLite files of 10,000, 100,000 and 1,000,000 ledger items where 1 % are near or past a
deadline (half each) and all others are far from any deadline or closed; times one sweep's
candidate query plus rule evaluation on each (median of several), and a naive sweep that loads
every item and filters in Python as the reference. Built files are kept in the temp directory,
keyed by size and schema revision, so a second run skips the build (printed separately).

    .venv/bin/python benchmarks/reminder_sweep.py [--sizes 10000,100000,1000000] [--fresh]
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from benchmarks.support import machine, verdict
from domain.campaign import Campaign, Deadline, Phase
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import candidate_window, due_reminders, running_audiences
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
POLICY = Policy(timezone=TZ)
CAMPAIGN = Campaign(
    name="bench",
    phases=(Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31)),),
    deadlines=(Deadline("problem_list", "问题清单", date(2027, 4, 5), "unit_heads"),),
    categories=(),
)


async def build(path: Path, items: int, due: int) -> None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(db)
    await db.dispose()
    stamp = NOW.replace(tzinfo=None).isoformat(sep=" ")
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
    rng = random.Random(7)
    special = {i: "soon" for i in rng.sample(range(items), due)}
    for n, key in enumerate(list(special)):
        special[key] = "soon" if n < due // 2 else "late"

    def rows() -> object:
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
            yield (unit, seqs[unit], "lax", "问题描述", deadline.isoformat(), status, stamp, stamp)

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
        rows(),  # type: ignore[arg-type]
    )
    for _, sql in indexes:
        con.execute(sql)
    con.commit()
    con.execute("ANALYZE")
    con.close()


async def sweep_seconds(path: Path, repeats: int) -> tuple[float, int, int]:
    db = Database(f"sqlite+aiosqlite:///{path}")
    timings: list[float] = []
    found = candidates = 0
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            _, until = candidate_window(NOW, POLICY)
            snap = await reminder_candidates.snapshot(
                db,
                until=until,
                case_kinds=(),
                audiences=running_audiences(CAMPAIGN, NOW, POLICY),
                staff_chat=True,
                tz=TZ,
            )
            due = due_reminders(CAMPAIGN, snap, now=NOW, policy=POLICY, cal=WorkCalendar())
            timings.append(time.perf_counter() - started)
            found, candidates = len(due), len(snap.items)
    finally:
        await db.dispose()
    return statistics.median(timings), candidates, found


async def naive_seconds(path: Path) -> tuple[float, int]:
    """The reference: load every ledger item, keep the open ones near or past a deadline."""
    db = Database(f"sqlite+aiosqlite:///{path}")
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


async def cached(items: int, due: int, fresh: bool) -> tuple[Path, float | None]:
    """The database of `items` items (`due` of them due), built now (seconds) or reused."""
    folder = Path(tempfile.gettempdir()) / "rectify-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"sweep-{migrate.head_revision()}-{items}-{due}.db"
    if path.exists() and not fresh:
        return path, None
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    await build(partial, items, due)
    partial.rename(path)
    return path, time.perf_counter() - started


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s <= 100_000]
    print(f"reminder sweep, SQLite, {DUE_SHARE:.0%} of items due; {machine()}")
    results: dict[int, float] = {}
    runs = [(items, max(2, round(items * DUE_SHARE))) for items in sizes]
    if len(sizes) > 1:  # the largest ledger with only the smallest one's due items
        runs.append((max(sizes), max(2, round(min(sizes) * DUE_SHARE))))
    for items, due_items in runs:
        path, built = await cached(items, due_items, args.fresh)
        note = f"built in {built:5.1f} s" if built is not None else "reused from cache"
        seconds, candidates, due = await sweep_seconds(path, args.repeats)
        naive, kept = await naive_seconds(path)
        if due_items == max(2, round(items * DUE_SHARE)):
            results[items] = seconds
        else:
            same_due = seconds
        print(
            f"{items:>9,} items, {due_items:>6,} due ({note}): "
            f"sweep {seconds * 1000:7.1f} ms (median of "
            f"{args.repeats}), {candidates} candidates read, {due} reminders due; naive "
            f"load-and-filter {naive * 1000:8.1f} ms ({kept} kept), {naive / seconds:5.1f}x slower",
            flush=True,
        )
    con = sqlite3.connect(path)
    plan = con.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM ledger_items WHERE status IN ('in_progress',"
        "'open') AND deadline IS NOT NULL AND deadline <= ?",
        ((TODAY + timedelta(days=7)).isoformat(),),
    ).fetchall()
    con.close()
    print("  candidate query plan:", "; ".join(str(row[-1]) for row in plan))
    small, large = min(results), max(results)
    if large != small:
        print(
            f"  sweep time ratio {large:,} / {small:,} items: "
            f"{results[large] / results[small]:.1f}x for {large / small:.0f}x the items and "
            f"{large / small:.0f}x the due items; {large:,} items with {small:,}'s due items: "
            f"{same_due * 1000:.1f} ms ({same_due / results[small]:.1f}x the {small:,} sweep)"
        )
    if 1_000_000 in results:
        ms = results[1_000_000] * 1000
        verdict("sweep <= 50 ms at 1M items (1% due)", ms <= TARGET_MS_AT_1M, f"{ms:.0f} ms")
    else:
        ms = results[large] * 1000
        verdict(f"sweep at {large:,} items (1M skipped)", True, f"{ms:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
