"""Putting a problem on a unit's list (序号 allocation, sign-off mark, audit) inside a caller's
transaction: shared by the ledger's own add and by the staff desk's dispatch."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.ledger.rules import LedgerStatus
from storage import audit
from storage.models import LedgerItem, SignOff, Unit


async def new_item_in(
    session: AsyncSession,
    *,
    unit_id: int,
    category_key: str,
    description: str,
    measure: str | None = None,
    deadline: date | None = None,
    responsible_member_id: int | None = None,
    responsible_name: str | None = None,
    source_case_id: int | None = None,
    requirement: str | None = None,
    bureau: bool = False,
    actor_member_id: int | None,
    now: datetime,
) -> LedgerItem:
    """Put a problem on a unit's list with the next 序号, inside the caller's transaction
    (flushed and audited, not committed); marked if the list was already signed off. The
    deadline is the bureau's (`bureau`, or a dispatched case's) or the unit's own; lateness
    counts against it (`due_on`) until the bureau or an approved extension moves it.

    The unit's row is locked first (PostgreSQL), so adds to one unit take turns; SQLite has
    no row locks: there a writer that lost the race for a 序号 gets an IntegrityError."""
    await session.exec(select(Unit.id).where(Unit.id == unit_id).with_for_update())
    top = (
        await session.exec(select(func.max(LedgerItem.seq)).where(LedgerItem.unit_id == unit_id))
    ).one()
    signed = (
        await session.exec(select(SignOff.id).where(SignOff.unit_id == unit_id).limit(1))
    ).first()
    item = LedgerItem(
        unit_id=unit_id,
        seq=(top or 0) + 1,
        category_key=category_key,
        description=description,
        measure=measure,
        deadline=deadline,
        due_on=deadline,
        bureau_deadline=bureau or source_case_id is not None,
        responsible_member_id=responsible_member_id,
        responsible_name=responsible_name,
        status=LedgerStatus.OPEN.value,
        source_case_id=source_case_id,
        requirement=requirement,
        added_after_signoff=signed is not None,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    await session.flush()
    audit.record(
        session,
        at=now,
        action=AuditAction.LEDGER_ADDED,
        subject_type=AuditSubject.LEDGER_ITEM,
        subject_id=item.id,
        actor_member_id=actor_member_id,
        actor_kind="member" if actor_member_id is not None else "admin",
        to_value=LedgerStatus.OPEN.value,
    )
    return item
