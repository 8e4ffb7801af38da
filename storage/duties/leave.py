"""Absences from the "124" duty: a cadre's request, its decision by a unit head (or an
admin), and the view both sides see. An approved absence excuses its days
(storage/duties/checkins.py reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select

from domain.audit import AuditAction, AuditSubject
from domain.membership.roles import Role
from storage import audit
from storage.db import Database
from storage.models import Absence, Member

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"


@dataclass(frozen=True)
class Person:
    member_id: int
    telegram_user_id: int
    name: str
    language: str | None


@dataclass(frozen=True)
class AbsenceView:
    id: int
    member_id: int
    unit_id: int
    first_day: date
    last_day: date
    reason: str
    status: str
    requester: Person


def _person(member: Member) -> Person:
    assert member.id is not None
    return Person(member.id, member.telegram_user_id, member.display_name, member.language)


async def request_absence(
    db: Database,
    member_id: int,
    *,
    first_day: date,
    last_day: date,
    reason: str,
    now: datetime,
) -> tuple[int, tuple[Person, ...]]:
    """File a pending absence; returns its id and the unit heads who may decide it (not the
    requester: nobody approves their own leave)."""
    async with db.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        absence = Absence(
            member_id=member_id,
            unit_id=member.unit_id,
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            status=PENDING,
            requested_at=now,
        )
        session.add(absence)
        await session.flush()
        assert absence.id is not None
        audit.record(
            session,
            at=now,
            action=AuditAction.ABSENCE_REQUESTED,
            subject_type=AuditSubject.ABSENCE,
            subject_id=absence.id,
            actor_member_id=member_id,
            to_value=PENDING,
        )
        heads = (
            await session.exec(
                select(Member)
                .where(Member.unit_id == member.unit_id)
                .where(Member.role == Role.UNIT_HEAD.value)
                .where(col(Member.active).is_(True))
            )
        ).all()
        await session.commit()
        return absence.id, tuple(_person(h) for h in heads if h.id != member_id)


async def absence(db: Database, absence_id: int) -> AbsenceView | None:
    async with db.session() as session:
        row = (
            await session.exec(
                select(Absence, Member)
                .join(Member, col(Member.id) == col(Absence.member_id))
                .where(Absence.id == absence_id)
            )
        ).first()
    if row is None:
        return None
    a, m = row
    assert a.id is not None
    return AbsenceView(
        a.id, a.member_id, a.unit_id, a.first_day, a.last_day, a.reason, a.status, _person(m)
    )


async def decide_absence(
    db: Database,
    absence_id: int,
    *,
    approve: bool,
    decider_telegram_id: int,
    decider_member_id: int | None,
    now: datetime,
) -> bool:
    """Approve or refuse a pending absence; False when it was no longer pending."""
    status = APPROVED if approve else REFUSED
    async with db.session() as session:
        moved = await session.exec(
            update(Absence)
            .where(col(Absence.id) == absence_id)
            .where(col(Absence.status) == PENDING)
            .values(status=status, decided_by=decider_telegram_id, decided_at=now)
        )
        if moved.rowcount != 1:
            await session.rollback()
            return False
        audit.record(
            session,
            at=now,
            action=AuditAction.ABSENCE_APPROVED if approve else AuditAction.ABSENCE_REFUSED,
            subject_type=AuditSubject.ABSENCE,
            subject_id=absence_id,
            actor_member_id=decider_member_id,
            actor_kind="member" if decider_member_id else "admin",
            from_value=PENDING,
            to_value=status,
        )
        await session.commit()
    return True
