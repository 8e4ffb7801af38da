"""`python -m bot duties import FILE.csv`: mark boarding schools (with their position),
school-level cadres and inspection-team members from a CSV file, UTF-8, with the header

    kind,unit_code,telegram_user_id,latitude,longitude,radius_m
    boarding,SCH001,,36.0611,103.8343,300
    cadre,,123456789,,,
    inspector,,987654321,,,

A cadre or inspector must have joined the bot already (their Telegram id names them). Every
line is checked first; nothing is written when a line is wrong (the error names it).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Config
from storage import migrate
from storage.db import Database
from storage.duties import checkins, inspections
from storage.membership import members, units

HEADER = ("kind", "unit_code", "telegram_user_id", "latitude", "longitude", "radius_m")
KINDS = ("boarding", "cadre", "inspector")


@dataclass(frozen=True)
class DutyRow:
    line: int
    kind: str
    unit_code: str
    telegram_user_id: int | None
    latitude: float | None
    longitude: float | None
    radius_m: int | None


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register `duties import` on the main parser."""
    d = sub.add_parser("duties", help='"124" boarding duty and inspection team marks')
    dsub = d.add_subparsers(dest="duties_command", required=True, metavar="ACTION")
    imp = with_config(dsub.add_parser("import", help="mark boarding schools, cadres, inspectors"))
    imp.add_argument("file", type=Path, metavar="FILE.csv")


def _number(text: str, cast: Callable[[str], float | int]) -> float | int | None:
    return cast(text) if text.strip() else None


def parse(text: str) -> tuple[list[DutyRow], list[str]]:
    """The rows of the file, or the problems (one per bad line)."""
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != HEADER:
        return [], [f"line 1: the header must be {','.join(HEADER)}"]
    rows: list[DutyRow] = []
    problems: list[str] = []
    for line, raw in enumerate(reader, start=2):
        kind = (raw["kind"] or "").strip()
        try:
            user = _number(raw["telegram_user_id"] or "", int)
            lat = _number(raw["latitude"] or "", float)
            lon = _number(raw["longitude"] or "", float)
            radius = _number(raw["radius_m"] or "", int)
        except ValueError:
            problems.append(f"line {line}: numbers expected in the id, position and radius")
            continue
        row = DutyRow(
            line,
            kind,
            (raw["unit_code"] or "").strip(),
            None if user is None else int(user),
            None if lat is None else float(lat),
            None if lon is None else float(lon),
            None if radius is None else int(radius),
        )
        if kind not in KINDS:
            problems.append(f"line {line}: kind must be one of {', '.join(KINDS)}")
        elif kind == "boarding" and not row.unit_code:
            problems.append(f"line {line}: a boarding school needs its unit_code")
        elif kind == "boarding" and (row.latitude is None) != (row.longitude is None):
            problems.append(f"line {line}: give both latitude and longitude, or neither")
        elif kind != "boarding" and row.telegram_user_id is None:
            problems.append(f"line {line}: a {kind} needs a telegram_user_id")
        else:
            rows.append(row)
    return rows, problems


async def run(config: Config, args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.file}: cannot read: {exc}", file=sys.stderr)
        return 2
    rows, problems = parse(text)
    db = Database(config.storage.url)
    try:
        await migrate.upgrade(db)
        member_ids: dict[int, int] = {}
        for row in rows:
            if row.kind == "boarding":
                if await units.by_code(db, row.unit_code) is None:
                    problems.append(f"line {row.line}: no unit has the code {row.unit_code}")
            elif row.telegram_user_id is not None:
                found = await members.by_telegram_id(db, row.telegram_user_id)
                if found is None or found.member.id is None:
                    problems.append(
                        f"line {row.line}: nobody with Telegram id {row.telegram_user_id} "
                        "has joined the bot"
                    )
                else:
                    member_ids[row.line] = found.member.id
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        now = SystemClock().now()
        for row in rows:
            if row.kind == "boarding":
                await checkins.mark_boarding(
                    db,
                    row.unit_code,
                    on=True,
                    now=now,
                    latitude=row.latitude,
                    longitude=row.longitude,
                    radius_m=row.radius_m,
                )
            elif row.kind == "cadre":
                await checkins.set_cadre(db, member_ids[row.line], on=True, now=now)
            else:
                await inspections.set_inspector(db, member_ids[row.line], on=True, now=now)
        counts = {kind: sum(r.kind == kind for r in rows) for kind in KINDS}
        print(
            f"marked {counts['boarding']} boarding school(s), {counts['cadre']} cadre(s), "
            f"{counts['inspector']} inspector(s)"
        )
        return 0
    finally:
        await db.dispose()
