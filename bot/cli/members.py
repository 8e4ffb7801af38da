"""`python -m bot members …`: people management from the operator's console.

    members list [--unit CODE] [--role ROLE] [--inactive]
    members role MEMBER_ID ROLE
    members move MEMBER_ID UNIT_CODE
    members deactivate MEMBER_ID [--yes]
    members revoke-invite INVITE_ID
    members import FILE.csv [--dry-run] [--out DIR]

Every change is audited (actor "cli") and the person's command menu is updated right away when
Telegram can be reached (else at their next /start or /help). The import reads the header
name,unit,role,staff_number (or 姓名,单位,角色,工号; role and staff number optional) in UTF-8,
UTF-8 with BOM or GB18030, and makes one single-use invite per row.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from telegram.error import TelegramError

from bot.cli.progress import Progress
from bot.cli.sheet import Card, invite_sheet
from bot.cli.units_csv import CsvFileError, read_table
from bot.clock import SystemClock
from bot.config import Config
from bot.ops import reach
from domain.membership.invites import deep_link
from domain.membership.people import MemberRow, MemberRowError, parse_member_row
from domain.membership.roles import INVITABLE_ROLES, Role
from handlers.i18n import Catalogs
from handlers.ui.menu import refresh
from storage import migrate
from storage.db import Database
from storage.errors import NotFoundError
from storage.membership import invites, people, units
from storage.membership.people import Actor

CLI = Actor(None, "cli")
HEADER_NAMES: dict[str, str] = {
    "name": "name",
    "unit": "unit",
    "unit_code": "unit",
    "role": "role",
    "staff_number": "staff_number",
    "姓名": "name",
    "单位": "unit",
    "单位代码": "unit",
    "角色": "role",
    "工号": "staff_number",
}
REQUIRED = ("name", "unit")
IMPORT_HELP = (
    "make one single-use invite per row of a members CSV; writes invites.csv (links) and "
    "invites.pdf (a QR code per person) to --out. Every row is checked first: a file with a "
    "bad row (line, column and reason are printed) makes no invite at all"
)


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register `members …` on the main parser."""
    m = sub.add_parser("members", help="list and change members; bulk invites")
    msub = m.add_subparsers(dest="members_command", required=True, metavar="ACTION")
    ls = with_config(msub.add_parser("list", help="members by unit and role"))
    ls.add_argument("--unit", metavar="CODE", help="only this unit and the units under it")
    ls.add_argument("--role", choices=[r.value for r in INVITABLE_ROLES])
    ls.add_argument("--inactive", action="store_true", help="deactivated members instead")
    role = with_config(msub.add_parser("role", help="change a member's role"))
    role.add_argument("member_id", type=int, metavar="MEMBER_ID")
    role.add_argument("role", choices=[r.value for r in INVITABLE_ROLES])
    move = with_config(msub.add_parser("move", help="move a member to another unit"))
    move.add_argument("member_id", type=int, metavar="MEMBER_ID")
    move.add_argument("unit_code", metavar="UNIT_CODE")
    off = with_config(msub.add_parser("deactivate", help="end a member's access at once"))
    off.add_argument("member_id", type=int, metavar="MEMBER_ID")
    off.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rv = with_config(msub.add_parser("revoke-invite", help="withdraw an invite"))
    rv.add_argument("invite_id", type=int, metavar="INVITE_ID")
    imp = with_config(msub.add_parser("import", help=IMPORT_HELP, description=IMPORT_HELP))
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--dry-run", action="store_true", help="check every row, make nothing")
    imp.add_argument("--out", type=Path, default=Path("."), metavar="DIR")
    imp.add_argument("--days", type=int, help="days until the invites expire (default: config)")


@dataclass
class ParsedMembers:
    rows: list[tuple[int, MemberRow]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def read_members(path: Path) -> ParsedMembers:
    """Every row of a members file checked."""
    rows, rejected = read_table(
        path,
        names=HEADER_NAMES,
        required=REQUIRED,
        parse=parse_member_row,
        errors=MemberRowError,
    )
    return ParsedMembers(rows=rows, rejected=rejected)


async def run(config: Config, args: argparse.Namespace) -> int:
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        match args.members_command:
            case "list":
                return await _list(db, args)
            case "import":
                return await _import(config, db, args)
            case "revoke-invite":
                try:
                    await people.revoke_invite(
                        db, args.invite_id, actor=CLI, now=SystemClock().now()
                    )
                except NotFoundError:
                    print(f"no invite with id {args.invite_id}", file=sys.stderr)
                    return 1
                print(f"invite {args.invite_id} withdrawn")
                return 0
            case _:
                return await _change(config, db, args)
    finally:
        await db.dispose()


async def _list(db: Database, args: argparse.Namespace) -> int:
    scope = None
    if args.unit:
        unit = await units.by_code(db, args.unit)
        if unit is None or unit.id is None:
            print(f"no unit with code {args.unit!r}", file=sys.stderr)
            return 1
        scope = sorted(await units.subtree_ids(db, unit.id))
    found = await people.listing(
        db,
        unit_ids=scope,
        role=Role(args.role) if args.role else None,
        active=not args.inactive,
    )
    for p in found:
        marks = [p.member.role] + (["cadre"] if p.cadre else []) + (["inspector"] * p.inspector)
        print(f"{p.id}\t{p.unit.code}\t{p.member.display_name}\t{','.join(marks)}")
    print(f"{len(found)} member(s)")
    return 0


async def _change(config: Config, db: Database, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    target = await people.person(db, args.member_id)
    if target is None or not target.member.active:
        print(f"no active member with id {args.member_id}", file=sys.stderr)
        return 1
    label = f"{target.member.display_name} ({target.unit.code}, {target.member.role})"
    match args.members_command:
        case "role":
            done = await people.change_role(db, target.id, Role(args.role), actor=CLI, now=now)
            print(f"{label} is now {done.member.role}")
        case "move":
            unit = await units.by_code(db, args.unit_code)
            if unit is None or unit.id is None:
                print(f"no unit with code {args.unit_code!r}", file=sys.stderr)
                return 1
            moved = await people.move(db, target.id, unit.id, actor=CLI, now=now)
            print(f"{label} moved to {moved.unit.code} {moved.unit.name}")
        case _:
            heads = await people.heads_of(db, target.unit.id or 0)
            if not args.yes:
                warning = (
                    " (the unit's last unit head)"
                    if target.role is Role.UNIT_HEAD and heads <= 1
                    else ""
                )
                if not sys.stdin.isatty():
                    print(f"deactivating {label}{warning} needs --yes", file=sys.stderr)
                    return 2
                asked = f"deactivate {label}{warning}? type yes: "
                if (await asyncio.to_thread(input, asked)).strip() != "yes":
                    print("nothing changed")
                    return 1
            off = await people.deactivate(db, target.id, actor=CLI, now=now)
            print(f"{label} deactivated")
            if off.open_ledger_items:
                print(
                    f"{len(off.open_ledger_items)} open ledger item(s) still name them: "
                    f"{', '.join(map(str, off.open_ledger_items))}; the unit head reassigns them"
                )
    await _refresh_menu(config, db, target.member.telegram_user_id)
    return 0


async def _refresh_menu(config: Config, db: Database, telegram_user_id: int) -> None:
    """Update the person's menu now if Telegram answers (else at their next /start)."""
    catalogs = Catalogs(default_language=config.campaign.language, timezone=config.campaign.tz)
    bot = reach.offline_bot(config.telegram)
    try:
        async with bot:
            await refresh(
                bot,
                db=db,
                catalogs=catalogs,
                admins=frozenset(config.access.admins),
                telegram_user_id=telegram_user_id,
            )
    except TelegramError as error:
        print(f"(menu not updated now: {error.message}; it is at their next /start)")


async def _import(config: Config, db: Database, args: argparse.Namespace) -> int:
    try:
        parsed = read_members(args.file)
    except (OSError, CsvFileError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    known = {u.code for u in await units.all_units(db)}
    rejected = list(parsed.rejected)
    rejected += [
        (line, f"unit: unknown unit code {row.unit_code!r}")
        for line, row in parsed.rows
        if row.unit_code not in known
    ]
    rejected.sort()
    for line, reason in rejected:
        print(f"  line {line}: {reason}")
    if rejected:
        print(f"{len(rejected)} bad row(s): no invite made", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"{len(parsed.rows)} row(s) valid; --dry-run: no invite made")
        return 0
    days = args.days if args.days is not None else config.invites.ttl_days
    username = config.telegram.username
    if not username:
        print("set [telegram] username: the links need the bot's name", file=sys.stderr)
        return 2
    made = await invites.create_invites(
        db,
        [(row.unit_code, row.role) for _, row in parsed.rows],
        ttl=timedelta(days=days),
        now=SystemClock().now(),
        created_by="cli",
        progress=Progress("invites"),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    links = args.out / "invites.csv"
    cards: list[Card] = []
    with links.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "staff_number", "unit", "role", "invite_id", "link"])
        for (_, row), invite in zip(parsed.rows, made, strict=True):
            link = deep_link(username, invite.token)
            writer.writerow(
                [
                    row.name,
                    row.staff_number or "",
                    invite.unit.code,
                    row.role.value,
                    invite.invite.id,
                    link,
                ]
            )
            cards.append(Card(row.name, invite.unit.name, link))
    sheet = args.out / "invites.pdf"
    sheet.write_bytes(invite_sheet(cards, config.campaign.name))
    print(f"{len(made)} invite(s) made, single use, {days} day(s); links in {links}, sheet {sheet}")
    return 0
