"""Unannounced inspections: rounds, the inspection team, and filing a finding as a case of
kind "finding" (with its photos as evidence and its round) in one transaction; findings per
round and unit. What happens next is the staff desk's: accept, dispatch to the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.audit import AuditAction
from domain.cases.lifecycle import CaseStatus
from domain.duties import inspections as rules
from storage.cases import numbers as case_numbers
from storage.db import Database
from storage.duties import marks as member_marks
from storage.models import (
    Case,
    Evidence,
    InspectionFinding,
    InspectionRound,
    Inspector,
    Member,
    Unit,
)


@dataclass(frozen=True)
class Round:
    id: int
    name: str
    closed: bool


@dataclass(frozen=True)
class RoundCount:
    round: Round
    total: int
    per_unit: tuple[tuple[str, int], ...]  # unit name, findings; most first


@dataclass(frozen=True)
class Photo:
    file_id: str
    size: int | None = None


@dataclass(frozen=True)
class Filed:
    case_id: int
    number: str


async def create_round(db: Database, name: str, *, created_by: int, now: datetime) -> Round | None:
    """A new open round; None when the name is taken."""
    async with db.session() as session:
        row = InspectionRound(name=name, created_at=now, created_by=created_by)
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return None
        assert row.id is not None
        return Round(row.id, row.name, row.closed)


async def open_rounds(db: Database) -> list[Round]:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(InspectionRound)
                .where(col(InspectionRound.closed).is_(False))
                .order_by(col(InspectionRound.id).desc())
            )
        ).all()
    return [Round(r.id, r.name, r.closed) for r in rows if r.id is not None]


async def round_by_id(db: Database, round_id: int) -> Round | None:
    async with db.session() as session:
        row = await session.get(InspectionRound, round_id)
    return None if row is None or row.id is None else Round(row.id, row.name, row.closed)


async def round_counts(db: Database, *, limit: int = 10) -> list[RoundCount]:
    """The latest rounds with their findings counted per unit."""
    async with db.session() as session:
        rounds = (
            await session.exec(
                select(InspectionRound).order_by(col(InspectionRound.id).desc()).limit(limit)
            )
        ).all()
        ids = [r.id for r in rounds if r.id is not None]
        counts = (
            await session.exec(
                select(InspectionFinding.round_id, Unit.name, func.count())
                .join(Case, col(Case.id) == col(InspectionFinding.case_id))
                .join(Unit, col(Unit.id) == col(Case.unit_id))
                .where(col(InspectionFinding.round_id).in_(ids))
                .group_by(col(InspectionFinding.round_id), col(Unit.name))
            )
        ).all()
    out: list[RoundCount] = []
    for r in rounds:
        assert r.id is not None
        mine = sorted(
            ((name, n) for rid, name, n in counts if rid == r.id), key=lambda x: (-x[1], x[0])
        )
        out.append(RoundCount(Round(r.id, r.name, r.closed), sum(n for _, n in mine), tuple(mine)))
    return out


async def set_inspector(
    db: Database, member_id: int, *, on: bool, now: datetime, actor_member_id: int | None = None
) -> bool:
    """Grant or withdraw the inspection-team mark; False if no such active member."""
    return await member_marks.set_mark(
        db,
        member_id,
        table=Inspector,
        make=lambda: Inspector(member_id=member_id, granted_at=now),
        on=on,
        actions=(AuditAction.INSPECTOR, AuditAction.NOT_INSPECTOR),
        now=now,
        actor_member_id=actor_member_id,
    )


async def inspector_ids(db: Database, unit_id: int) -> frozenset[int]:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Inspector.member_id)
                .join(Member, col(Member.id) == col(Inspector.member_id))
                .where(Member.unit_id == unit_id)
            )
        ).all()
    return frozenset(rows)


async def is_inspector(db: Database, member_id: int) -> bool:
    async with db.session() as session:
        return await session.get(Inspector, member_id) is not None


async def file_finding(
    db: Database,
    *,
    round_id: int,
    inspector_member_id: int,
    unit_id: int,
    category_key: str,
    description: str,
    observed_at: datetime,
    photos: Sequence[Photo],
    today: date,
    now: datetime,
) -> Filed:
    """The finding as a case (received) with its photos and round, in one transaction; the
    number is the year's next F-number from its counter (storage/cases/numbers.py)."""
    if category_key not in rules.CATEGORY_KEYS:
        raise ValueError(f"unknown inspection category {category_key!r}")
    case_id, number = await case_numbers.file_case(
        db,
        prefix=rules.number_prefix(today.year),
        number=lambda sequence: rules.finding_number(today.year, sequence),
        case=lambda number: Case(
            kind=rules.KIND,
            number=number,
            category_key=category_key,
            unit_id=unit_id,
            status=CaseStatus.RECEIVED.value,
            description=rules.described(category_key, description),
            opened_on=today,
            opened_at=now,
        ),
        rows=lambda case_id: [
            InspectionFinding(
                case_id=case_id,
                round_id=round_id,
                inspector_member_id=inspector_member_id,
                observed_at=observed_at,
            ),
            *(
                Evidence(
                    case_id=case_id,
                    kind="photo",
                    telegram_file_id=photo.file_id,
                    size=photo.size,
                    added_on=today,
                )
                for photo in photos
            ),
        ],
        action=AuditAction.FINDING_FILED,
        actor_member_id=inspector_member_id,
        now=now,
    )
    return Filed(case_id, number)
