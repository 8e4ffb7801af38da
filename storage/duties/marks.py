"""Marks an admin puts on a member by a row of their own (a school-level cadre, a member of
the inspection team): set or clear one, audited, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import SQLModel

from domain.audit import AuditAction, AuditSubject
from storage import audit
from storage.db import Database
from storage.models import Member


async def set_mark(
    db: Database,
    member_id: int,
    *,
    table: type[SQLModel],
    make: Callable[[], SQLModel],
    on: bool,
    actions: tuple[AuditAction, AuditAction],
    now: datetime,
    actor_member_id: int | None = None,
) -> bool:
    """Add the member's `table` row (`make()`) or delete it; audit `actions` (on, off).
    False if no such active member."""
    async with db.session() as session:
        member = await session.get(Member, member_id)
        if member is None or not member.active:
            return False
        row = await session.get(table, member_id)
        if on and row is None:
            session.add(make())
        elif not on and row is not None:
            await session.delete(row)
        audit.record(
            session,
            at=now,
            action=actions[0] if on else actions[1],
            subject_type=AuditSubject.MEMBER,
            subject_id=member_id,
            actor_member_id=actor_member_id,
            actor_kind="member" if actor_member_id else "system",
        )
        await session.commit()
    return True
