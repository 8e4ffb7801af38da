"""Complaints, the staff's side: reply, close, reject with a reason (each a move through
`storage.cases.transitions`; the desk's reply and close reuse its pieces), legal hold, and the
retention purge. Every change is audited with the staff member's id; the complainant is never
named because nothing names them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Never

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.cases.lifecycle import CaseAction, CaseStatus
from domain.cases.outcome import Outcome
from domain.desk.rules import Refusal
from storage import audit
from storage.cases import sealing
from storage.cases.accountability import ClosingRecord, write_record
from storage.cases.complaints import KIND, day_mark
from storage.cases.messages import add_message
from storage.cases.transitions import Moved, Step, move_case
from storage.db import Database
from storage.files import evidence as evidence_files
from storage.models import (
    Accountability,
    Case,
    CaseFinding,
    CaseIntake,
    CaseMessage,
    ComplaintHold,
    ComplaintPushLink,
    ComplaintRating,
    ComplaintReceipt,
    ComplaintTombstone,
    Evidence,
)


@dataclass(frozen=True)
class StaffResult:
    outcome: Outcome
    case_id: int | None = None
    sealed_push: bytes | None = None  # the push link to notify through (erased if final)
    status: str | None = None  # where the complaint stands after the move, or when refused


async def case_id_of(db: Database, pseudonym: str) -> int | None:
    async with db.session() as session:
        return (
            await session.exec(
                select(Case.id).where(Case.kind == KIND).where(Case.number == pseudonym)
            )
        ).first()


def answered(today: date) -> dict[str, object]:
    """The columns a staff reply sets on a complaint: answered today, acknowledged by the first
    staff action."""
    return {"answered_on": today, "acknowledged_on": _first(today)}


def finished(today: date, **more: object) -> dict[str, object]:
    """The columns closing or rejecting a complaint sets (with `more`, e.g. the reason)."""
    return {"closed_on": today, "acknowledged_on": _first(today), **more}


def _first(today: date) -> object:
    return func.coalesce(col(Case.acknowledged_on), today)


def replied(
    body: str, member_id: int | None, today: date
) -> Callable[[AsyncSession, Case], Awaitable[bytes | None]]:
    """The rows of a staff reply: the answer in the thread (a day, no instant); the push link."""

    async def rows(session: AsyncSession, case: Case) -> bytes | None:
        assert case.id is not None
        await add_message(
            session,
            case_id=case.id,
            direction="to_author",
            body=body,
            staff_member_id=member_id,
            sent_on=today,
            anonymous=True,
        )
        return await push_link(session, case, erase=False)

    return rows


async def push_link(session: AsyncSession, case: Case, *, erase: bool = True) -> bytes | None:
    """The complaint's sealed push link for a last notice; erased with a final move."""
    push = await session.get(ComplaintPushLink, case.id)
    if push is None:
        return None
    if erase:
        await session.delete(push)
    return push.sealed


def _result(moved: Moved[Never, bytes | None] | Moved[Refusal, bytes | None]) -> StaffResult:
    case = moved.case
    if case is None:
        return StaffResult(moved.outcome)
    return StaffResult(moved.outcome, case.id, moved.rows, case.status)


async def reply(
    db: Database, pseudonym: str, body: str, *, member_id: int | None, now: datetime, today: date
) -> StaffResult:
    """Store a staff reply to the complainant; the complaint becomes "answered"."""
    case_id = await case_id_of(db, pseudonym)
    if case_id is None:
        return StaffResult(Outcome.GONE)
    step: Step[Never, bytes | None] = Step(
        (KIND,),
        AuditAction.COMPLAINT_REPLY,
        values=answered(today),
        rows=replied(body, member_id, today),
    )
    return _result(await move_case(db, case_id, CaseAction.REPLY, member_id, step, now=now))


async def finish(
    db: Database,
    pseudonym: str,
    target: CaseStatus,
    *,
    member_id: int | None,
    now: datetime,
    today: date,
    reason: str | None = None,
    record: ClosingRecord | None = None,
) -> StaffResult:
    """Close (from "answered") or reject (with a reason) a complaint; the push link is
    returned for a last notice and erased in the same unit of work. Closing writes what the
    complaint was found to be and who was held accountable (`record`) with the move, and needs
    someone responsible (谁受理谁负责): a complaint nobody accepted is refused."""
    case_id = await case_id_of(db, pseudonym)
    if case_id is None:
        return StaffResult(Outcome.GONE)
    more = {"rejection_reason": reason} if target == CaseStatus.REJECTED else {}

    async def owned(_session: AsyncSession, case: Case) -> Refusal | None:
        closing = target == CaseStatus.CLOSED and case.status == CaseStatus.ANSWERED
        return Refusal.NOT_OWNER if closing and case.owner_member_id is None else None

    async def rows(session: AsyncSession, case: Case) -> bytes | None:
        if record is not None and target == CaseStatus.CLOSED:
            await write_record(session, case, record, member_id, today)
        return await push_link(session, case)

    step: Step[Refusal, bytes | None] = Step(
        (KIND,),
        AuditAction.COMPLAINT_STATUS,
        target,
        finished(today, **more),
        check=owned,
        rows=rows,
    )
    return _result(await move_case(db, case_id, CaseAction.SET, member_id, step, now=now))


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
            action=AuditAction.COMPLAINT_HOLD if on else AuditAction.COMPLAINT_RELEASE,
            subject_type=AuditSubject.COMPLAINT,
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
        stored = await evidence_files.names_of_cases(session, (i for i in ids if i is not None))
        # The keys go first and for good: a crash after this leaves only noise to delete
        # tomorrow, and a backup made before today opens no more (storage.cases.sealing).
        await sealing.keyring_of(db).shred(i for i in ids if i is not None)
        # The rows cascade from the case; explicit deletes do not depend on foreign keys.
        for model, column in (
            (Evidence, Evidence.case_id),
            (CaseMessage, CaseMessage.case_id),
            (ComplaintReceipt, ComplaintReceipt.case_id),
            (ComplaintRating, ComplaintRating.case_id),
            (ComplaintPushLink, ComplaintPushLink.case_id),
            (CaseFinding, CaseFinding.case_id),
            (Accountability, Accountability.case_id),
            (CaseIntake, CaseIntake.case_id),
        ):
            await session.exec(delete(model).where(col(column).in_(ids)))
        await session.exec(delete(Case).where(col(Case.id).in_(ids)))
        audit.record(
            session,
            at=day_mark(today),
            action=AuditAction.COMPLAINT_PURGE,
            subject_type=AuditSubject.COMPLAINT,
            subject_id="*",
            actor_kind="system",
            to_value=str(len(ids)),
        )
        await session.commit()
    # The bureau's copies last: sealed under keys already shredded, they are noise even if
    # this is interrupted.
    await evidence_files.remove(db, stored)
    return result
