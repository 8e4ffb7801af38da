"""The ledger side of dispatching a case (派单), inside the desk's transaction: the case as
an item on its unit's list with the next 序号, and the unit's heads to tell."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.desk.rules import Actor
from domain.membership.roles import Role
from storage.cases import sealing
from storage.ledger.add import new_item_in
from storage.models import Case, Member


async def add_ledger_item(
    session: AsyncSession, case: Case, actor: Actor, dispatch: tuple[date, str], now: datetime
) -> tuple[Member, ...]:
    """The dispatched case as an item on its unit's list; returns the unit's active heads."""
    assert case.unit_id is not None and case.id is not None
    unit_id = case.unit_id
    deadline, requirement = dispatch
    words = await sealing.opener(session, [case.id])  # the unit's item is its own, in clear
    await new_item_in(
        session,
        unit_id=unit_id,
        category_key=case.category_key,
        description=words.text(case.id, "description", case.description),
        deadline=deadline,
        source_case_id=case.id,
        requirement=requirement,
        actor_member_id=actor.member_id,
        now=now,
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
