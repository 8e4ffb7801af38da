"""`python -m bot hotline purge [--dry-run]` and `python -m bot hotline hold PSEUDONYM
[--release]` and `python -m bot hotline rekey`: the retention purge, legal holds and the
rotation of the key that wraps complaints' keys, from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bot import evidence as evidence_copy
from bot import keyring
from bot.clock import SystemClock
from bot.config import Config
from bot.config.hotline import hotline_policy
from domain.hotline.rules import is_pseudonym, purge_cutoff
from storage import migrate
from storage.cases import complaint_staff
from storage.db import Database


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register `hotline purge` and `hotline hold` on the main parser."""
    h = sub.add_parser("hotline", help="anonymous complaints: retention purge, legal hold")
    hsub = h.add_subparsers(dest="hotline_command", required=True, metavar="ACTION")
    p = with_config(hsub.add_parser("purge", help="delete closed complaints past retention"))
    p.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    hold = with_config(hsub.add_parser("hold", help="keep a complaint past retention"))
    hold.add_argument("pseudonym", metavar="PSEUDONYM", help="the staff pseudonym, e.g. C-7F3K")
    hold.add_argument("--release", action="store_true", help="lift the legal hold")
    with_config(hsub.add_parser("rekey", help="wrap every complaint key with the current key"))


async def run(config: Config, args: argparse.Namespace) -> int:
    clock = SystemClock()
    today = clock.now().astimezone(config.campaign.tz).date()
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        await keyring.attach(db, config, hotline_policy(config.hotline))
        evidence_copy.attach(db, config)  # the purge deletes the bureau's copies too
        if args.hotline_command == "rekey":
            assert db.keyring is not None
            moved = await db.keyring.rewrap()
            print(f"{moved} complaint key(s) now wrapped by the current data key")
            return 0
        if args.hotline_command == "purge":
            before = purge_cutoff(today, config.hotline.retention_days)
            result = await complaint_staff.purge(
                db, before=before, today=today, dry_run=args.dry_run
            )
            verb = "would purge" if args.dry_run else "purged"
            print(
                f"{verb} {result.purged} closed complaint(s) closed before {before.isoformat()}; "
                f"{result.held} kept on legal hold"
            )
            return 0
        pseudonym = args.pseudonym.strip().upper()
        if not is_pseudonym(pseudonym):
            print(f"not a complaint pseudonym: {args.pseudonym!r}", file=sys.stderr)
            return 2
        found = await complaint_staff.set_hold(
            db, pseudonym, on=not args.release, member_id=None, today=today, now=clock.now()
        )
        if not found:
            print(f"no complaint {pseudonym}", file=sys.stderr)
            return 1
        print(f"{pseudonym}: legal hold {'lifted' if args.release else 'placed'}")
        return 0
    finally:
        await keyring.detach(db)
        await db.dispose()
