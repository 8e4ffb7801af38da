"""What `/overdue` lists: open ledger items past their deadline, by unit, a page at a time,
and the open cases whose clocks the rules check (only staff see cases)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from domain.ledger.extensions import due_for_rating
from domain.reminders.due import OPEN_CASE_STATUSES, OPEN_ITEM_STATUSES, CaseFacts
from storage.db import Database
from storage.models import Case, LedgerItem, Unit
from storage.models.reminders import ReminderPause


@dataclass(frozen=True)
class OverdueItem:
    id: int
    unit_code: str
    unit_name: str
    seq: int
    description: str
    deadline: date
    unit_id: int = 0  # a district head's chase button names the school


@dataclass(frozen=True)
class OverduePage:
    total: int
    offset: int
    items: tuple[OverdueItem, ...]
    paused_units: tuple[str, ...]


async def items_page(
    db: Database,
    *,
    today: date,
    unit_id: int | None,
    offset: int,
    limit: int,
    unit_ids: Collection[int] | None = None,
) -> OverduePage:
    """Overdue open items (all units, or one), ordered by unit code, deadline and number.
    Overdue against the deadline lateness counts against: a later day the unit set alone,
    without an approved extension, does not take an item off this list."""
    due = func.coalesce(col(LedgerItem.due_on), col(LedgerItem.deadline))
    where = [col(LedgerItem.status).in_(sorted(OPEN_ITEM_STATUSES)), due < today]
    if unit_id is not None:
        where.append(col(LedgerItem.unit_id) == unit_id)
    if unit_ids is not None:
        where.append(col(LedgerItem.unit_id).in_(sorted(unit_ids)))
    async with db.session() as session:
        total = (
            await session.exec(select(func.count()).select_from(LedgerItem).where(*where))
        ).one()
        rows = (
            await session.exec(
                select(LedgerItem, Unit.code, Unit.name)
                .join(Unit, col(Unit.id) == col(LedgerItem.unit_id))
                .where(*where)
                .order_by(col(Unit.code), due, col(LedgerItem.seq))
                .offset(offset)
                .limit(limit)
            )
        ).all()
        paused = (
            await session.exec(
                select(Unit.code)
                .join(ReminderPause, col(ReminderPause.unit_id) == col(Unit.id))
                .order_by(col(Unit.code))
            )
        ).all()
    items = tuple(
        OverdueItem(i.id, code, name, i.seq, i.description, day, i.unit_id)
        for i, code, name in rows
        if i.id is not None and (day := due_for_rating(i.deadline, i.due_on)) is not None
    )
    return OverduePage(total=int(total), offset=offset, items=items, paused_units=tuple(paused))


async def open_cases(db: Database, kinds: Collection[str]) -> Sequence[CaseFacts]:
    """Open cases of the kinds that have a clock (their overdue-ness is a rule's question)."""
    if not kinds:
        return ()
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Case)
                .where(col(Case.kind).in_(sorted(kinds)))
                .where(col(Case.status).in_(sorted(OPEN_CASE_STATUSES)))
                .order_by(col(Case.opened_on), col(Case.id))
            )
        ).all()
    return tuple(
        CaseFacts(
            id=c.id,
            kind=c.kind,
            number=c.number,
            status=c.status,
            opened_on=c.opened_on,
            acknowledged_on=c.acknowledged_on,
            answered_on=c.answered_on,
            owner_member_id=c.owner_member_id,
        )
        for c in rows
        if c.id is not None
    )
