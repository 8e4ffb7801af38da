"""The command line: `python -m bot COMMAND`, every command listed by `--help`; each takes
`--log-level`."""

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

from telegram.error import TelegramError

from bot import keyring, leadership
from bot.cli import backup as cli_backup
from bot.cli import catalogs
from bot.cli import duties as cli_duties
from bot.cli import export as cli_export
from bot.cli import hotline as cli_hotline
from bot.cli import members as cli_members
from bot.cli import papers as cli_papers
from bot.cli.progress import Progress
from bot.cli.units_csv import CsvFileError, read_units
from bot.clock import SystemClock
from bot.config import ENV_CONFIG, Config, ConfigError, load_config
from bot.config.hotline import hotline_policy, keyring_problem, pepper_of, pepper_problem
from bot.ops import logs, reach
from bot.runtime import running
from domain.membership.invites import deep_link
from domain.membership.roles import INVITABLE_ROLES, Role
from storage import migrate
from storage.db import Database, address, is_unavailable
from storage.errors import NotFoundError
from storage.membership import invites, units
from storage.ops import health as probes

log = logging.getLogger("bot")


DESCRIPTION = "The rectification campaign's Telegram bot and its operator commands."
EPILOG = (
    "Every command takes --log-level LEVEL (DEBUG, INFO, WARNING, ERROR, CRITICAL; "
    "else env LOG_LEVEL, else [logging] level). `python -m bot COMMAND --help` tells more."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", metavar="PATH", help="config file (default: env BOT_CONFIG)")
        return p

    r = with_config(sub.add_parser("run", help="migrate the database, then poll Telegram"))
    r.add_argument(
        "--once",
        action="store_true",
        help="check the config, the database and Telegram (getMe), print what was found, exit",
    )
    m = with_config(sub.add_parser("migrate", help="apply pending database migrations"))
    m.add_argument("--make", metavar="MESSAGE", help="(developers) autogenerate a migration")
    d = sub.add_parser("demo", help="an offline walk-through against the Bot API simulator")
    d.add_argument("--lang", choices=["zh", "en"], default="zh", help="transcript language")
    u = sub.add_parser("units", help="manage units")
    usub = u.add_subparsers(dest="units_command", required=True, metavar="ACTION")
    units_help = (
        "create or update units from a CSV file; the valid rows are imported and each bad "
        "row is named (line and reason): fix them and run again (idempotent)"
    )
    imp = with_config(usub.add_parser("import", help=units_help, description=units_help))
    imp.add_argument(
        "file",
        type=Path,
        help="CSV with columns code,name[,parent][,kind] or 单位代码,单位名称[,上级单位][,类型]; "
        "kinds in English or Chinese (学校, 学区, 股室, 局机关, 文体单位, 其他)",
    )
    imp.add_argument("--dry-run", action="store_true", help="check every row, change nothing")
    i = with_config(sub.add_parser("invite", help="make an invite link into a unit"))
    i.add_argument("unit_code", metavar="UNIT_CODE")
    i.add_argument("--role", choices=[r.value for r in INVITABLE_ROLES], default="member")
    i.add_argument("--uses", type=int, help="how many people may use it (default from config)")
    i.add_argument("--days", type=int, help="days until it expires (default from config)")
    cli_hotline.add_parser(sub, with_config)
    cli_export.add_parser(sub, with_config)
    cli_backup.add_parser(sub, with_config)
    cli_duties.add_parser(sub, with_config)
    cli_members.add_parser(sub, with_config)
    cli_papers.add_parser(sub, with_config)
    n = sub.add_parser("i18n", help="(developers) sync translation catalogs with the code")
    n.add_argument("--check", action="store_true", help="only report problems; exit 1 if any")
    n.add_argument(
        "--fill",
        type=Path,
        metavar="JSON",
        help='also fill in translations from {"zh_CN": {"msgid": "译文"}}',
    )
    _add_log_level(parser)
    return parser


def _add_log_level(parser: argparse.ArgumentParser) -> None:
    """`--log-level` on every command that runs something (the leaves of the command tree)."""
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in commands:
        for child in dict.fromkeys(action.choices.values()):
            _add_log_level(child)
    if not commands:
        parser.add_argument(
            "--log-level",
            metavar="LEVEL",
            type=str.upper,
            choices=logs.LEVELS,
            help="DEBUG, INFO, WARNING, ERROR or CRITICAL (default: env LOG_LEVEL, "
            "else [logging] level, else INFO)",
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    database: list[str] = []  # the configured database's URL, once the config is read
    try:
        # Until a config is read: the flag or env LOG_LEVEL (the demo's transcript is its
        # output, so it logs warnings only unless asked).
        early = logs.chosen_level(args.log_level, "WARNING" if args.command == "demo" else "INFO")
        logs.configure(early or "INFO")

        def config() -> Config:
            loaded = load_config(args.config)
            level = logs.chosen_level(args.log_level, loaded.logging.level)
            logs.configure(level or loaded.logging.level, loaded.logging.format)
            log.debug(
                "config read from %s; logging %s as %s",
                args.config or f"env {ENV_CONFIG}",
                level or loaded.logging.level,
                loaded.logging.format,
            )
            database.append(loaded.storage.url)
            return loaded

        match args.command:
            case "run":
                return asyncio.run(_check(config()) if args.once else _run(config()))
            case "migrate":
                return asyncio.run(_migrate(config(), args.make))
            case "demo":
                from bot.demo import run_demo

                return asyncio.run(run_demo(language="en" if args.lang == "en" else "zh_CN"))
            case "units":
                return asyncio.run(_import_units(config(), args.file, dry_run=args.dry_run))
            case "invite":
                return asyncio.run(_invite(config(), args))
            case "i18n":
                return _i18n(check_only=args.check, fill=args.fill)
            case "hotline":
                return asyncio.run(cli_hotline.run(config(), args))
            case "export":
                return asyncio.run(cli_export.run(config(), args))
            case "backup" | "restore":
                return asyncio.run(cli_backup.run(config(), args))
            case "duties":
                return asyncio.run(cli_duties.run(config(), args))
            case "members":
                return asyncio.run(cli_members.run(config(), args))
            case "papers":
                return asyncio.run(cli_papers.run(config(), args))
    except (ConfigError, logs.LevelError) as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    except reach.TelegramRefusedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (reach.TelegramUnreachableError, leadership.DatabaseUnreachableError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a command other than `run` that found no database
        if not database or not is_unavailable(error):
            raise
        why = leadership.database_unreachable(address(database[-1]), type(error).__name__)
        print(f"error: {why}", file=sys.stderr)
        return 1
    return 2


async def _run(config: Config) -> int:
    if (code := _refused_at_start(config)) is not None:
        return code
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


async def _check(config: Config) -> int:
    """`run --once`: what a first run needs, checked and told; nothing is changed."""
    if (code := _refused_at_start(config)) is not None:
        return code
    print("config: ok")
    healthy = True
    db = Database(config.storage.url)
    try:
        wait = max(config.storage.connect_wait_seconds, 1.0)
        problem = await probes.ping(db, within=min(wait, 30.0))
    finally:
        await db.dispose()
    if problem:
        healthy = False
        print(f"database: {leadership.database_unreachable(db.address, problem)}")
    else:
        print(f"database: ok ({db.dialect} at {db.address})")
    try:
        username = await reach.check(config.telegram)
    except (reach.TelegramUnreachableError, reach.TelegramRefusedError) as error:
        healthy = False
        print(f"telegram: {error}")
    else:
        print(
            f"telegram: ok, {username} at {reach.method_url(config.telegram)} "
            f"(proxy: {reach.proxy_setting(config.telegram)})"
        )
    return 0 if healthy else 1


def _refused_at_start(config: Config) -> int | None:
    """Exit code 2 (and why, on stderr) for a config `run` cannot start with."""
    if config.telegram.token_is_placeholder:
        print(
            "config error:\ntelegram.token: still the example's placeholder "
            "(put the token from @BotFather in the file or in env BOT_TOKEN)",
            file=sys.stderr,
        )
        return 2
    if problem := pepper_problem(config.hotline) or keyring_problem(config):
        print(f"config error:\n{problem}", file=sys.stderr)
        return 2
    return None


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
        elif pepper_of(config.hotline) is not None and not keyring_problem(config):
            # The data step Alembic cannot do: complaints stored in clear sealed now, with the
            # server's key (without a pepper here, `run` seals them when it starts).
            sealed = await keyring.attach(db, config, hotline_policy(config.hotline))
            print(f"{sealed} complaint(s) stored in clear sealed with the data key")
    finally:
        await keyring.detach(db)
        await db.dispose()
    return 0


async def _import_units(config: Config, path: Path, *, dry_run: bool = False) -> int:
    try:
        parsed = read_units(path)
    except (OSError, CsvFileError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        outcome = await units.import_units(
            db, parsed.rows, now=SystemClock().now(), dry_run=dry_run, progress=Progress("units")
        )
    finally:
        await db.dispose()
    rejected = sorted([*parsed.rejected, *outcome.rejected])
    print(
        f"{len(outcome.added)} added, {len(outcome.updated)} updated, "
        f"{len(outcome.unchanged)} unchanged, {len(rejected)} rejected"
    )
    for line, reason in rejected:
        print(f"  line {line}: {reason}")
    if dry_run:
        print("--dry-run: nothing was changed")
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
    bot = reach.offline_bot(config.telegram)
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
