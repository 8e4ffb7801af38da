"""How the ledger export scales: seconds and peak memory for 10,000 and 100,000 rows, as xlsx
and as CSV. Memory should stay flat: rows are read in keyset batches and written through
openpyxl's write-only mode, so the process's peak RSS (and, with --tracemalloc, the Python
heap peak) barely moves from 10,000 to 100,000 rows.

    .venv/bin/python benchmarks/export.py [--items 100000] [--small 10000] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import exports, migrate
from storage.db import Database
from storage.export_files import Labels, write_export

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 6, 14, 1, 0, tzinfo=UTC)
TODAY = date(2027, 6, 14)
UNITS = 200
LABELS = Labels(
    category=lambda key: key,
    ledger_status=lambda s: s,
    case_status=lambda s: s,
    case_kind=lambda k: k,
    self_inspection="自查",
    tz=TZ,
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

    def rows() -> Iterator[tuple[object, ...]]:
        seqs = [0] * (UNITS + 1)
        for i in range(items):
            unit = i % UNITS + 1
            seqs[unit] += 1
            deadline = (TODAY + timedelta(days=i % 200 - 100)).isoformat()
            verified = stamp if i % 3 == 0 else None
            status = "verified" if verified else "open"
            yield (
                i + 1,
                unit,
                seqs[unit],
                "slow",
                f"问题描述 {i}：窗口办事拖拉，群众反映强烈",
                "限期整改，每周检查",
                deadline,
                "王主任",
                status,
                verified,
                stamp,
                stamp,
            )

    con.executemany(
        "INSERT INTO ledger_items (id, unit_id, seq, category_key, description, measure, "
        "deadline, responsible_name, status, verified_at, added_after_signoff, created_at, "
        "updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,1)",
        rows(),
    )
    con.executemany(
        "INSERT INTO ledger_progress (item_id, kind, note, at) VALUES (?,?,?,?)",
        ((i, "note", f"进展 {i}", stamp) for i in range(1, items + 1, 2)),
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


async def export(path: Path, fmt: str, out: Path, trace: bool) -> tuple[float, int, float]:
    db = Database(f"sqlite+aiosqlite:///{path}")
    if trace:  # tracemalloc makes the export several times slower: only on request
        tracemalloc.start()
    started = time.perf_counter()
    try:
        with out.open("wb") as handle:
            count = await write_export(
                handle,
                what="ledger",
                fmt=fmt,  # type: ignore[arg-type]
                batches=exports.ledger_rows(db),
                labels=LABELS,
            )
    finally:
        await db.dispose()
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, count, peak / 2**20


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the Python heap peak (slow)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        for items in (args.small, args.items):
            db_path = Path(tmp) / f"ledger-{items}.db"
            await build(db_path, items)
            for fmt in ("xlsx", "csv"):
                out = Path(tmp) / f"ledger-{items}.{fmt}"
                seconds, count, heap = await export(db_path, fmt, out, args.tracemalloc)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                line = (
                    f"{count:>7} rows {fmt:>4}: {seconds:6.1f} s, "
                    f"{out.stat().st_size / 2**20:5.1f} MB file, "
                    f"process peak RSS so far {rss:6.1f} MB"
                )
                print(line + (f", heap peak {heap:5.1f} MB" if args.tracemalloc else ""))


if __name__ == "__main__":
    asyncio.run(main())
