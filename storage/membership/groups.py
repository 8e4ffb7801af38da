"""Group bindings: which Telegram group hears a unit's reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from storage import audit
from storage.db import Database
from storage.errors import NotFoundError
from storage.models import AuditEvent, GroupBinding, Unit


@dataclass(frozen=True)
class Binding:
    binding: GroupBinding
    unit: Unit
    previous_unit_id: int | None


async def bind(
    db: Database,
    *,
    chat_id: int,
    title: str,
    unit_code: str,
    now: datetime,
    actor_member_id: int | None,
) -> Binding:
    """Bind (or re-bind) a group to a unit; raises NotFoundError for an unknown unit code."""
    async with db.session() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == unit_code))).first()
        if unit is None or unit.id is None:
            raise NotFoundError("unit", unit_code)
        binding = await session.get(GroupBinding, chat_id)
        previous = binding.unit_id if binding is not None else None
        if binding is None:
            binding = GroupBinding(chat_id=chat_id, unit_id=unit.id, title=title, bound_at=now)
        else:
            binding.unit_id, binding.title, binding.bound_at = unit.id, title, now
        session.add(binding)
        audit.record(
            session,
            at=now,
            action=AuditAction.GROUP_BOUND,
            subject_type=AuditSubject.GROUP,
            subject_id=chat_id,
            actor_member_id=actor_member_id,
            actor_kind="member" if actor_member_id is not None else "admin",
            from_value=None if previous is None else str(previous),
            to_value=unit.code,
        )
        await session.commit()
    return Binding(binding=binding, unit=unit, previous_unit_id=previous)


async def unit_of_group(db: Database, chat_id: int) -> Unit | None:
    async with db.session() as session:
        binding = await session.get(GroupBinding, chat_id)
        return None if binding is None else await session.get(Unit, binding.unit_id)


async def migrate(db: Database, *, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
    """Follow a group's upgrade to a supergroup (its id changes); False if it was not bound."""
    async with db.session() as session:
        binding = await session.get(GroupBinding, old_chat_id)
        if binding is None:
            return False
        await session.delete(binding)
        await session.flush()
        session.add(
            GroupBinding(
                chat_id=new_chat_id, unit_id=binding.unit_id, title=binding.title, bound_at=now
            )
        )
        _note_move(session, AuditSubject.GROUP, old_chat_id, new_chat_id, now)
        await session.commit()
    return True


# A bound group's or another chat's new id: the audit actions of `_note_move`
_MIGRATED = {
    AuditSubject.CHAT: AuditAction.CHAT_MIGRATED,
    AuditSubject.GROUP: AuditAction.GROUP_MIGRATED,
}
MOVES = tuple(action.value for action in _MIGRATED.values())


def _note_move(
    session: AsyncSession, kind: AuditSubject, old: int, new: int, now: datetime
) -> None:
    """The audit row that records a chat's new id (`moved_to` reads it back)."""
    audit.record(
        session,
        at=now,
        action=_MIGRATED[kind],
        subject_type=kind,
        subject_id=new,
        actor_kind="system",
        from_value=str(old),
        to_value=str(new),
    )


async def record_move(db: Database, *, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
    """Remember that a chat (e.g. the staff chat) became a supergroup with a new id, so that
    a restart still follows it; False when it was known already. The audit trail is the
    record, as for bound groups (`migrate`)."""
    if await moved_to(db, old_chat_id) == new_chat_id:
        return False
    async with db.session() as session:
        _note_move(session, AuditSubject.CHAT, old_chat_id, new_chat_id, now)
        await session.commit()
    return True


async def moved_to(db: Database, chat_id: int) -> int | None:
    """The id `chat_id` has now if it was upgraded to a supergroup (None if it was not)."""
    current, seen = chat_id, {chat_id}
    async with db.session() as session:
        for _ in range(4):  # a supergroup does not move again; a few hops at most
            row = (
                await session.exec(
                    select(AuditEvent.to_value)
                    .where(col(AuditEvent.action).in_(MOVES))
                    .where(AuditEvent.from_value == str(current))
                    .order_by(col(AuditEvent.id).desc())
                    .limit(1)
                )
            ).first()
            if row is None or not row.lstrip("-").isdigit() or int(row) in seen:
                break
            current = int(row)
            seen.add(current)
    return None if current == chat_id else current
