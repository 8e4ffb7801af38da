"""What `/stats` reads: the facts of every case (with its rating, and the tombstones of purged
complaints) and of every ledger item, for all units or one, as plain `domain.stats` facts.

Only the columns the arithmetic needs are selected: never a description, a receipt or a
person."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from domain.membership.units import files_problem_list
from domain.stats import Accountable, CaseFact, ItemFact
from storage.db import Database
from storage.models import (
    Accountability,
    Case,
    CaseFinding,
    ComplaintRating,
    ComplaintTombstone,
    LedgerItem,
    Unit,
)


@dataclass(frozen=True)
class UnitName:
    id: int
    code: str
    name: str
    kind: str = ""


@dataclass(frozen=True)
class Facts:
    cases: tuple[CaseFact, ...]
    items: tuple[ItemFact, ...]
    units: dict[int, UnitName]
    findings: tuple[str, ...] = ()  # what closed cases were found to be (属实 …)
    accountable: tuple[Accountable, ...] = ()  # 问责: handling and unit, one per row

    @property
    def listing_units(self) -> frozenset[int]:
        """The units read that must file a problem list, with items or not (the bureau itself
        does not: `files_problem_list`, as the sign-off reminders)."""
        return frozenset(uid for uid, u in self.units.items() if files_problem_list(u.kind))


async def facts(
    db: Database, *, unit_id: int | None, unit_ids: Collection[int] | None = None
) -> Facts:
    """Every case, tombstone and ledger item of one unit, of `unit_ids` (a district's, which
    then replaces `unit_id`) or of all, in one read."""
    async with db.session() as session:
        case_query: Any = select(
            col(Case.kind),
            col(Case.category_key),
            col(Case.unit_id),
            col(Case.status),
            col(Case.opened_on),
            col(Case.acknowledged_on),
            col(Case.answered_on),
            col(Case.closed_on),
            col(ComplaintRating.rating),
            col(Case.rehandled),
        ).outerjoin(ComplaintRating, col(ComplaintRating.case_id) == col(Case.id))
        tomb_query: Any = select(
            col(ComplaintTombstone.category_key),
            col(ComplaintTombstone.unit_id),
            col(ComplaintTombstone.status),
            col(ComplaintTombstone.opened_on),
            col(ComplaintTombstone.closed_on),
            col(ComplaintTombstone.rating),
        )
        item_query: Any = select(
            col(LedgerItem.unit_id),
            col(LedgerItem.category_key),
            col(LedgerItem.status),
            col(LedgerItem.deadline),
            col(LedgerItem.created_at),
            col(LedgerItem.verified_at),
            col(LedgerItem.due_on),
        ).where(col(LedgerItem.status) != "returned")  # 退单: not the unit's problem any more
        unit_query: Any = select(col(Unit.id), col(Unit.code), col(Unit.name), col(Unit.kind))
        finding_query: Any = select(col(CaseFinding.finding)).join(
            Case, col(Case.id) == col(CaseFinding.case_id)
        )
        held_query: Any = select(
            col(Accountability.handling_key),
            func.coalesce(col(Accountability.unit_id), col(Case.unit_id)),
        ).join(Case, col(Case.id) == col(Accountability.case_id))
        if unit_ids is not None:
            within = sorted(unit_ids)
            case_query = case_query.where(col(Case.unit_id).in_(within))
            tomb_query = tomb_query.where(col(ComplaintTombstone.unit_id).in_(within))
            item_query = item_query.where(col(LedgerItem.unit_id).in_(within))
            unit_query = unit_query.where(col(Unit.id).in_(within))
            finding_query = finding_query.where(col(Case.unit_id).in_(within))
            held_query = held_query.where(col(Case.unit_id).in_(within))
        elif unit_id is not None:
            case_query = case_query.where(col(Case.unit_id) == unit_id)
            tomb_query = tomb_query.where(col(ComplaintTombstone.unit_id) == unit_id)
            item_query = item_query.where(col(LedgerItem.unit_id) == unit_id)
            unit_query = unit_query.where(col(Unit.id) == unit_id)
            finding_query = finding_query.where(col(Case.unit_id) == unit_id)
            held_query = held_query.where(col(Case.unit_id) == unit_id)
        case_rows = (await session.exec(case_query)).all()
        tomb_rows = (await session.exec(tomb_query)).all()
        item_rows = (await session.exec(item_query)).all()
        unit_rows = (await session.exec(unit_query)).all()
        finding_rows = (await session.exec(finding_query)).all()
        held_rows = (await session.exec(held_query)).all()
    cases = [
        CaseFact(kind, category, unit, status, opened, ack, answered, closed, rating, False, again)
        for kind, category, unit, status, opened, ack, answered, closed, rating, again in case_rows
    ]
    cases += [
        CaseFact(
            kind="complaint",
            category_key=category,
            unit_id=unit,
            status=status,
            opened_on=opened,
            closed_on=closed,
            rating=rating,
            purged=True,
        )
        for category, unit, status, opened, closed, rating in tomb_rows
    ]
    items = tuple(ItemFact(*row) for row in item_rows)
    units = {
        uid: UnitName(uid, code, name, kind)
        for uid, code, name, kind in unit_rows
        if uid is not None
    }
    return Facts(
        cases=tuple(cases),
        items=items,
        units=units,
        findings=tuple(row[0] for row in finding_rows),
        accountable=tuple(Accountable(key, unit) for key, unit in held_rows),
    )
