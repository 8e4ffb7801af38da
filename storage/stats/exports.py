"""The rows of the exports, read in batches so that memory stays flat however long the ledger:
the rectification ledger (整改台账) by unit and 序号, and the case register by opening day.

Each batch is its own short read (keyset pagination, no OFFSET): a writer can stream a
hundred thousand rows without holding them. Nothing here names a complainant: a complaint's
number is its staff pseudonym, and no receipt, hash, author or instant is selected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.cases import sealing
from storage.db import Database
from storage.models import (
    Accountability,
    Case,
    CaseFinding,
    CaseIntake,
    ComplaintRating,
    Evidence,
    LedgerItem,
    LedgerProgress,
    Member,
    SignOff,
    Unit,
)

BATCH = 1000
UNSIGNED: tuple[None, None] = (None, None)  # (version, when) of a unit that never signed


class LedgerRow(NamedTuple):
    """One line of the ledger, in the order it is selected: a tuple, so that a hundred
    thousand of them cost a tuple each to build."""

    unit_code: str
    unit_name: str
    seq: int
    category_key: str
    description: str
    measure: str | None
    deadline: date | None
    responsible: str | None
    progress: str | None  # the latest progress note
    status: str
    verified_at: datetime | None
    source_number: str | None  # the case it came from, if any
    source_kind: str | None = None  # that case's kind: report | complaint | finding
    requirement: str | None = None  # the bureau's 整改要求 of a dispatched item
    evidence: int = 0  # files attached to the item
    signed_version: int | None = None  # the unit's latest sign-off (签字确认) of its list
    signed_at: datetime | None = None


@dataclass(frozen=True)
class CaseRow:
    number: str
    kind: str
    category_key: str
    unit_code: str | None
    unit_name: str | None
    status: str
    opened_on: date
    answered_on: date | None
    closed_on: date | None
    description: str
    closing_summary: str | None
    channel: str = "chat"  # where it came from (an intake's channel)
    owner: str | None = None
    acknowledged_on: date | None = None
    finding: str | None = None
    accountability: tuple[tuple[str, str], ...] = ()  # (handling key, person or unit)
    rating: str | None = None  # a complaint's satisfaction
    rehandled: int = 0  # how often dissatisfaction reopened it (重办)


@dataclass(frozen=True)
class AccountabilityRow:
    """A row of the accountability register (问责台账)."""

    number: str
    kind: str
    case_unit: str | None
    finding: str | None
    handling_key: str
    person: str | None
    unit: str | None
    decided_on: date
    closed_on: date | None


async def ledger_rows(
    db: Database,
    *,
    unit_id: int | None = None,
    batch: int = BATCH,
    returned: bool = False,
    unit_ids: Collection[int] | None = None,
) -> AsyncIterator[list[LedgerRow]]:
    """The ledger, all units, one, or those of `unit_ids` (a district's), ordered by unit
    code and 序号, `batch` rows at a time; with `returned`, the items a unit sent back to the
    desk (退单) too, with their status.

    The database does the per-row work (the latest note and the number of files are
    look-ups on indexes; the units' latest sign-offs are read once) and the rows come through
    the Core connection, each taken as a `LedgerRow` as it is: no ORM step per row."""
    item = LedgerItem
    source = aliased(Case)
    latest = (
        select(col(LedgerProgress.note))
        .where(col(LedgerProgress.item_id) == col(item.id))
        .order_by(col(LedgerProgress.at).desc(), col(LedgerProgress.id).desc())
        .limit(1)
        .correlate(item)
        .scalar_subquery()
    )
    files = (
        select(func.count())
        .where(col(Evidence.ledger_item_id) == col(item.id))
        .correlate(item)
        .scalar_subquery()
    )
    query: Any = (
        select(  # in LedgerRow's order, then the unit (for its sign-off)
            col(Unit.code),
            col(Unit.name),
            col(item.seq),
            col(item.category_key),
            col(item.description),
            col(item.measure),
            col(item.deadline),
            func.coalesce(func.nullif(col(item.responsible_name), ""), col(Member.display_name)),
            latest,
            col(item.status),
            col(item.verified_at),
            col(source.number),
            col(source.kind),
            col(item.requirement),
            files,
            col(item.unit_id),
        )
        .join(Unit, col(Unit.id) == col(item.unit_id))
        .outerjoin(Member, col(Member.id) == col(item.responsible_member_id))
        .outerjoin(source, col(source.id) == col(item.source_case_id))
        .order_by(col(Unit.code), col(item.seq))
        .limit(batch)
    )
    if not returned:
        query = query.where(col(item.status) != "returned")  # 退单: off the list
    if unit_id is not None:
        query = query.where(col(item.unit_id) == unit_id)
    if unit_ids is not None:
        query = query.where(col(item.unit_id).in_(sorted(unit_ids)))
    signed = await _signoffs(db)
    page = query
    while True:
        async with db.engine.connect() as conn:
            found = (await conn.execute(page)).all()
        rows = [LedgerRow(*row, *signed.get(unit, UNSIGNED)) for *row, unit in found]
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        last = rows[-1]
        page = query.where(  # the first condition lets the units be read from the last one
            col(Unit.code) >= last.unit_code,
            tuple_(col(Unit.code), col(item.seq)) > tuple_(last.unit_code, last.seq),
        )


async def _signoffs(db: Database) -> dict[int, tuple[int, datetime]]:
    """Each unit's latest sign-off of its list, (version, when) (a few hundred units)."""
    query: Any = select(col(SignOff.unit_id), col(SignOff.version), col(SignOff.at)).order_by(
        col(SignOff.version)
    )
    async with db.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {unit: (version, at) for unit, version, at in rows}


async def case_rows(
    db: Database, *, unit_id: int | None = None, batch: int = BATCH
) -> AsyncIterator[list[CaseRow]]:
    """The case register, all units or one, `batch` rows at a time, by opening day and then
    number: within a day a complaint's pseudonym is random, so the order never tells the order
    of filing."""
    last: tuple[date, str] | None = None
    while True:
        query: Any = (
            select(
                col(Case.number),
                col(Case.kind),
                col(Case.category_key),
                col(Unit.code),
                col(Unit.name),
                col(Case.status),
                col(Case.opened_on),
                col(Case.answered_on),
                col(Case.closed_on),
                col(Case.description),
                col(Case.closing_summary),
                col(CaseIntake.channel),
                col(Member.display_name),
                col(Case.acknowledged_on),
                col(CaseFinding.finding),
                col(ComplaintRating.rating),
                col(Case.rehandled),
                col(Case.id),
            )
            .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
            .outerjoin(CaseIntake, col(CaseIntake.case_id) == col(Case.id))
            .outerjoin(Member, col(Member.id) == col(Case.owner_member_id))
            .outerjoin(CaseFinding, col(CaseFinding.case_id) == col(Case.id))
            .outerjoin(ComplaintRating, col(ComplaintRating.case_id) == col(Case.id))
            .order_by(col(Case.opened_on), col(Case.number))
            .limit(batch)
        )
        if unit_id is not None:
            query = query.where(col(Case.unit_id) == unit_id)
        if last is not None:
            query = query.where(tuple_(col(Case.opened_on), col(Case.number)) > tuple_(*last))
        async with db.session() as session:
            rows = (await session.exec(query)).all()
            held = await _accountability_of(session, [r[-1] for r in rows])
        if not rows:
            return
        words = await sealing.opener(db, [r[-1] for r in rows if r[1] == sealing.COMPLAINT])
        yield [
            CaseRow(
                number=row[0],
                kind=row[1],
                category_key=row[2],
                unit_code=row[3],
                unit_name=row[4],
                status=row[5],
                opened_on=row[6],
                answered_on=row[7],
                closed_on=row[8],
                description=words.text(row[-1], "description", row[9]),
                closing_summary=words.maybe(row[-1], "closing_summary", row[10]),
                channel=row[11] or "chat",
                owner=row[12],
                acknowledged_on=row[13],
                finding=row[14],
                accountability=tuple(held.get(row[-1], ())),
                rating=row[15],
                rehandled=row[16] or 0,
            )
            for row in rows
        ]
        if len(rows) < batch:
            return
        last = (rows[-1][6], rows[-1][0])


async def _accountability_of(session: Any, case_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each case's (handling, person or unit) pairs, in the order they were recorded."""
    if not case_ids:
        return {}
    rows = (
        await session.exec(
            select(
                col(Accountability.case_id),
                col(Accountability.handling_key),
                col(Accountability.person_name),
                col(Unit.name),
            )
            .outerjoin(Unit, col(Unit.id) == col(Accountability.unit_id))
            .where(col(Accountability.case_id).in_(case_ids))
            .order_by(col(Accountability.id))
        )
    ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for case_id, key, person, unit in rows:
        found.setdefault(case_id, []).append((key, person or unit or ""))
    return found


async def accountability_rows(
    db: Database, *, unit_id: int | None = None, batch: int = BATCH
) -> AsyncIterator[list[AccountabilityRow]]:
    """The accountability register (问责台账): one row per handling of one person or unit,
    in the order recorded, `batch` rows at a time (about one unit's cases, or all)."""
    held_unit = aliased(Unit)
    last = 0
    while True:
        query: Any = (
            select(
                col(Case.number),
                col(Case.kind),
                col(Unit.name),
                col(CaseFinding.finding),
                col(Accountability.handling_key),
                col(Accountability.person_name),
                col(held_unit.name),
                col(Accountability.decided_on),
                col(Case.closed_on),
                col(Accountability.id),
            )
            .join(Case, col(Case.id) == col(Accountability.case_id))
            .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
            .outerjoin(held_unit, col(held_unit.id) == col(Accountability.unit_id))
            .outerjoin(CaseFinding, col(CaseFinding.case_id) == col(Case.id))
            .where(col(Accountability.id) > last)
            .order_by(col(Accountability.id))
            .limit(batch)
        )
        if unit_id is not None:
            query = query.where(col(Case.unit_id) == unit_id)
        async with db.session() as session:
            rows = (await session.exec(query)).all()
        if not rows:
            return
        yield [
            AccountabilityRow(
                number=r[0],
                kind=r[1],
                case_unit=r[2],
                finding=r[3],
                handling_key=r[4],
                person=r[5],
                unit=r[6],
                decided_on=r[7],
                closed_on=r[8],
            )
            for r in rows
        ]
        if len(rows) < batch:
            return
        last = rows[-1][-1]
