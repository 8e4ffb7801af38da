"""The inbox's lists: cases by kind, status, category, unit, assignee and overdue-ness, a page
at a time, filtered and counted in SQL (the existing indexes on `cases` — kind+status,
unit+status, owner, opened_on — serve every combination); and the units that have cases, for
the filter menu's unit picker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlmodel import col, select

from domain.desk.filters import LateRule
from domain.desk.rules import INBOX_KINDS, INBOX_STATUSES
from domain.ledger.rules import LedgerStatus
from domain.membership.roles import Role
from storage.db import Database
from storage.models import Case, LedgerItem, Member, Unit


@dataclass(frozen=True)
class InboxLine:
    case_id: int
    kind: str
    number: str
    category_key: str
    unit_name: str | None
    status: str
    opened_on: date
    owner_member_id: int | None


@dataclass(frozen=True)
class InboxPage:
    items: tuple[InboxLine, ...]
    total: int


@dataclass(frozen=True)
class CaseQuery:
    """A filter with its references resolved: `owner` a member id, `unowned` for nobody's
    cases, `late` the clocks' rules when only overdue cases are wanted."""

    kinds: tuple[str, ...] = INBOX_KINDS
    statuses: tuple[str, ...] = tuple(s.value for s in INBOX_STATUSES)
    category_key: str | None = None
    unit_id: int | None = None
    owner: int | None = None
    unowned: bool = False
    late: tuple[LateRule, ...] | None = None


def _late(rules: tuple[LateRule, ...]) -> ColumnElement[bool]:
    """A case of a kind with a clock that is not done and was opened too long ago."""
    arms: list[ColumnElement[bool]] = []
    for rule in rules:
        missed: list[ColumnElement[bool]] = []
        if rule.ack_opened_by is not None:
            missed.append(
                and_(
                    col(Case.acknowledged_on).is_(None),
                    col(Case.opened_on) <= rule.ack_opened_by,
                )
            )
        if rule.answer_opened_by is not None:
            missed.append(
                and_(
                    col(Case.answered_on).is_(None),
                    col(Case.opened_on) <= rule.answer_opened_by,
                )
            )
        if missed:
            arms.append(and_(col(Case.kind) == rule.kind, or_(*missed)))
    return or_(*arms) if arms else false()


def _where(query: CaseQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        col(Case.kind).in_(query.kinds),
        col(Case.status).in_(query.statuses),
    ]
    if query.category_key is not None:
        where.append(col(Case.category_key) == query.category_key)
    if query.unit_id is not None:
        where.append(col(Case.unit_id) == query.unit_id)
    if query.owner is not None:
        where.append(col(Case.owner_member_id) == query.owner)
    if query.unowned:
        where.append(col(Case.owner_member_id).is_(None))
    if query.late is not None:
        where.append(_late(query.late))
    return where


async def list_cases(db: Database, query: CaseQuery, *, offset: int, limit: int) -> InboxPage:
    """One page of the cases `query` selects, newest day first, and how many there are."""
    where = _where(query)
    async with db.session() as session:
        total = (await session.exec(select(func.count()).select_from(Case).where(*where))).one()
        rows = (
            await session.exec(
                select(Case, Unit)
                .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
                .where(*where)
                .order_by(col(Case.opened_on).desc(), col(Case.number).desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
    items = tuple(
        InboxLine(
            case_id=case.id or 0,
            kind=case.kind,
            number=case.number,
            category_key=case.category_key,
            unit_name=unit.name if unit is not None else None,
            status=case.status,
            opened_on=case.opened_on,
            owner_member_id=case.owner_member_id,
        )
        for case, unit in rows
    )
    return InboxPage(items=items, total=int(total))


async def list_open(
    db: Database,
    *,
    kind: str | None = None,
    owner_member_id: int | None = None,
    offset: int = 0,
    limit: int = 8,
) -> InboxPage:
    """Open cases (received … answered), newest day first; optionally of one kind or owner."""
    query = CaseQuery(kinds=(kind,) if kind is not None else INBOX_KINDS, owner=owner_member_id)
    return await list_cases(db, query, offset=offset, limit=limit)


@dataclass(frozen=True)
class UnitChoice:
    unit_id: int
    code: str
    name: str
    cases: int


async def units_with_cases(db: Database, query: CaseQuery, *, limit: int) -> tuple[UnitChoice, ...]:
    """The units concerned by the cases `query` selects (its unit ignored), most cases first."""
    where = _where(CaseQuery(**{**query.__dict__, "unit_id": None}))
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Unit.id, Unit.code, Unit.name, func.count(col(Case.id)))
                .join(Case, col(Case.unit_id) == col(Unit.id))
                .where(*where)
                .group_by(col(Unit.id), col(Unit.code), col(Unit.name))
                .order_by(func.count(col(Case.id)).desc(), col(Unit.code))
                .limit(limit)
            )
        ).all()
    return tuple(UnitChoice(int(i), c, n, int(k)) for i, c, n, k in rows if i is not None)


@dataclass(frozen=True)
class Colleague:
    member_id: int
    name: str
    unit_name: str


async def officers_besides(db: Database, member_id: int | None) -> tuple[Colleague, ...]:
    """The active case officers other than `member_id`, by unit and name."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Member, Unit)
                .join(Unit, col(Unit.id) == col(Member.unit_id))
                .where(Member.role == Role.CASE_OFFICER.value)
                .where(col(Member.active).is_(True))
                .order_by(col(Unit.code), col(Member.display_name))
            )
        ).all()
    return tuple(
        Colleague(m.id, m.display_name, u.name)
        for m, u in rows
        if m.id is not None and m.id != member_id
    )


@dataclass(frozen=True)
class VerifyLine:
    """A rectified ledger item awaiting staff verification (销号)."""

    item_id: int
    unit_name: str
    seq: int
    description: str
    case_number: str | None  # None: an item the unit listed itself
    rectified_at: datetime | None


@dataclass(frozen=True)
class VerifyPage:
    items: tuple[VerifyLine, ...]
    total: int


async def awaiting_verification(db: Database, *, offset: int, limit: int) -> VerifyPage:
    """The verification queue: every rectified item — dispatched cases' and the ones units
    listed themselves — longest waiting first (served by the items' status+deadline index)."""
    where = col(LedgerItem.status) == LedgerStatus.RECTIFIED.value
    async with db.session() as session:
        total = (
            await session.exec(select(func.count()).select_from(LedgerItem).where(where))
        ).one()
        rows = (
            await session.exec(
                select(LedgerItem, Unit.name, Case.number)
                .join(Unit, col(Unit.id) == col(LedgerItem.unit_id))
                .outerjoin(Case, col(Case.id) == col(LedgerItem.source_case_id))
                .where(where)
                .order_by(col(LedgerItem.rectified_at), col(LedgerItem.id))
                .offset(offset)
                .limit(limit)
            )
        ).all()
    return VerifyPage(
        items=tuple(
            VerifyLine(
                item_id=item.id or 0,
                unit_name=unit_name,
                seq=item.seq,
                description=item.description,
                case_number=number,
                rectified_at=item.rectified_at,
            )
            for item, unit_name, number in rows
        ),
        total=int(total),
    )
