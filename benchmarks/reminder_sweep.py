"""How a reminder sweep's cost grows: with what is due, not with the size of the ledger.

Builds two SQLite files — 1,000,000 ledger items and 10,000 — where the same few hundred
items are near or past a deadline and all the others are far from any deadline or closed,
then times one sweep's candidate query plus rule evaluation on each and prints the ratio.

    .venv/bin/python benchmarks/reminder_sweep.py [--items 1000000] [--small 10000]
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

from domain.calendar import WorkCalendar
from domain.campaign import Campaign, Deadline, Phase
from domain.reminder_time import Policy
from domain.reminders import candidate_window, due_reminders, running_audiences
from storage import migrate, reminder_candidates
from storage.db import Database

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 6, 14, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
TODAY = date(2027, 6, 14)
UNITS = 1000
DUE_SOON = 200  # deadline within the ladder
OVERDUE = 200  # open, past the deadline
POLICY = Policy(timezone=TZ)
CAMPAIGN = Campaign(
    name="bench",
    phases=(Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31)),),
    deadlines=(Deadline("problem_list", "问题清单", date(2027, 4, 5), "unit_heads"),),
    categories=(),
)


async def build(path: Path, items: int) -> None:
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
    special = {i: "soon" for i in rng.sample(range(items), DUE_SOON + OVERDUE)}
    for n, key in enumerate(list(special)):
        special[key] = "soon" if n < DUE_SOON else "late"

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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        results = {}
        for items in (args.small, args.items):
            path = Path(tmp) / f"ledger_{items}.db"
            started = time.perf_counter()
            await build(path, items)
            built = time.perf_counter() - started
            seconds, candidates, due = await sweep_seconds(path, args.repeats)
            results[items] = seconds
            print(
                f"{items:>9,} items (built in {built:5.1f} s): one sweep {seconds * 1000:7.1f} ms"
                f" median of {args.repeats}; {candidates} candidates read, {due} reminders due"
            )
            con = sqlite3.connect(path)
            plan = con.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM ledger_items WHERE status IN ('in_progress',"
                "'open') AND deadline IS NOT NULL AND deadline <= ?",
                ((TODAY + timedelta(days=7)).isoformat(),),
            ).fetchall()
            con.close()
            print("           plan:", "; ".join(str(row[-1]) for row in plan))
        ratio = results[args.items] / results[args.small]
        print(
            f"ratio {args.items:,} / {args.small:,} items: {ratio:.2f}x "
            f"(the ledger is {args.items / args.small:.0f}x larger)"
        )


if __name__ == "__main__":
    asyncio.run(main())
