"""Members: registered Telegram users, their unit, role and language."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from domain.audit import AuditAction, AuditSubject
from storage import audit
from storage.db import Database
from storage.models import Member, Unit


@dataclass(frozen=True)
class MemberInUnit:
    member: Member
    unit: Unit


@functools.cache
def _member_in_unit() -> Select[Member, Unit]:
    """The lookup behind every update (`handlers.context.viewer`), built once: its cache key
    is then computed once too, not on every call."""
    return (
        select(Member, Unit)
        .join(Unit, col(Unit.id) == col(Member.unit_id))
        .where(col(Member.telegram_user_id) == bindparam("telegram_user_id"))
        .where(col(Member.active).is_(True))
    )


async def by_telegram_id(db: Database, telegram_user_id: int) -> MemberInUnit | None:
    """The active member with this Telegram id, with their unit; None for anyone else."""
    async with db.session() as session:
        found = await session.exec(_member_in_unit(), params={"telegram_user_id": telegram_user_id})
        row = found.first()
    return MemberInUnit(member=row[0], unit=row[1]) if row else None


async def set_language(
    db: Database, *, telegram_user_id: int, language: str, now: datetime
) -> bool:
    """Store a member's language; False when the person is not a member."""
    async with db.session() as session:
        member = (
            await session.exec(select(Member).where(Member.telegram_user_id == telegram_user_id))
        ).first()
        if member is None:
            return False
        if member.language != language:
            audit.record(
                session,
                at=now,
                action=AuditAction.MEMBER_LANGUAGE,
                subject_type=AuditSubject.MEMBER,
                subject_id=member.id,
                actor_member_id=member.id,
                from_value=member.language,
                to_value=language,
            )
            member.language = language
            member.updated_at = now
            session.add(member)
            await session.commit()
    return True


async def in_unit(db: Database, unit_id: int) -> Sequence[Member]:
    """The active members of a unit, by name."""
    async with db.session() as session:
        return (
            await session.exec(
                select(Member)
                .where(Member.unit_id == unit_id)
                .where(col(Member.active).is_(True))
                .order_by(col(Member.display_name))
            )
        ).all()
