"""A case officer who has accepted a complaint, for storage tests that close one (closing needs
someone responsible, 谁受理谁负责). The acceptance itself is the desk's (`desk.accept`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from domain.cases.outcome import Outcome
from domain.desk.rules import Actor
from domain.membership.roles import Role
from storage.db import Database
from storage.desk import actions as desk
from storage.models import Member, Unit

AT = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)
CODE = "OWNERS"


async def handler(db: Database) -> Actor:
    """The test bureau's case officer (made on first use)."""
    async with db.session() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == CODE))).first()
        if unit is None:
            unit = Unit(code=CODE, name="受理股", kind="bureau", created_at=AT, updated_at=AT)
            session.add(unit)
            await session.flush()
        member = (await session.exec(select(Member).where(Member.unit_id == unit.id))).first()
        if member is None:
            assert unit.id is not None
            member = Member(
                telegram_user_id=990001,
                display_name="受理人",
                unit_id=unit.id,
                role=Role.CASE_OFFICER.value,
                joined_at=AT,
                updated_at=AT,
            )
            session.add(member)
        await session.commit()
        return Actor(Role.CASE_OFFICER, member.id, unit.id)


async def accepted(db: Database, case_id: int) -> Actor:
    """`case_id` accepted by the test handler, who is returned."""
    actor = await handler(db)
    done = await desk.accept(db, case_id, actor, today=AT.date(), now=AT)
    assert done.outcome is Outcome.OK, done
    return actor
