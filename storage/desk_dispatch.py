"""The ledger side of dispatching a case (派单), inside the desk's transaction: the case as
an item on its unit's list with the next 序号, and the unit's heads to tell."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.desk import Actor
from domain.ledger import LedgerStatus
from domain.roles import Role
from storage import audit
from storage.models import Case, LedgerItem, Member, SignOff, Unit


async def add_ledger_item(
    session: AsyncSession, case: Case, actor: Actor, dispatch: tuple[date, str], now: datetime
) -> tuple[Member, ...]:
    """The dispatched case as an item on its unit's list; returns the unit's active heads."""
    assert case.unit_id is not None and case.id is not None
    unit_id = case.unit_id
    await session.exec(select(Unit.id).where(Unit.id == unit_id).with_for_update())
    top = (
        await session.exec(select(func.max(LedgerItem.seq)).where(LedgerItem.unit_id == unit_id))
    ).one()
    signed = (
        await session.exec(select(SignOff.id).where(SignOff.unit_id == unit_id).limit(1))
    ).first()
    deadline, requirement = dispatch
    item = LedgerItem(
        unit_id=unit_id,
        seq=(top or 0) + 1,
        category_key=case.category_key,
        description=case.description,
        deadline=deadline,
        status=LedgerStatus.OPEN.value,
        source_case_id=case.id,
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
        action="ledger.added",
        subject_type="ledger_item",
        subject_id=item.id,
        actor_member_id=actor.member_id,
        to_value=LedgerStatus.OPEN.value,
    )
    heads = (
        await session.exec(
            select(Member)
            .where(Member.unit_id == unit_id)
            .where(Member.role == Role.UNIT_HEAD.value)
            .where(col(Member.active).is_(True))
        )
    ).all()
    return tuple(heads)
