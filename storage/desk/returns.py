"""A unit returns a dispatched case to the desk (退单): the ledger item becomes `returned` (off
the unit's list, never deleted), the case goes back to its owner, the reason is kept. One
transaction, checked against the item's version (a double press returns once), audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, select

from domain.desk.followup import (
    RETURNED_CASE_STATUS,
    FollowRefusal,
    ReturnFacts,
    return_refusal,
)
from domain.ledger.rules import Actor, LedgerStatus
from storage import audit
from storage.db import Database
from storage.models import Case, LedgerItem, LedgerReturn, Member, Unit


class ReturnOutcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    STALE = "stale"  # the item or the case changed since the button was drawn
    GONE = "gone"


@dataclass(frozen=True)
class ReturnResult:
    outcome: ReturnOutcome
    refusal: FollowRefusal | None = None
    case_id: int | None = None
    number: str | None = None
    unit_name: str | None = None
    owner: Member | None = None  # whom to tell (None: nobody owns it any more)


@dataclass(frozen=True)
class ReturnLine:
    unit_name: str
    reason: str
    at: datetime
    by_name: str | None


async def return_item(
    db: Database, item_id: int, version: int, actor: Actor, reason: str, *, now: datetime
) -> ReturnResult:
    """Send item `item_id` (as drawn at `version`) back to the desk with `reason`."""
    async with db.session() as session:
        item = await session.get(LedgerItem, item_id)
        if item is None or item.id is None:
            return ReturnResult(ReturnOutcome.GONE)
        case = await session.get(Case, item.source_case_id) if item.source_case_id else None
        facts = ReturnFacts(
            item.unit_id, item.status, item.source_case_id, case.status if case else None
        )
        refused = return_refusal(actor, facts)
        if refused is not None:
            return ReturnResult(ReturnOutcome.REFUSED, refusal=refused)
        assert case is not None and case.id is not None
        if item.version != version:
            return ReturnResult(ReturnOutcome.STALE)
        moved = await session.exec(
            update(LedgerItem)
            .where(col(LedgerItem.id) == item_id)
            .where(col(LedgerItem.version) == version)
            .where(col(LedgerItem.status) == item.status)
            .values(status=LedgerStatus.RETURNED.value, version=version + 1, updated_at=now)
        )
        back = await session.exec(
            update(Case)
            .where(col(Case.id) == case.id)
            .where(col(Case.version) == case.version)
            .where(col(Case.status) == case.status)
            .values(status=RETURNED_CASE_STATUS.value, version=case.version + 1)
        )
        if moved.rowcount != 1 or back.rowcount != 1:
            await session.rollback()
            return ReturnResult(ReturnOutcome.STALE)
        session.add(
            LedgerReturn(
                item_id=item_id, case_id=case.id, reason=reason, member_id=actor.member_id, at=now
            )
        )
        audit.record(
            session,
            at=now,
            action="ledger.returned",
            subject_type="ledger_item",
            subject_id=item_id,
            actor_member_id=actor.member_id,
            from_value=item.status,
            to_value=LedgerStatus.RETURNED.value,
        )
        audit.record(
            session,
            at=now,
            action="desk.returned",
            subject_type="case",
            subject_id=case.id,
            actor_member_id=actor.member_id,
            from_value=case.status,
            to_value=RETURNED_CASE_STATUS.value,
        )
        unit = await session.get(Unit, item.unit_id)
        owner = await session.get(Member, case.owner_member_id) if case.owner_member_id else None
        await session.commit()
    return ReturnResult(
        ReturnOutcome.DONE,
        case_id=case.id,
        number=case.number,
        unit_name=unit.name if unit else None,
        owner=owner if owner is not None and owner.active else None,
    )


async def returns_of(db: Database, case_id: int) -> Sequence[ReturnLine]:
    """The case's returns, oldest first, for the desk."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(LedgerReturn, LedgerItem, Unit, Member)
                .join(LedgerItem, col(LedgerItem.id) == col(LedgerReturn.item_id))
                .join(Unit, col(Unit.id) == col(LedgerItem.unit_id))
                .outerjoin(Member, col(Member.id) == col(LedgerReturn.member_id))
                .where(LedgerReturn.case_id == case_id)
                .order_by(col(LedgerReturn.at), col(LedgerReturn.id))
            )
        ).all()
    return [
        ReturnLine(u.name, r.reason, r.at, m.display_name if m is not None else None)
        for r, _i, u, m in rows
    ]
