"""`python -m bot backup FILE` and `python -m bot restore FILE [--force]`: the command line
around storage/ops/backup.py (which says how each database is copied and what restore refuses)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import Config
from storage.ops.backup import BackupError, backup, restore


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register `backup` and `restore` on the main parser."""
    b = with_config(sub.add_parser("backup", help="write a consistent copy of the database"))
    b.add_argument("file", type=Path, help="where to write (replaced if it exists)")
    r = with_config(sub.add_parser("restore", help="replace the database with a backup, migrate"))
    r.add_argument("file", type=Path, help="a file written by `backup`")
    r.add_argument(
        "--force", action="store_true", help="replace a database that already has tables"
    )


async def run(config: Config, args: argparse.Namespace) -> int:
    try:
        if args.command == "backup":
            await backup(config.storage.url, args.file)
            print(f"backup written to {args.file} ({args.file.stat().st_size} bytes)")
        else:
            revision = await restore(
                config.storage.url, args.file, force=args.force, lock_key=config.ha.lock_key
            )
            print(f"restored {args.file}; database at {revision}")
    except BackupError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    return 0
