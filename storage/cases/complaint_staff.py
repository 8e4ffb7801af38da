"""Complaints, the staff's side: reply, close, reject with a reason, legal hold, and the
retention purge. Every change is audited with the staff member's id; the complainant is never
named because nothing names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.cases.lifecycle import CaseStatus, can_move
from storage import audit
from storage.cases.complaints import KIND, day_mark
from storage.cases.messages import add_message
from storage.db import Database
from storage.models import (
    Case,
    CaseMessage,
    ComplaintHold,
    ComplaintPushLink,
    ComplaintRating,
    ComplaintReceipt,
    ComplaintTombstone,
    Evidence,
)

# The chain a reply walks so that a complaint is "answered" once staff replied.
_TO_ANSWERED = (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED)


class Outcome(StrEnum):
    DONE = "done"
    GONE = "gone"  # no such complaint
    FINAL = "final"  # closed or rejected already
    NOT_ALLOWED = "not_allowed"  # the move is not valid from the current status


@dataclass(frozen=True)
class StaffResult:
    outcome: Outcome
    case_id: int | None = None
    sealed_push: bytes | None = None  # the push link to notify through (erased if final)


def _kind(member_id: int | None) -> str:
    # An administrator from the config may have no member row.
    return "member" if member_id is not None else "admin"


async def case_id_of(db: Database, pseudonym: str) -> int | None:
    async with db.session() as session:
        return (
            await session.exec(
                select(Case.id).where(Case.kind == KIND).where(Case.number == pseudonym)
            )
        ).first()


def _move(
    session: AsyncSession, case: Case, target: CaseStatus, member_id: int | None, now: datetime
) -> None:
    audit.record(
        session,
        at=now,
        action="complaint.status",
        subject_type=KIND,
        subject_id=case.number,
        actor_member_id=member_id,
        actor_kind=_kind(member_id),
        from_value=case.status,
        to_value=target,
    )
    case.status = target
    case.version += 1


async def reply(
    db: Database, pseudonym: str, body: str, *, member_id: int | None, now: datetime, today: date
) -> StaffResult:
    """Store a staff reply to the complainant; the complaint becomes "answered"."""
    async with db.session() as session:
        case = (
            await session.exec(
                select(Case).where(Case.kind == KIND).where(Case.number == pseudonym)
            )
        ).first()
        if case is None or case.id is None:
            return StaffResult(Outcome.GONE)
        if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED):
            return StaffResult(Outcome.FINAL, case.id)
        await add_message(
            session,
            case_id=case.id,
            direction="to_author",
            body=body,
            staff_member_id=member_id,
            sent_on=today,
            anonymous=True,
        )
        for target in _TO_ANSWERED:
            if can_move(case.status, target):
                _move(session, case, target, member_id, now)
        case.answered_on = today
        case.acknowledged_on = case.acknowledged_on or today  # first staff action
        session.add(case)
        audit.record(
            session,
            at=now,
            action="complaint.reply",
            subject_type=KIND,
            subject_id=case.number,
            actor_member_id=member_id,
            actor_kind=_kind(member_id),
        )
        push = await session.get(ComplaintPushLink, case.id)
        await session.commit()
        return StaffResult(Outcome.DONE, case.id, push.sealed if push else None)


async def finish(
    db: Database,
    pseudonym: str,
    target: CaseStatus,
    *,
    member_id: int | None,
    now: datetime,
    today: date,
    reason: str | None = None,
) -> StaffResult:
    """Close (from "answered") or reject (with a reason) a complaint; the push link is
    returned for a last notice and erased in the same unit of work."""
    async with db.session() as session:
        case = (
            await session.exec(
                select(Case).where(Case.kind == KIND).where(Case.number == pseudonym)
            )
        ).first()
        if case is None or case.id is None:
            return StaffResult(Outcome.GONE)
        if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED):
            return StaffResult(Outcome.FINAL, case.id)
        if not can_move(case.status, target):
            return StaffResult(Outcome.NOT_ALLOWED, case.id)
        _move(session, case, target, member_id, now)
        case.closed_on = today
        case.acknowledged_on = case.acknowledged_on or today  # first staff action
        if target == CaseStatus.REJECTED:
            case.rejection_reason = reason
        session.add(case)
        push = await session.get(ComplaintPushLink, case.id)
        sealed = push.sealed if push else None
        if push is not None:
            await session.delete(push)
        await session.commit()
        return StaffResult(Outcome.DONE, case.id, sealed)


async def set_hold(
    db: Database, pseudonym: str, *, on: bool, member_id: int | None, today: date, now: datetime
) -> bool:
    """Put a complaint on legal hold (or release it); False when there is no such complaint."""
    async with db.session() as session:
        case = (
            await session.exec(
                select(Case).where(Case.kind == KIND).where(Case.number == pseudonym)
            )
        ).first()
        if case is None or case.id is None:
            return False
        held = await session.get(ComplaintHold, case.id)
        if on and held is None:
            session.add(
                ComplaintHold(case_id=case.id, placed_on=today, placed_by_member_id=member_id)
            )
        elif not on and held is not None:
            await session.delete(held)
        audit.record(
            session,
            at=now,
            action="complaint.hold" if on else "complaint.release",
            subject_type=KIND,
            subject_id=case.number,
            actor_member_id=member_id,
            actor_kind="member" if member_id is not None else "cli",
        )
        await session.commit()
    return True


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    held: int


async def purge(db: Database, *, before: date, today: date, dry_run: bool) -> PurgeResult:
    """Delete closed or rejected complaints whose closing day is before `before` (text,
    messages, evidence, receipt, rating), unless on legal hold; a tombstone keeps the counts."""
    async with db.session() as session:
        final = [CaseStatus.CLOSED.value, CaseStatus.REJECTED.value]
        old = (
            await session.exec(
                select(Case)
                .where(Case.kind == KIND)
                .where(col(Case.status).in_(final))
                .where(col(Case.closed_on) < before)
            )
        ).all()
        held_ids = set((await session.exec(select(ComplaintHold.case_id))).all())
        doomed = [c for c in old if c.id not in held_ids]
        result = PurgeResult(purged=len(doomed), held=len(old) - len(doomed))
        if dry_run or not doomed:
            return result
        for case in doomed:
            assert case.id is not None
            rating = await session.get(ComplaintRating, case.id)
            count = (
                await session.exec(
                    select(func.count())
                    .select_from(CaseMessage)
                    .where(CaseMessage.case_id == case.id)
                )
            ).one()
            session.add(
                ComplaintTombstone(
                    category_key=case.category_key,
                    unit_id=case.unit_id,
                    status=case.status,
                    opened_on=case.opened_on,
                    closed_on=case.closed_on,
                    rating=rating.rating if rating else None,
                    purged_on=today,
                    messages=int(count),
                )
            )
        ids = [c.id for c in doomed]
        # The rows cascade from the case; explicit deletes do not depend on foreign keys.
        for model, column in (
            (Evidence, Evidence.case_id),
            (CaseMessage, CaseMessage.case_id),
            (ComplaintReceipt, ComplaintReceipt.case_id),
            (ComplaintRating, ComplaintRating.case_id),
            (ComplaintPushLink, ComplaintPushLink.case_id),
        ):
            await session.exec(delete(model).where(col(column).in_(ids)))
        await session.exec(delete(Case).where(col(Case.id).in_(ids)))
        audit.record(
            session,
            at=day_mark(today),
            action="complaint.purge",
            subject_type=KIND,
            subject_id="*",
            actor_kind="system",
            to_value=str(len(ids)),
        )
        await session.commit()
    return result
