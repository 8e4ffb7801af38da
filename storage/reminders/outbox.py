"""The reminder outbox: record due reminders (once per key), claim them for sending, and
record the outcome; plus who a member recipient is, and the per-unit pause switch.

Claiming is one conditional UPDATE (`state = 'due'` → `'sending'`) with RETURNING, so two
sweeps never send the same row; an insert that meets an existing key does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.reminders.digest import Pending
from domain.reminders.due import Due
from storage import audit
from storage.db import Database
from storage.errors import NotFoundError
from storage.models import AuditEvent, Member, Unit
from storage.models.reminders import ReminderOutbox, ReminderPause

DUE, SENDING, SENT, UNDELIVERABLE, CANCELLED = (
    "due",
    "sending",
    "sent",
    "undeliverable",
    "cancelled",
)
LEASE = timedelta(minutes=5)
_KEY = ["rule", "subject", "recipient", "slot"]


def _row(d: Due, now: datetime) -> dict[str, Any]:
    return {
        "rule": d.rule.value,
        "subject": d.subject,
        "recipient": d.recipient,
        "slot": d.slot,
        "unit_id": d.unit_id,
        "payload": json.dumps(dict(d.payload), ensure_ascii=False, sort_keys=True),
        "state": DUE,
        "due_at": d.due_at,
        "next_attempt_at": d.due_at,
        "attempts": 0,
        "created_at": now,
    }


async def add_in(session: AsyncSession, dues: Iterable[Due], *, now: datetime) -> int:
    """Record due reminders in the caller's unit of work (a notice commits with the change it
    tells of); keys already in the outbox are left alone. Returns new rows."""
    rows = [_row(d, now) for d in dues]
    added = 0
    table = ReminderOutbox.__table__  # type: ignore[attr-defined]
    postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        dialect: Any = postgresql if postgres else sqlite
        stmt = dialect.insert(table).values(chunk).on_conflict_do_nothing(index_elements=_KEY)
        result = await session.exec(stmt.returning(table.c.id))
        added += len(result.all())
    return added


async def enqueue(db: Database, dues: Iterable[Due], *, now: datetime) -> int:
    """Record due reminders; keys already in the outbox are left alone. Returns new rows."""
    wanted = list(dues)
    if not wanted:
        return 0
    async with db.session() as session:
        added = await add_in(session, wanted, now=now)
        await session.commit()
    return added


async def busy(db: Database) -> bool:
    """Whether any row is due now or being sent (the demo waits for the sender to be done)."""
    async with db.session() as session:
        found = (
            await session.exec(
                select(ReminderOutbox.id).where(col(ReminderOutbox.state).in_([DUE, SENDING]))
            )
        ).first()
    return found is not None


def _pending(row: ReminderOutbox) -> Pending:
    assert row.id is not None
    return Pending(
        id=row.id,
        rule=row.rule,
        subject=row.subject,
        recipient=row.recipient,
        slot=row.slot,
        due_at=row.due_at,
        attempts=row.attempts,
        payload=json.loads(row.payload),
    )


async def claim(db: Database, *, now: datetime, limit: int = 1000) -> list[Pending]:
    """Take due rows for sending (state → sending, leased for a few minutes)."""
    async with db.session() as session:
        ids = (
            await session.exec(
                select(ReminderOutbox.id)
                .where(ReminderOutbox.state == DUE)
                .where(col(ReminderOutbox.next_attempt_at) <= now)
                .order_by(col(ReminderOutbox.next_attempt_at), col(ReminderOutbox.id))
                .limit(limit)
            )
        ).all()
        if not ids:
            return []
        stmt = (
            update(ReminderOutbox)
            .where(col(ReminderOutbox.id).in_(ids))
            .where(col(ReminderOutbox.state) == DUE)
            .values(state=SENDING, next_attempt_at=now + LEASE)
            .returning(ReminderOutbox)
        )
        claimed = (await session.exec(stmt)).scalars().all()
        await session.commit()
    return sorted((_pending(r) for r in claimed), key=lambda p: p.id)


async def recover(db: Database, *, now: datetime, all_sending: bool = False) -> int:
    """Put rows whose send was interrupted back to due. At start-up (`all_sending`) every
    `sending` row is interrupted: only one bot polls a token at a time."""
    async with db.session() as session:
        stmt = update(ReminderOutbox).where(col(ReminderOutbox.state) == SENDING)
        if not all_sending:
            stmt = stmt.where(col(ReminderOutbox.next_attempt_at) <= now)
        result = await session.exec(stmt.values(state=DUE, next_attempt_at=now))
        await session.commit()
        return int(result.rowcount or 0)


async def mark_sent(
    db: Database,
    ids: Sequence[int],
    *,
    now: datetime,
    chat_id: int,
    message_id: int | None,
    digest_day: date | None,
) -> None:
    async with db.session() as session:
        await session.exec(
            update(ReminderOutbox)
            .where(col(ReminderOutbox.id).in_(ids))
            .values(
                state=SENT,
                sent_at=now,
                chat_id=chat_id,
                telegram_message_id=message_id,
                digest_day=digest_day,
            )
        )
        await session.commit()


async def mark_failed(
    db: Database,
    ids: Sequence[int],
    *,
    error: str,
    retry_at: datetime | None,
    count_attempt: bool = True,
) -> None:
    """A failed try: back to due at `retry_at`, or undeliverable (None) with the reason."""
    async with db.session() as session:
        values: dict[str, object] = {"last_error": error[:500]}
        if count_attempt:
            values["attempts"] = ReminderOutbox.attempts + 1
        if retry_at is None:
            values["state"] = UNDELIVERABLE
        else:
            values.update(state=DUE, next_attempt_at=retry_at)
        await session.exec(
            update(ReminderOutbox).where(col(ReminderOutbox.id).in_(ids)).values(**values)
        )
        await session.commit()


async def cancel(db: Database, ids: Sequence[int], *, reason: str) -> None:
    async with db.session() as session:
        await session.exec(
            update(ReminderOutbox)
            .where(col(ReminderOutbox.id).in_(ids))
            .values(state=CANCELLED, last_error=reason)
        )
        await session.commit()


async def defer(db: Database, ids: Sequence[int], *, until: datetime) -> None:
    """Put claimed rows back, to be sent at `until` (tomorrow's digest, the end of a 429)."""
    async with db.session() as session:
        await session.exec(
            update(ReminderOutbox)
            .where(col(ReminderOutbox.id).in_(ids))
            .values(state=DUE, next_attempt_at=until)
        )
        await session.commit()


async def digested(db: Database, recipients: Iterable[str], day: date) -> frozenset[str]:
    """Those of `recipients` who already had their daily digest on `day`."""
    wanted = sorted(set(recipients))
    if not wanted:
        return frozenset()
    async with db.session() as session:
        rows = await session.exec(
            select(ReminderOutbox.recipient)
            .where(col(ReminderOutbox.recipient).in_(wanted))
            .where(ReminderOutbox.digest_day == day)
            .distinct()
        )
        return frozenset(rows.all())


async def rows(db: Database, **where: object) -> Sequence[ReminderOutbox]:
    """Outbox rows matching the given column values (for tests, the demo and /overdue)."""
    async with db.session() as session:
        stmt = select(ReminderOutbox).order_by(col(ReminderOutbox.id))
        for name, value in where.items():
            stmt = stmt.where(getattr(ReminderOutbox, name) == value)
        return (await session.exec(stmt)).all()


@dataclass(frozen=True)
class Recipient:
    member_id: int
    telegram_user_id: int
    display_name: str
    language: str | None
    unit_id: int
    active: bool
    reachable: bool


async def recipients(db: Database, member_ids: Iterable[int]) -> dict[int, Recipient]:
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    async with db.session() as session:
        found = (await session.exec(select(Member).where(col(Member.id).in_(wanted)))).all()
    return {
        m.id: Recipient(
            m.id, m.telegram_user_id, m.display_name, m.language, m.unit_id, m.active, m.reachable
        )
        for m in found
        if m.id is not None
    }


async def mark_unreachable(db: Database, member_id: int, *, now: datetime) -> tuple[int, ...]:
    """The member blocked the bot: mark them unreachable (audited once). Returns the active
    heads of their unit (other than themselves) to tell."""
    async with db.session() as session:
        member = await session.get(Member, member_id)
        if member is None:
            return ()
        if member.reachable:
            member.reachable = False
            member.updated_at = now
            session.add(member)
            audit.record(
                session,
                at=now,
                action=AuditAction.MEMBER_UNREACHABLE,
                subject_type=AuditSubject.MEMBER,
                subject_id=member_id,
                actor_kind="system",
            )
        heads = (
            await session.exec(
                select(Member.id)
                .where(Member.unit_id == member.unit_id)
                .where(Member.role == "unit_head")
                .where(col(Member.active).is_(True))
                .where(Member.id != member_id)
            )
        ).all()
        await session.commit()
    return tuple(h for h in heads if h is not None)


async def set_paused(
    db: Database, *, unit_code: str, paused: bool, now: datetime, actor_telegram_id: int
) -> tuple[Unit, bool]:
    """Pause or resume a unit's reminders (audited). Returns the unit and whether it changed;
    raises NotFoundError for an unknown unit code."""
    async with db.session() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == unit_code))).first()
        if unit is None or unit.id is None:
            raise NotFoundError("unit", unit_code)
        current = await session.get(ReminderPause, unit.id)
        changed = (current is None) == paused
        if changed:
            if paused:
                session.add(
                    ReminderPause(unit_id=unit.id, paused_at=now, paused_by=actor_telegram_id)
                )
            else:
                await session.delete(current)
            audit.record(
                session,
                at=now,
                action=AuditAction.REMINDERS_PAUSED if paused else AuditAction.REMINDERS_RESUMED,
                subject_type=AuditSubject.UNIT,
                subject_id=unit.code,
                actor_kind="admin",
                to_value=str(actor_telegram_id),
            )
            await session.commit()
    return unit, changed


async def migrated_groups(db: Database, new_chat_ids: Iterable[int]) -> dict[int, int]:
    """old chat id -> new chat id, for the bound groups that were upgraded to supergroups."""
    wanted = sorted({str(c) for c in new_chat_ids})
    if not wanted:
        return {}
    async with db.session() as session:
        rows = (
            await session.exec(
                select(AuditEvent.from_value, AuditEvent.to_value)
                .where(AuditEvent.action == AuditAction.GROUP_MIGRATED.value)
                .where(col(AuditEvent.to_value).in_(wanted))
            )
        ).all()
    return {int(old): int(new) for old, new in rows if old and new}


async def retarget_chat(db: Database, *, old_chat_id: int, new_chat_id: int) -> int:
    """A group got a new id: its outbox rows follow it, so that a reminder already sent to
    the old id is not sent again to the new one. Returns the rows moved."""
    old, new = f"chat:{old_chat_id}", f"chat:{new_chat_id}"
    moved = 0
    async with db.session() as session:
        rows = (
            await session.exec(select(ReminderOutbox).where(ReminderOutbox.recipient == old))
        ).all()
        taken = {
            (r.rule, r.subject, r.slot)
            for r in (
                await session.exec(select(ReminderOutbox).where(ReminderOutbox.recipient == new))
            ).all()
        }
        for row in rows:
            if (row.rule, row.subject, row.slot) not in taken:
                row.recipient = new
                session.add(row)
                moved += 1
        await session.commit()
    return moved
