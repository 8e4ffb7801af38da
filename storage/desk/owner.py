"""The owner's follow-ups on a named report, each one transaction checked against the case's
version: a file sent to the reporter as a reply, a question (the case then waits for the
reporter), the reporter's answer, and an explicit status change. Audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.cases.lifecycle import CaseStatus
from domain.desk.followup import (
    FollowRefusal,
    OwnerAct,
    explicit_targets,
    needs_reason,
    owner_refusal,
)
from domain.desk.rules import Actor, CaseFacts
from storage import audit
from storage.cases.messages import add_message
from storage.cases.reports import StatusChange
from storage.db import Database
from storage.desk.notes import FileRef, evidence_for
from storage.models import Case, CaseWait, Member, ReportAuthor


class Done(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    STALE = "stale"
    GONE = "gone"


@dataclass(frozen=True)
class OwnerResult:
    outcome: Done
    refusal: FollowRefusal | None = None
    change: StatusChange | None = None  # whom to tell and what (set when DONE)
    owner: Member | None = None  # after the reporter's answer: whom to tell


async def _report(session: AsyncSession, case_id: int) -> tuple[Case, Member] | None:
    row = (
        await session.exec(
            select(Case, Member)
            .join(ReportAuthor, col(ReportAuthor.case_id) == col(Case.id))
            .join(Member, col(Member.id) == col(ReportAuthor.member_id))
            .where(Case.id == case_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


def _change(case: Case, reporter: Member, before: str, after: str) -> StatusChange:
    assert case.id is not None
    return StatusChange(
        changed=before != after,
        case_id=case.id,
        number=case.number,
        from_status=before,
        to_status=after,
        reporter_telegram_id=reporter.telegram_user_id if reporter.active else None,
        reporter_language=reporter.language,
    )


async def _owner_act(
    db: Database,
    case_id: int,
    actor: Actor,
    act: OwnerAct,
    *,
    now: datetime,
    today: date,
    target: str | None = None,
    values: dict[str, object] | None = None,
    message: str | None = None,
    file: FileRef | None = None,
    wait: bool = False,
) -> OwnerResult:
    """Check `act`, move the case (conditionally), add the message and file, audit, commit."""
    async with db.session() as session:
        found = await _report(session, case_id)
        if found is None:
            return OwnerResult(Done.GONE)
        case, reporter = found
        facts = CaseFacts(case.status, case.unit_id, case.owner_member_id)
        refused = owner_refusal(act, actor, case.kind, facts)
        if (
            refused is None
            and act is OwnerAct.STATUS
            and target not in explicit_targets(case.status)
        ):
            refused = FollowRefusal.WRONG_STATUS
        if refused is not None:
            return OwnerResult(Done.REFUSED, refusal=refused)
        before, after = case.status, target or case.status
        moved = await session.exec(
            update(Case)
            .where(col(Case.id) == case_id)
            .where(col(Case.version) == case.version)
            .where(col(Case.status) == before)
            .values(status=after, version=case.version + 1, **(values or {}))
        )
        if moved.rowcount != 1:
            await session.rollback()
            return OwnerResult(Done.STALE)
        await session.exec(delete(CaseWait).where(col(CaseWait.case_id) == case_id))
        if message is not None:
            sent = await add_message(
                session,
                case_id=case_id,
                direction="to_author",
                body=message,
                sent_on=today,
                anonymous=False,
                sent_at=now,
                staff_member_id=actor.member_id,
            )
            await session.flush()
            assert sent.id is not None
            if file is not None:
                session.add(evidence_for(sent.id, file, today, anonymous=False))
            if wait:
                session.add(CaseWait(case_id=case_id, question_message_id=sent.id, since=today))
        audit.record(
            session,
            at=now,
            action=f"desk.{act.value}",
            subject_type="case",
            subject_id=case_id,
            actor_member_id=actor.member_id,
            from_value=before,
            to_value=after,
        )
        await session.commit()
    return OwnerResult(Done.DONE, change=_change(case, reporter, before, after))


async def send_file(
    db: Database,
    case_id: int,
    actor: Actor,
    file: FileRef,
    caption: str,
    *,
    today: date,
    now: datetime,
) -> OwnerResult:
    """A file for the reporter with its caption as the reply: the case is answered."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        first = case is not None and case.answered_on is None
    return await _owner_act(
        db,
        case_id,
        actor,
        OwnerAct.FILE_TO_AUTHOR,
        now=now,
        today=today,
        target=CaseStatus.ANSWERED.value,
        values={"answered_on": today} if first else {},
        message=caption,
        file=file,
    )


async def ask(
    db: Database, case_id: int, actor: Actor, question: str, *, today: date, now: datetime
) -> OwnerResult:
    """A question for the reporter: the status stays, the case waits for the answer."""
    return await _owner_act(
        db, case_id, actor, OwnerAct.ASK, now=now, today=today, message=question, wait=True
    )


async def set_status(
    db: Database,
    case_id: int,
    actor: Actor,
    target: CaseStatus,
    reason: str | None,
    *,
    today: date,
    now: datetime,
) -> OwnerResult:
    """An explicit move (in progress, or not accepted with a reason)."""
    values: dict[str, object] = {}
    if needs_reason(target):
        if not reason:
            return OwnerResult(Done.REFUSED, refusal=FollowRefusal.WRONG_STATUS)
        values = {"rejection_reason": reason, "closed_on": today}
    return await _owner_act(
        db,
        case_id,
        actor,
        OwnerAct.STATUS,
        now=now,
        today=today,
        target=target.value,
        values=values,
    )


async def answer(
    db: Database, number: str, author_member_id: int, body: str, *, today: date, now: datetime
) -> OwnerResult:
    """The reporter answers the owner's question; None of this for anyone else's report."""
    async with db.session() as session:
        case = (await session.exec(select(Case).where(Case.number == number))).first()
        found = await _report(session, case.id) if case is not None and case.id else None
        if found is None or found[1].id != author_member_id:
            return OwnerResult(Done.GONE)
        case = found[0]
        assert case.id is not None
        wait = await session.get(CaseWait, case.id)
        if wait is None:
            return OwnerResult(Done.STALE)
        await add_message(
            session,
            case_id=case.id,
            direction="from_author",
            body=body,
            sent_on=today,
            anonymous=False,
            sent_at=now,
        )
        await session.delete(wait)
        audit.record(
            session,
            at=now,
            action="desk.answered",
            subject_type="case",
            subject_id=case.id,
            actor_member_id=author_member_id,
        )
        owner = await session.get(Member, case.owner_member_id) if case.owner_member_id else None
        await session.commit()
    change = _change(case, found[1], case.status, case.status)
    return OwnerResult(Done.DONE, change=change, owner=owner if owner and owner.active else None)
