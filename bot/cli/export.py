"""`python -m bot export ledger|cases|accountability|audit --format xlsx|csv [--unit CODE]
[--sheet-per-unit] [--case NUMBER] [--from DAY] [--to DAY] --out FILE`: the rectification
ledger, the case register, the accountability register or the audit log (who did what and
when; `--case`, `--unit`, `--from` and `--to` filter it) as a file for the bureau office,
streamed in batches (memory stays flat), with the rows written so far on stderr.

`python -m bot export files --out FILE.zip`: the evidence files of every case in the bureau's
store, one folder per case number, complaints' files opened with their keys: the chat's
/export "证据文件 · zip", without the chat's upload limit, so that the office can take the
files together with the workbook."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from bot import evidence as evidence_store
from bot import keyring
from bot.app import settings_from
from bot.clock import SystemClock
from bot.config import Config
from domain.reminders.timing import local_day
from handlers.i18n import Catalogs
from handlers.stats.export import FILE_LANGUAGE, extra_sheets, file_labels, heading, rows_of
from storage import migrate
from storage.audit import AuditFilter
from storage.db import Database
from storage.files import evidence as evidence_files
from storage.membership import units
from storage.stats.files import write_export

PROGRESS_EVERY_SECONDS = 0.5


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register `export` on the main parser."""
    e = with_config(sub.add_parser("export", help="the ledger or the case register as xlsx/csv"))
    e.add_argument(
        "what",
        choices=["ledger", "cases", "accountability", "audit", "files"],
        help="整改台账, the case register, the accountability register (问责台账), the audit "
        "log, or the evidence files as a zip",
    )
    e.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", dest="fmt")
    e.add_argument("--unit", metavar="CODE", help="only this unit (default: every unit)")
    e.add_argument(
        "--sheet-per-unit",
        action="store_true",
        help="xlsx ledger: one sheet per unit instead of one sheet with a unit column",
    )
    e.add_argument("--case", metavar="NUMBER", help="audit: only this case's events")
    e.add_argument(
        "--from", type=date.fromisoformat, dest="first", metavar="YYYY-MM-DD", help="audit: from"
    )
    e.add_argument(
        "--to", type=date.fromisoformat, dest="last", metavar="YYYY-MM-DD", help="audit: to"
    )
    e.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write")


class Progress:
    """Rows written so far, on one stderr line rewritten at most twice a second: only on a
    terminal (in a log file or a pipe the carriage returns would be noise)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.shown = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if self.live and now - self.shown >= PROGRESS_EVERY_SECONDS:
            self.shown = now
            print(f"\r{rows} rows written", end="", file=self.stream, flush=True)

    def done(self, rows: int) -> None:
        if self.live:
            print(f"\r{rows} rows written", file=self.stream)


async def _files(db: Database, config: Config, out: Path) -> int:
    """The evidence zip into `out` (written beside it first, then moved into place)."""
    started = time.monotonic()
    evidence_store.attach(db, config)
    found = await evidence_files.stored_files(db)
    data = await asyncio.to_thread(evidence_files.write_zip, found)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(data)
    partial.replace(out)
    print(f"{out} ({len(found)} files, {time.monotonic() - started:.1f} s)")
    return 0


async def run(config: Config, args: argparse.Namespace) -> int:
    settings = settings_from(config)
    catalogs = Catalogs(default_language=FILE_LANGUAGE, timezone=config.campaign.tz)
    today = local_day(SystemClock().now(), settings.reminders)
    labels = file_labels(catalogs.get(FILE_LANGUAGE), settings.campaign, settings, today)
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        await keyring.attach(db, config, settings.hotline)  # complaints' words, for staff
        if args.what == "files":
            return await _files(db, config, args.out)
        unit_id = None
        if args.unit:
            unit = await units.by_code(db, args.unit)
            if unit is None:
                print(f"no unit with code {args.unit!r}", file=sys.stderr)
                return 1
            unit_id = unit.id
        where = AuditFilter(
            case_number=args.case, unit_id=unit_id, first=args.first, last=args.last
        )
        batches = rows_of(db, args.what, unit_id, tz=config.campaign.tz, where=where)
        started = time.monotonic()
        progress = Progress(sys.stderr)
        partial = args.out.with_name(args.out.name + ".part")
        with partial.open("wb") as out:
            count = await write_export(
                out,
                what=args.what,
                fmt=args.fmt,
                batches=batches,
                labels=labels,
                sheet_per_unit=args.sheet_per_unit,
                progress=progress,
                extra_sheets=await extra_sheets(
                    db,
                    what=args.what,
                    fmt=args.fmt,
                    unit_id=unit_id,
                    tz=config.campaign.tz,
                    policy=config.checkin.policy(config.campaign.tz),
                    calendar=settings.calendar,
                    today=today,
                ),
                heading=heading(settings, today),
            )
        partial.replace(args.out)
    finally:
        await keyring.detach(db)
        await db.dispose()
    progress.done(count)
    print(f"{args.out} ({count} rows, {time.monotonic() - started:.1f} s)")
    return 0
