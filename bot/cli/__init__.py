"""The command line: `python -m bot run | migrate | backup | restore | demo | units import |
invite | i18n`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot import leadership
from bot.cli import backup as cli_backup
from bot.cli import catalogs
from bot.cli import duties as cli_duties
from bot.cli import export as cli_export
from bot.cli import hotline as cli_hotline
from bot.cli.units_csv import CsvFileError, read_units
from bot.clock import SystemClock
from bot.config import Config, ConfigError, load_config
from bot.config.hotline import pepper_problem
from bot.ops import logs
from bot.runtime import running
from domain.membership.invites import deep_link
from domain.membership.roles import INVITABLE_ROLES, Role
from storage import migrate
from storage.db import Database
from storage.errors import NotFoundError
from storage.membership import invites, units

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", metavar="PATH", help="config file (default: env BOT_CONFIG)")
        return p

    with_config(sub.add_parser("run", help="migrate the database, then poll Telegram"))
    m = with_config(sub.add_parser("migrate", help="apply pending database migrations"))
    m.add_argument("--make", metavar="MESSAGE", help="(developers) autogenerate a migration")
    d = sub.add_parser("demo", help="an offline walk-through against the Bot API simulator")
    d.add_argument("--lang", choices=["zh", "en"], default="zh", help="transcript language")
    u = sub.add_parser("units", help="manage units")
    usub = u.add_subparsers(dest="units_command", required=True, metavar="ACTION")
    imp = with_config(usub.add_parser("import", help="create or update units from a CSV file"))
    imp.add_argument("file", type=Path, help="CSV with columns code,name[,parent][,kind]")
    i = with_config(sub.add_parser("invite", help="make an invite link into a unit"))
    i.add_argument("unit_code", metavar="UNIT_CODE")
    i.add_argument("--role", choices=[r.value for r in INVITABLE_ROLES], default="member")
    i.add_argument("--uses", type=int, help="how many people may use it (default from config)")
    i.add_argument("--days", type=int, help="days until it expires (default from config)")
    cli_hotline.add_parser(sub, with_config)
    cli_export.add_parser(sub, with_config)
    cli_backup.add_parser(sub, with_config)
    cli_duties.add_parser(sub, with_config)
    n = sub.add_parser("i18n", help="(developers) sync translation catalogs with the code")
    n.add_argument("--check", action="store_true", help="only report problems; exit 1 if any")
    n.add_argument(
        "--fill",
        type=Path,
        metavar="JSON",
        help='also fill in translations from {"zh_CN": {"msgid": "译文"}}',
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure()
    try:
        match args.command:
            case "run":
                return asyncio.run(_run(load_config(args.config)))
            case "migrate":
                return asyncio.run(_migrate(load_config(args.config), args.make))
            case "demo":
                from bot.demo import run_demo

                logs.configure(logging.WARNING)  # the transcript is the output
                return asyncio.run(run_demo(language="en" if args.lang == "en" else "zh_CN"))
            case "units":
                return asyncio.run(_import_units(load_config(args.config), args.file))
            case "invite":
                return asyncio.run(_invite(load_config(args.config), args))
            case "i18n":
                return _i18n(check_only=args.check, fill=args.fill)
            case "hotline":
                return asyncio.run(cli_hotline.run(load_config(args.config), args))
            case "export":
                return asyncio.run(cli_export.run(load_config(args.config), args))
            case "backup" | "restore":
                return asyncio.run(cli_backup.run(load_config(args.config), args))
            case "duties":
                return asyncio.run(cli_duties.run(load_config(args.config), args))
    except ConfigError as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    return 2


async def _run(config: Config) -> int:
    if config.telegram.token_is_placeholder:
        print(
            "config error:\ntelegram.token: still the example's placeholder "
            "(put the token from @BotFather in the file or in env BOT_TOKEN)",
            file=sys.stderr,
        )
        return 2
    if problem := pepper_problem(config.hotline):
        print(f"config error:\n{problem}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    # A standby waits for the leader lock inside `running()`: a stop ends that wait too.
    if await leadership.serve_until(stop, lambda: running(config, clock=SystemClock())):
        log.info("stopped")
        return 0
    return 1


async def _migrate(config: Config, make: str | None) -> int:
    db = Database(config.storage.url)
    try:
        try:
            before, after = await migrate.upgrade(db)
        except migrate.Unversioned as error:
            print(f"migrate refused: {error}", file=sys.stderr)
            return 2
        print(f"database at {after} (was {before or 'empty'})")
        if make:
            await migrate.make_revision(db, make)
    finally:
        await db.dispose()
    return 0


async def _import_units(config: Config, path: Path) -> int:
    try:
        parsed = read_units(path)
    except (OSError, CsvFileError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        outcome = await units.import_units(db, parsed.rows, now=SystemClock().now())
    finally:
        await db.dispose()
    rejected = sorted([*parsed.rejected, *outcome.rejected])
    print(
        f"{len(outcome.added)} added, {len(outcome.updated)} updated, "
        f"{len(outcome.unchanged)} unchanged, {len(rejected)} rejected"
    )
    for line, reason in rejected:
        print(f"  line {line}: {reason}")
    return 1 if rejected else 0


async def _invite(config: Config, args: argparse.Namespace) -> int:
    uses = args.uses if args.uses is not None else config.invites.max_uses
    days = args.days if args.days is not None else config.invites.ttl_days
    if not 1 <= uses <= 10000 or not 1 <= days <= 365:
        print("--uses must be 1..10000 and --days 1..365", file=sys.stderr)
        return 2
    clock = SystemClock()
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        made = await invites.create_invite(
            db,
            unit_code=args.unit_code,
            role=Role(args.role),
            max_uses=uses,
            ttl=timedelta(days=days),
            now=clock.now(),
            created_by="cli",
        )
    except NotFoundError:
        print(f"no unit with code {args.unit_code!r}", file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    username = config.telegram.username or await _ask_username(config)
    expires = made.invite.expires_at.astimezone(config.campaign.tz).strftime("%Y-%m-%d %H:%M %Z")
    print(f"invite into {made.unit.code} {made.unit.name} as {args.role}")
    print(f"{uses} use(s), expires {expires}")
    if username:
        print(deep_link(username, made.token))
    else:
        print("(bot username unknown: set [telegram] username to print the link)")
    print(f"token: {made.token}")
    return 0


async def _ask_username(config: Config) -> str | None:
    """Ask Telegram for the bot's username (the operator did not configure it)."""
    bot = Bot(
        config.telegram.token.get_secret_value(),
        base_url=config.telegram.base_url,
        base_file_url=config.telegram.base_file_url,
    )
    try:
        async with bot:
            return bot.username
    except TelegramError:
        return None


def _i18n(*, check_only: bool, fill: Path | None) -> int:
    if not check_only:
        translations = catalogs.load_fill(fill) if fill else None
        for language, missing in catalogs.update(translations).items():
            print(f"{language}: {missing} untranslated")
    problems = catalogs.check()
    for problem in problems:
        print(f"{problem.language}: {problem.why}: {problem.msgid!r}")
    return 1 if problems else 0
