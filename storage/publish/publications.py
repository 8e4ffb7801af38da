"""Publications (荣誉榜 / 曝光台): drafts, their summaries, the channel message each became,
and withdrawals — every change audited.

Publishing is claimed first (`draft` → `publishing`, checked against the version the admin
previewed), so two presses post once; the channel message id is recorded after the send, or
the claim is released when the send failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select

from domain.audit import AuditAction, AuditSubject
from domain.cases.outcome import Outcome
from domain.publish.publication import State
from storage import audit
from storage.db import Database
from storage.models import Case, Member, Publication, Unit

PUBLISHING = "publishing"  # claimed by a press, being sent
DISCARDED = "discarded"


@dataclass(frozen=True)
class CaseChoice:
    id: int
    number: str
    kind: str
    category_key: str
    unit_name: str | None
    closed_on: date | None


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    publication: Publication | None = None


async def closed_cases(db: Database, *, limit: int = 8) -> list[CaseChoice]:
    """The most recently closed cases, newest first (what may go on the board)."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Case, Unit)
                .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
                .where(Case.status == "closed")
                .order_by(col(Case.closed_on).desc(), col(Case.id).desc())
                .limit(limit)
            )
        ).all()
    return [
        CaseChoice(c.id, c.number, c.kind, c.category_key, u.name if u else None, c.closed_on)
        for c, u in rows
        if c.id is not None
    ]


async def case_choice(db: Database, case_id: int) -> tuple[CaseChoice, str] | None:
    """One case as a choice, with its current status."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.id is None:
            return None
        unit = await session.get(Unit, case.unit_id) if case.unit_id is not None else None
    choice = CaseChoice(
        case.id,
        case.number,
        case.kind,
        case.category_key,
        unit.name if unit else None,
        case.closed_on,
    )
    return choice, case.status


async def create_draft(
    db: Database,
    *,
    kind: str,
    title: str,
    summary: str,
    case_id: int | None,
    unit_id: int | None,
    phase_key: str | None,
    actor_telegram_id: int,
    now: datetime,
) -> Publication:
    async with db.session() as session:
        item = Publication(
            kind=kind,
            case_id=case_id,
            unit_id=unit_id,
            phase_key=phase_key,
            title=title[:128],
            summary=summary,
            state=State.DRAFT,
            created_by=actor_telegram_id,
            created_at=now,
            updated_at=now,
        )
        session.add(item)
        await session.flush()
        audit.record(
            session,
            at=now,
            action=AuditAction.PUBLICATION_DRAFTED,
            subject_type=AuditSubject.PUBLICATION,
            subject_id=item.id,
            actor_kind="admin",
            to_value=f"{kind}:{'case' if case_id else 'unit'}:{case_id or unit_id}",
        )
        await session.commit()
    return item


async def get(db: Database, publication_id: int) -> Publication | None:
    async with db.session() as session:
        return await session.get(Publication, publication_id)


async def set_summary(
    db: Database,
    publication_id: int,
    *,
    summary: str,
    version: int,
    actor_telegram_id: int,
    now: datetime,
) -> Result:
    """A new summary for a draft, if it is still the version the admin edited."""
    async with db.session() as session:
        item = await session.get(Publication, publication_id)
        if item is None:
            return Result(Outcome.GONE)
        if item.state != State.DRAFT or item.version != version:
            return Result(Outcome.STALE, item)
        item.summary, item.version, item.updated_at = summary, item.version + 1, now
        session.add(item)
        audit.record(
            session,
            at=now,
            action=AuditAction.PUBLICATION_EDITED,
            subject_type=AuditSubject.PUBLICATION,
            subject_id=publication_id,
            actor_kind="admin",
            to_value=f"v{item.version}",
        )
        await session.commit()
    return Result(Outcome.OK, item)


async def _move(
    db: Database,
    publication_id: int,
    *,
    frm: str,
    to: str,
    version: int | None = None,
    claimed_before: datetime | None = None,
    **values: object,
) -> bool:
    async with db.session() as session:
        stmt = (
            update(Publication)
            .where(col(Publication.id) == publication_id)
            .where(col(Publication.state) == frm)
        )
        if version is not None:
            stmt = stmt.where(col(Publication.version) == version)
        if claimed_before is not None:
            stmt = stmt.where(col(Publication.updated_at) < claimed_before)
        result = await session.exec(stmt.values(state=to, **values))
        await session.commit()
        return bool(result.rowcount)


async def claim_publishing(
    db: Database, publication_id: int, *, version: int, now: datetime
) -> Result:
    """Take a draft for publishing (one press wins); STALE if it changed or went already."""
    moved = await _move(
        db, publication_id, frm=State.DRAFT, to=PUBLISHING, version=version, updated_at=now
    )
    item = await get(db, publication_id)
    if item is None:
        return Result(Outcome.GONE)
    return Result(Outcome.OK if moved else Outcome.STALE, item)


async def release(
    db: Database, publication_id: int, *, now: datetime, claimed_before: datetime | None = None
) -> bool:
    """The send failed (or, with `claimed_before`, a claim older than that was interrupted by
    a stop): the item is a draft again. False when it was not being published."""
    return await _move(
        db,
        publication_id,
        frm=PUBLISHING,
        to=State.DRAFT,
        claimed_before=claimed_before,
        updated_at=now,
    )


async def discard(
    db: Database, publication_id: int, *, actor_telegram_id: int, now: datetime
) -> bool:
    """Drop a draft (audited); False when it is no longer a draft."""
    async with db.session() as session:
        stmt = (
            update(Publication)
            .where(col(Publication.id) == publication_id)
            .where(col(Publication.state) == State.DRAFT)
            .values(state=DISCARDED, updated_at=now)
        )
        moved = bool((await session.exec(stmt)).rowcount)
        if moved:
            audit.record(
                session,
                at=now,
                action=AuditAction.PUBLICATION_DISCARDED,
                subject_type=AuditSubject.PUBLICATION,
                subject_id=publication_id,
                actor_kind="admin",
                from_value=str(actor_telegram_id),
            )
        await session.commit()
    return moved


async def mark_published(
    db: Database,
    publication_id: int,
    *,
    channel_id: int,
    message_id: int,
    actor_telegram_id: int,
    now: datetime,
) -> None:
    async with db.session() as session:
        item = await session.get(Publication, publication_id)
        assert item is not None
        item.state = State.PUBLISHED
        item.channel_id, item.channel_message_id = channel_id, message_id
        item.published_at = item.updated_at = now
        session.add(item)
        audit.record(
            session,
            at=now,
            action=AuditAction.PUBLICATION_PUBLISHED,
            subject_type=AuditSubject.PUBLICATION,
            subject_id=publication_id,
            actor_kind="admin",
            from_value=str(actor_telegram_id),
            to_value=f"{channel_id}/{message_id}",
        )
        await session.commit()


async def withdraw(
    db: Database, publication_id: int, *, actor_telegram_id: int, now: datetime
) -> Result:
    """Mark a published item withdrawn (audited); the caller then deletes the message."""
    async with db.session() as session:
        stmt = (
            update(Publication)
            .where(col(Publication.id) == publication_id)
            .where(col(Publication.state) == State.PUBLISHED)
            .values(state=State.WITHDRAWN, withdrawn_at=now, updated_at=now)
        )
        moved = bool((await session.exec(stmt)).rowcount)
        item = await session.get(Publication, publication_id)
        if item is None:
            return Result(Outcome.GONE)
        if moved:
            audit.record(
                session,
                at=now,
                action=AuditAction.PUBLICATION_WITHDRAWN,
                subject_type=AuditSubject.PUBLICATION,
                subject_id=publication_id,
                actor_kind="admin",
                from_value=str(actor_telegram_id),
                to_value=f"{item.channel_id}/{item.channel_message_id}",
            )
        await session.commit()
    return Result(Outcome.OK if moved else Outcome.STALE, item)


async def note_channel_outcome(
    db: Database, publication_id: int, *, refusal: str | None, now: datetime
) -> None:
    """After a withdrawal: what became of the channel message (deleted, or left: why)."""
    outcome = "deleted" if refusal is None else f"not deleted: {refusal}"
    async with db.session() as session:
        audit.record(
            session,
            at=now,
            action=AuditAction.PUBLICATION_CHANNEL_MESSAGE,
            subject_type=AuditSubject.PUBLICATION,
            subject_id=publication_id,
            actor_kind="system",
            to_value=outcome[:200],
        )
        await session.commit()


async def listed(db: Database, *, states: Sequence[str], limit: int = 10) -> list[Publication]:
    """Publications in `states`, newest first."""
    async with db.session() as session:
        rows = await session.exec(
            select(Publication)
            .where(col(Publication.state).in_(list(states)))
            .order_by(col(Publication.updated_at).desc(), col(Publication.id).desc())
            .limit(limit)
        )
        return list(rows.all())


async def member_names(db: Database) -> list[str]:
    """Every registered member's display name (those who left too: they are still people)."""
    async with db.session() as session:
        return list((await session.exec(select(Member.display_name).distinct())).all())
