"""The audit trail: appended inside other units of work, read by staff and tests, and
exported for administrators (who did what and when, by case, unit or days).

The complainant's own actions are never recorded (docs/anonymity.md), and the export gives a
complaint's events their day only: a staff member's first action on a fresh complaint would
otherwise come close to when it was filed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, func, or_
from sqlalchemy import select as select_rows
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from storage.db import Database
from storage.models import AuditEvent, Case, LedgerItem, Member, Unit


def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: AuditAction,
    subject_type: AuditSubject,
    subject_id: object,
    actor_member_id: int | None = None,
    actor_kind: str = "member",
    from_value: str | None = None,
    to_value: str | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's session (committed with the caller's change)."""
    event = AuditEvent(
        at=at,
        action=str(action),
        subject_type=str(subject_type),
        subject_id=str(subject_id),
        actor_member_id=actor_member_id,
        actor_kind=actor_kind,
        from_value=from_value,
        to_value=to_value,
    )
    session.add(event)
    return event


async def events_for(db: Database, subject_type: str, subject_id: object) -> Sequence[AuditEvent]:
    """The events of one subject, oldest first."""
    async with db.session() as session:
        rows = await session.exec(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type)
            .where(AuditEvent.subject_id == str(subject_id))
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        )
        return rows.all()


# -- the audit export ------------------------------------------------------------------------

BATCH = 1000
# a case named by its id
CASE_SUBJECTS = tuple(
    s.value for s in (AuditSubject.CASE, AuditSubject.REPORT, AuditSubject.FINDING)
)
COMPLAINT_SUBJECT = AuditSubject.COMPLAINT.value  # a complaint named by its pseudonym, never its id


@dataclass(frozen=True)
class AuditRow:
    """One event of the audit export: when, who, what, on what (as staff name it: a case's
    number, a unit's code and 序号 for a ledger item) and of which unit."""

    at: datetime | date  # a complaint's events carry their day only (docs/anonymity.md)
    actor: str | None  # the member's name; None for the system, the CLI or an admin
    actor_kind: str
    action: str
    subject_type: str
    subject: str
    unit_name: str | None
    from_value: str | None
    to_value: str | None


@dataclass(frozen=True)
class AuditFilter:
    """Which events: of one case (and the ledger items dispatched from it), of one unit (its
    cases, ledger items, members and the unit itself), between two local days (inclusive)."""

    case_number: str | None = None
    unit_id: int | None = None
    first: date | None = None
    last: date | None = None


async def audit_rows(
    db: Database, *, where: AuditFilter, tz: ZoneInfo, batch: int = BATCH
) -> AsyncIterator[list[AuditRow]]:
    """The audit events matching `where`, oldest first, `batch` at a time (keyset on id)."""
    by_id, by_number, item = aliased(Case), aliased(Case), aliased(LedgerItem)
    subject_unit, subject_member, actor, unit = (
        aliased(Unit),
        aliased(Member),
        aliased(Member),
        aliased(Unit),
    )
    event_id = col(AuditEvent.id)
    kind, subject_id = col(AuditEvent.subject_type), col(AuditEvent.subject_id)
    unit_of = func.coalesce(
        by_id.unit_id, by_number.unit_id, item.unit_id, subject_unit.id, subject_member.unit_id
    )
    case_id: int | None = None
    if where.case_number is not None:
        async with db.session() as session:
            case_id = (
                await session.exec(select(Case.id).where(Case.number == where.case_number))
            ).first()
        if case_id is None:
            return
    last_id = 0
    while True:
        query: Any = (
            select_rows(
                AuditEvent,
                col(actor.display_name),
                func.coalesce(col(by_id.number), col(by_number.number)),
                col(subject_unit.code),
                col(item.seq),
                col(unit.code),
                col(unit.name),
            )
            .outerjoin(
                by_id,
                and_(kind.in_(CASE_SUBJECTS), subject_id == cast(by_id.id, String)),
            )
            .outerjoin(by_number, and_(kind == COMPLAINT_SUBJECT, subject_id == by_number.number))
            .outerjoin(
                item,
                and_(kind == AuditSubject.LEDGER_ITEM.value, subject_id == cast(item.id, String)),
            )
            .outerjoin(
                subject_unit, and_(kind == AuditSubject.UNIT.value, subject_id == subject_unit.code)
            )
            .outerjoin(
                subject_member,
                and_(
                    kind == AuditSubject.MEMBER.value, subject_id == cast(subject_member.id, String)
                ),
            )
            .outerjoin(actor, col(AuditEvent.actor_member_id) == col(actor.id))
            .outerjoin(unit, col(unit.id) == unit_of)
            .where(event_id > last_id)
            .order_by(event_id)
            .limit(batch)
        )
        if case_id is not None:
            query = query.where(
                or_(
                    col(by_id.id) == case_id,
                    col(by_number.id) == case_id,
                    col(item.source_case_id) == case_id,
                )
            )
        if where.unit_id is not None:
            query = query.where(unit_of == where.unit_id)
        if where.first is not None:
            start = datetime.combine(where.first, time(0), tzinfo=tz)
            query = query.where(col(AuditEvent.at) >= start)
        if where.last is not None:
            end = datetime.combine(where.last + timedelta(days=1), time(0), tzinfo=tz)
            query = query.where(col(AuditEvent.at) < end)
        async with db.session() as session:
            rows = (await session.exec(query)).all()
        if not rows:
            return
        yield [_audit_row(*row, tz=tz) for row in rows]
        if len(rows) < batch:
            return
        last_id = rows[-1][0].id


def _audit_row(
    event: AuditEvent,
    actor: str | None,
    case_number: str | None,
    unit_code: str | None,
    seq: int | None,
    item_unit_code: str | None,
    unit_name: str | None,
    *,
    tz: ZoneInfo,
) -> AuditRow:
    if case_number is not None:
        subject = case_number
    elif seq is not None:
        subject = f"{item_unit_code} #{seq}"
    elif unit_code is not None:
        subject = unit_code
    else:
        subject = event.subject_id  # a complaint's pseudonym, "*" for a purge, an id

    when: datetime | date = event.at
    if event.subject_type == COMPLAINT_SUBJECT:
        when = event.at.astimezone(tz).date()
    return AuditRow(
        at=when,
        actor=actor,
        actor_kind=event.actor_kind,
        action=event.action,
        subject_type=event.subject_type,
        subject=subject,
        unit_name=unit_name,
        from_value=event.from_value,
        to_value=event.to_value,
    )
