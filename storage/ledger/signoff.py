"""The unit head's sign-off (签字) of a unit's problem list: each one a new version with the
item count, recorded once however often the button is pressed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from domain.audit import AuditAction, AuditSubject
from storage import audit
from storage.db import Database
from storage.models import LedgerItem, SignOff


def _kind(actor_member_id: int | None) -> str:
    return "member" if actor_member_id is not None else "admin"


async def sign_off(
    db: Database, *, unit_id: int, seen_version: int, member_id: int | None, now: datetime
) -> SignOff | None:
    """The unit head confirms the list (签字): version + 1 with the item count. None when a
    newer sign-off exists than the one the person saw (a double press, an old button)."""
    async with db.session() as session:
        latest = (
            await session.exec(select(func.max(SignOff.version)).where(SignOff.unit_id == unit_id))
        ).one() or 0
        if latest != seen_version:
            return None
        count = (
            await session.exec(
                select(func.count())
                .select_from(LedgerItem)
                .where(LedgerItem.unit_id == unit_id)
                .where(LedgerItem.status != "returned")  # 退单: not on the list signed
            )
        ).one()
        signed = SignOff(
            unit_id=unit_id, version=latest + 1, item_count=count, member_id=member_id, at=now
        )
        session.add(signed)
        audit.record(
            session,
            at=now,
            action=AuditAction.LEDGER_SIGNOFF,
            subject_type=AuditSubject.UNIT,
            subject_id=unit_id,
            actor_member_id=member_id,
            actor_kind=_kind(member_id),
            from_value=str(latest),
            to_value=f"{latest + 1}:{count}",
        )
        try:
            await session.commit()
        except IntegrityError:  # the same version signed at the same moment: one wins
            return None
        return signed
