"""Broadcasts: an admin's announcement, its audience, and — once confirmed — one reminder
outbox row per recipient (key rule "broadcast" + "broadcast:<id>" + recipient + "once"), all
written in the same transaction that confirms it. The reminder engine sends them; progress is
read back from those rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.publish import broadcast as rules
from domain.publish.broadcast import Audience, State
from domain.reminders.due import Due, Rule, chat_recipient, member_recipient
from storage import audit
from storage.db import Database
from storage.models import Broadcast, GroupBinding, Member, Unit
from storage.models.reminders import ReminderOutbox

_KEY = ["rule", "subject", "recipient", "slot"]


@dataclass(frozen=True)
class Progress:
    total: int = 0
    sent: int = 0
    failed: int = 0  # undeliverable
    dropped: int = 0  # cancelled: the recipient left before it went out
    pending: int = 0  # due or being sent

    @property
    def done(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True)
class Confirmed:
    broadcast: Broadcast | None
    newly: bool  # False: it was confirmed before (a double press) or is gone/cancelled
    queued: int = 0


async def _recipients(
    session: AsyncSession, audience: str, role: str | None, unit_kind: str | None
) -> list[tuple[str, int | None]]:
    """(outbox recipient, unit id) for every recipient of the audience now."""
    if audience == Audience.GROUPS:
        query: Any = select(GroupBinding.chat_id, GroupBinding.unit_id).join(
            Unit, col(Unit.id) == col(GroupBinding.unit_id)
        )
        if unit_kind:
            query = query.where(Unit.kind == unit_kind)
        rows = (await session.exec(query.order_by(col(GroupBinding.chat_id)))).all()
        return [(chat_recipient(chat), unit) for chat, unit in rows]
    query = (
        select(Member.id, Member.unit_id)
        .join(Unit, col(Unit.id) == col(Member.unit_id))
        .where(Member.role == role)
        .where(col(Member.active).is_(True))
        .where(col(Member.reachable).is_(True))
    )
    if unit_kind:
        query = query.where(Unit.kind == unit_kind)
    rows = (await session.exec(query.order_by(col(Member.id)))).all()
    return [(member_recipient(m), unit) for m, unit in rows if m is not None]


async def count_recipients(
    db: Database, *, audience: str, role: str | None, unit_kind: str | None
) -> int:
    async with db.session() as session:
        return len(await _recipients(session, audience, role, unit_kind))


async def create_draft(
    db: Database,
    *,
    audience: str,
    role: str | None,
    unit_kind: str | None,
    text: str,
    actor_telegram_id: int,
    now: datetime,
) -> Broadcast:
    async with db.session() as session:
        item = Broadcast(
            audience=audience,
            role=role,
            unit_kind=unit_kind,
            text=text,
            state=State.DRAFT,
            recipients=len(await _recipients(session, audience, role, unit_kind)),
            created_by=actor_telegram_id,
            created_at=now,
        )
        session.add(item)
        await session.commit()
    return item


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    async with db.session() as session:
        return await session.get(Broadcast, broadcast_id)


async def cancel(db: Database, broadcast_id: int) -> bool:
    """Drop a draft; False when it was confirmed (or cancelled) already."""
    async with db.session() as session:
        result = await session.exec(
            update(Broadcast)
            .where(col(Broadcast.id) == broadcast_id)
            .where(col(Broadcast.state) == State.DRAFT)
            .values(state=State.CANCELLED)
        )
        await session.commit()
        return bool(result.rowcount)


async def confirm(
    db: Database, broadcast_id: int, *, actor_telegram_id: int, now: datetime
) -> Confirmed:
    """Confirm a draft: its recipients as they are now each get one outbox row (a second
    confirmation finds the draft gone and queues nothing)."""
    async with db.session() as session:
        moved = await session.exec(
            update(Broadcast)
            .where(col(Broadcast.id) == broadcast_id)
            .where(col(Broadcast.state) == State.DRAFT)
            .values(state=State.CONFIRMED, confirmed_at=now)
        )
        item = await session.get(Broadcast, broadcast_id)
        if not moved.rowcount or item is None:
            await session.rollback()
            return Confirmed(await get(db, broadcast_id), newly=False)
        targets = await _recipients(session, item.audience, item.role, item.unit_kind)
        payload = json.dumps({"broadcast": broadcast_id})
        rows = [
            {
                "rule": rules.RULE,
                "subject": rules.subject(broadcast_id),
                "recipient": recipient,
                "slot": rules.SLOT,
                "unit_id": unit_id,
                "payload": payload,
                "state": "due",
                "due_at": now,
                "next_attempt_at": now,
                "attempts": 0,
                "created_at": now,
            }
            for recipient, unit_id in targets
        ]
        queued = 0
        table = ReminderOutbox.__table__  # type: ignore[attr-defined]
        for start in range(0, len(rows), 500):
            dialect: Any = postgresql if db.dialect == "postgresql" else sqlite
            stmt = (
                dialect.insert(table)
                .values(rows[start : start + 500])
                .on_conflict_do_nothing(index_elements=_KEY)
            )
            queued += len((await session.exec(stmt.returning(table.c.id))).all())
        item.recipients = len(targets)
        session.add(item)
        audit.record(
            session,
            at=now,
            action=AuditAction.BROADCAST_CONFIRMED,
            subject_type=AuditSubject.BROADCAST,
            subject_id=broadcast_id,
            actor_kind="admin",
            from_value=str(actor_telegram_id),
            to_value=f"{item.audience}:{item.role or ''}:{item.unit_kind or ''}:{len(targets)}",
        )
        await session.commit()
    return Confirmed(item, newly=True, queued=queued)


async def progress(db: Database, broadcast_id: int) -> Progress:
    """How the broadcast's outbox rows stand."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(ReminderOutbox.state, func.count())
                .where(ReminderOutbox.rule == rules.RULE)
                .where(ReminderOutbox.subject == rules.subject(broadcast_id))
                .group_by(col(ReminderOutbox.state))
            )
        ).all()
    counts = {state: int(n) for state, n in rows}
    return Progress(
        total=sum(counts.values()),
        sent=counts.get("sent", 0),
        failed=counts.get("undeliverable", 0),
        dropped=counts.get("cancelled", 0),
        pending=counts.get("due", 0) + counts.get("sending", 0),
    )


async def recent(db: Database, *, limit: int = 5) -> list[tuple[Broadcast, Progress]]:
    """The latest confirmed broadcasts with their progress, newest first."""
    async with db.session() as session:
        items = (
            await session.exec(
                select(Broadcast)
                .where(Broadcast.state == State.CONFIRMED)
                .order_by(col(Broadcast.confirmed_at).desc(), col(Broadcast.id).desc())
                .limit(limit)
            )
        ).all()
    return [(b, await progress(db, b.id)) for b in items if b.id is not None]


async def texts(db: Database, broadcast_ids: Iterable[int]) -> dict[int, str]:
    """The announcement text of each broadcast (for the sender)."""
    wanted = sorted(set(broadcast_ids))
    if not wanted:
        return {}
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Broadcast.id, Broadcast.text).where(col(Broadcast.id).in_(wanted))
            )
        ).all()
    return {i: text for i, text in rows if i is not None}


async def unsent(db: Database) -> tuple[list[Due], dict[int, str]]:
    """The broadcast rows still to send (due or being sent) as the engine's `Due`s — so that
    the sweep keeps them — and the texts of their broadcasts."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(ReminderOutbox)
                .where(ReminderOutbox.rule == rules.RULE)
                .where(col(ReminderOutbox.state).in_(["due", "sending"]))
            )
        ).all()
    dues = [Due(Rule.BROADCAST, r.subject, r.recipient, r.slot, r.due_at, r.unit_id) for r in rows]
    ids = [b for r in rows if (b := rules.broadcast_of(r.subject)) is not None]
    return dues, await texts(db, ids)
