"""A district head's chase (催办) of a school under it: a notice to the school's heads, written
into the reminder outbox with its audit row in one transaction (the one paced sender delivers
it, in each head's language). At most one chase per school a day: the outbox's unique key
(rule, school, head, day) refuses a second, whoever asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import col, func, select

from domain.audit import AuditAction, AuditSubject
from domain.membership.roles import Role
from domain.reminders.due import OPEN_ITEM_STATUSES, Due, Rule, member_recipient
from storage import audit
from storage.db import Database
from storage.models import LedgerItem, Member, SignOff, Unit
from storage.reminders.outbox import add_in


class Chased(StrEnum):
    SENT = "sent"  # the school's heads will be told
    ALREADY = "already"  # the school was chased today
    NO_HEAD = "no_head"  # nobody to tell: the school has no active head
    GONE = "gone"  # no such school


@dataclass(frozen=True)
class ChaseResult:
    outcome: Chased
    school: str = ""
    heads: int = 0


async def chase_school(
    db: Database,
    *,
    unit_id: int,
    district_id: int,
    actor_member_id: int,
    now: datetime,
    today: date,
) -> ChaseResult:
    """Chase the school `unit_id` on behalf of the head of `district_id` (the caller checked
    that the school lies in that district)."""
    async with db.session() as session:
        school = await session.get(Unit, unit_id)
        district = await session.get(Unit, district_id)
        actor = await session.get(Member, actor_member_id)
        if school is None or district is None or actor is None:
            return ChaseResult(Chased.GONE)
        heads = (
            await session.exec(
                select(Member.id)
                .where(Member.unit_id == unit_id)
                .where(Member.role == Role.UNIT_HEAD.value)
                .where(col(Member.active).is_(True))
                .order_by(col(Member.id))
            )
        ).all()
        name = school.name  # read before a rollback expires it
        if not heads:
            return ChaseResult(Chased.NO_HEAD, name)
        overdue = (
            await session.exec(
                select(func.count())
                .select_from(LedgerItem)
                .where(LedgerItem.unit_id == unit_id)
                .where(col(LedgerItem.status).in_(sorted(OPEN_ITEM_STATUSES)))
                .where(func.coalesce(col(LedgerItem.due_on), col(LedgerItem.deadline)) < today)
            )
        ).one()
        signed = (
            await session.exec(select(SignOff.id).where(SignOff.unit_id == unit_id).limit(1))
        ).first()
        payload = {
            "unit_id": unit_id,
            "unit": name,
            "district": district.name,
            "by": actor.display_name,
            "overdue": int(overdue),
            "signed": signed is not None,
        }
        dues = [
            Due(
                Rule.DISTRICT_CHASE,
                f"unit:{unit_id}",
                member_recipient(h),
                today.isoformat(),
                now,
                unit_id,
                payload,
            )
            for h in heads
            if h is not None
        ]
        added = await add_in(session, dues, now=now)
        if added == 0:
            await session.rollback()
            return ChaseResult(Chased.ALREADY, name)
        audit.record(
            session,
            at=now,
            action=AuditAction.DISTRICT_CHASE,
            subject_type=AuditSubject.UNIT,
            subject_id=unit_id,
            actor_member_id=actor_member_id,
            to_value=str(added),  # how many heads were reached
        )
        await session.commit()
    return ChaseResult(Chased.SENT, name, added)
