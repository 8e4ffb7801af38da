"""`python -m bot papers list|summary [--unit CODE] --out FILE`: the office's papers from the
command line. `list` is the signed problem list (问题整改清单) as a PDF to print, sign and
stamp: one unit's, or every unit's in one file; `summary` the year-end summary (总结) as an
editable Word document: one unit's, or the bureau's over every unit."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot import keyring
from bot.app import settings_from
from bot.clock import SystemClock
from bot.config import Config
from domain.reminders.timing import local_day
from domain.stats import Scope
from handlers.i18n import Catalogs
from handlers.stats.papers import FILE_LANGUAGE, problem_list_pdf
from handlers.stats.summary import make_summary, summary_docx
from storage import migrate
from storage.db import Database
from storage.ledger.queries import problem_lists
from storage.membership import units


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register `papers` on the main parser."""
    p = with_config(
        sub.add_parser(
            "papers", help="the problem list to sign (PDF) or the year-end summary (docx)"
        )
    )
    p.add_argument(
        "what",
        choices=["list", "summary"],
        help="list: 问题整改清单 (PDF); summary: 总结 first draft (docx)",
    )
    p.add_argument(
        "--unit", metavar="CODE", help="only this unit (default: every unit / the bureau)"
    )
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write")


async def run(config: Config, args: argparse.Namespace) -> int:
    settings = settings_from(config)
    t = Catalogs(default_language=FILE_LANGUAGE, timezone=config.campaign.tz).get(FILE_LANGUAGE)
    now = SystemClock().now()
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        await keyring.attach(db, config, settings.hotline)
        unit = None
        if args.unit:
            unit = await units.by_code(db, args.unit)
            if unit is None:
                print(f"no unit with code {args.unit!r}", file=sys.stderr)
                return 1
        if args.what == "list":
            lists = await problem_lists(db, None if unit is None else [unit.id or 0])
            if not lists:
                print("no problem list to print", file=sys.stderr)
                return 1
            data = await asyncio.to_thread(
                problem_list_pdf,
                lists,
                t=t,
                campaign_name=settings.campaign.name,
                printed_at=now,
            )
            told = f"{len(lists)} unit(s)"
        else:
            made = await make_summary(
                db,
                settings,
                config.checkin.policy(config.campaign.tz),
                t,
                scope=Scope(unit.id if unit is not None else None),
                unit_name=unit.name if unit is not None else None,
                today=local_day(now, settings.reminders),
            )
            data = await asyncio.to_thread(summary_docx, made)
            told = ", ".join(f"{k} {v}" for k, v in made.figures.items())
    finally:
        await keyring.detach(db)
        await db.dispose()
    partial = args.out.with_name(args.out.name + ".part")
    partial.write_bytes(data)
    partial.replace(args.out)
    print(f"{args.out} ({told})")
    return 0
