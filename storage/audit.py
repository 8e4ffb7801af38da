"""The audit trail: appended inside other units of work, read by staff and tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    subject_type: str,
    subject_id: object,
    actor_member_id: int | None = None,
    actor_kind: str = "member",
    from_value: str | None = None,
    to_value: str | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's session (committed with the caller's change)."""
    event = AuditEvent(
        at=at,
        action=action,
        subject_type=subject_type,
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
