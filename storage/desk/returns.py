"""A unit returns a dispatched case to the desk (退单): the ledger item becomes `returned` (off
the unit's list, never deleted), the case goes back to its owner, the reason is kept. One move
through `storage.cases.transitions`, the item's change checked against the version drawn (a
double press returns once), both audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.cases.lifecycle import CaseAction
from domain.cases.outcome import Outcome
from domain.desk.followup import FollowRefusal, ReturnFacts, return_refusal
from domain.desk.rules import INBOX_KINDS
from domain.ledger.rules import Actor, LedgerStatus
from storage import audit
from storage.cases.transitions import Stale, Step, move_case
from storage.db import Database
from storage.models import Case, LedgerItem, LedgerReturn, Member, Unit


@dataclass(frozen=True)
class ReturnResult:
    outcome: Outcome
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
    """Send item `item_id` (as drawn at `version`) back to the desk with `reason`: the case's
    move, with the item's (checked against `version`) in the same transaction."""
    async with db.session() as session:
        drawn = await session.get(LedgerItem, item_id)
    if drawn is None or drawn.id is None:
        return ReturnResult(Outcome.GONE)

    def refused(item: LedgerItem, case_status: str | None) -> FollowRefusal | None:
        facts = ReturnFacts(item.unit_id, item.status, item.source_case_id, case_status)
        return return_refusal(actor, facts)

    if drawn.source_case_id is None:
        return ReturnResult(Outcome.REFUSED, refusal=refused(drawn, None))

    async def check(session: AsyncSession, case: Case) -> FollowRefusal | None:
        item = await session.get(LedgerItem, item_id)
        assert item is not None
        return refused(item, case.status)

    async def rows(session: AsyncSession, case: Case) -> tuple[Unit | None, Member | None]:
        item = await session.get(LedgerItem, item_id)  # as `check` read it
        assert item is not None and case.id is not None
        before = item.status
        moved = await session.exec(
            update(LedgerItem)
            .where(col(LedgerItem.id) == item_id)
            .where(col(LedgerItem.version) == version)
            .where(col(LedgerItem.status) == before)
            .values(status=LedgerStatus.RETURNED.value, version=version + 1, updated_at=now)
        )
        if moved.rowcount != 1:
            raise Stale
        session.add(
            LedgerReturn(
                item_id=item_id, case_id=case.id, reason=reason, member_id=actor.member_id, at=now
            )
        )
        audit.record(
            session,
            at=now,
            action=AuditAction.LEDGER_RETURNED,
            subject_type=AuditSubject.LEDGER_ITEM,
            subject_id=item_id,
            actor_member_id=actor.member_id,
            from_value=before,
            to_value=LedgerStatus.RETURNED.value,
        )
        unit = await session.get(Unit, item.unit_id)
        owner = await session.get(Member, case.owner_member_id) if case.owner_member_id else None
        return unit, owner

    step: Step[FollowRefusal, tuple[Unit | None, Member | None]] = Step(
        INBOX_KINDS, AuditAction.DESK_RETURNED, check=check, rows=rows
    )
    moved = await move_case(
        db, drawn.source_case_id, CaseAction.RETURN, actor.member_id, step, now=now
    )
    if moved.outcome is Outcome.GONE:  # the case is gone (a purged complaint): it moved on
        return ReturnResult(Outcome.REFUSED, refusal=refused(drawn, None))
    if moved.outcome is not Outcome.OK or moved.case is None or moved.rows is None:
        return ReturnResult(moved.outcome, refusal=moved.refusal)
    unit, owner = moved.rows
    return ReturnResult(
        Outcome.OK,
        case_id=moved.case.id,
        number=moved.case.number,
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
