"""The owner's follow-ups on a named report: a file sent to the reporter as a reply, a question
(the case then waits for the reporter) and an explicit status change, each a move through
`storage.cases.transitions`; and the reporter's answer. Audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject, desk_move
from domain.cases.lifecycle import CaseAction, CaseStatus
from domain.cases.outcome import Outcome
from domain.desk.followup import (
    FollowRefusal,
    OwnerAct,
    explicit_targets,
    needs_reason,
    owner_refusal,
)
from domain.desk.rules import INBOX_KINDS, Actor, CaseFacts
from storage import audit
from storage.cases.messages import add_message
from storage.cases.reports import StatusChange, author_of
from storage.cases.transitions import Step, move_case
from storage.db import Database
from storage.desk.notes import FileRef, evidence_for
from storage.models import Case, CaseWait, Member

# The case's move for each of the owner's acts (an explicit status: the lifecycle's SET).
_ACTIONS = {
    OwnerAct.FILE_TO_AUTHOR: CaseAction.REPLY,
    OwnerAct.ASK: CaseAction.ASK,
    OwnerAct.STATUS: CaseAction.SET,
}


@dataclass(frozen=True)
class OwnerResult:
    outcome: Outcome
    refusal: FollowRefusal | None = None
    change: StatusChange | None = None  # whom to tell and what (set when OK)
    owner: Member | None = None  # after the reporter's answer: whom to tell


async def _report(session: AsyncSession, case_id: int) -> tuple[Case, Member] | None:
    case = await session.get(Case, case_id)
    author = await author_of(session, case_id) if case is not None else None
    return None if case is None or author is None else (case, author)


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
    target: CaseStatus | None = None,
    values: Mapping[str, object] | None = None,
    rows: Callable[[AsyncSession, Case], Awaitable[None]] | None = None,
) -> OwnerResult:
    """`act` through the one case transition: the owner's rule, the case's wait for an answer
    ended (a question starts a new one in `rows`), audited as the desk's."""
    async with db.session() as session:
        found = await _report(session, case_id)
    if found is None:
        return OwnerResult(Outcome.GONE)
    reporter = found[1]

    async def check(_session: AsyncSession, case: Case) -> FollowRefusal | None:
        facts = CaseFacts(case.status, case.unit_id, case.owner_member_id)
        refused = owner_refusal(act, actor, case.kind, facts)
        if (
            refused is None
            and act is OwnerAct.STATUS
            and target not in explicit_targets(case.status)
        ):
            return FollowRefusal.WRONG_STATUS
        return refused

    async def written(session: AsyncSession, _case: Case) -> None:
        await session.exec(delete(CaseWait).where(col(CaseWait.case_id) == case_id))
        if rows is not None:
            await rows(session, _case)

    step: Step[FollowRefusal, None] = Step(
        INBOX_KINDS, desk_move(act), target, values or {}, check, written
    )
    moved = await move_case(db, case_id, _ACTIONS[act], actor.member_id, step, now=now)
    if moved.outcome is not Outcome.OK or moved.case is None:
        return OwnerResult(moved.outcome, refusal=moved.refusal)
    return OwnerResult(Outcome.OK, change=_change(moved.case, reporter, moved.before, moved.after))


def _to_reporter(
    case_id: int,
    actor: Actor,
    body: str,
    *,
    today: date,
    now: datetime,
    file: FileRef | None = None,
    wait: bool = False,
) -> Callable[[AsyncSession, Case], Awaitable[None]]:
    """A message to the reporter, with its file; with `wait`, the case waits for the answer."""

    async def rows(session: AsyncSession, _case: Case) -> None:
        sent = await add_message(
            session,
            case_id=case_id,
            direction="to_author",
            body=body,
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

    return rows


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
    return await _owner_act(
        db,
        case_id,
        actor,
        OwnerAct.FILE_TO_AUTHOR,
        now=now,
        values={"answered_on": func.coalesce(col(Case.answered_on), today)},
        rows=_to_reporter(case_id, actor, caption, today=today, now=now, file=file),
    )


async def ask(
    db: Database, case_id: int, actor: Actor, question: str, *, today: date, now: datetime
) -> OwnerResult:
    """A question for the reporter: the status stays, the case waits for the answer."""
    rows = _to_reporter(case_id, actor, question, today=today, now=now, wait=True)
    return await _owner_act(db, case_id, actor, OwnerAct.ASK, now=now, rows=rows)


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
            return OwnerResult(Outcome.REFUSED, refusal=FollowRefusal.WRONG_STATUS)
        values = {"rejection_reason": reason, "closed_on": today}
    return await _owner_act(
        db, case_id, actor, OwnerAct.STATUS, now=now, target=target, values=values
    )


async def answer(
    db: Database, number: str, author_member_id: int, body: str, *, today: date, now: datetime
) -> OwnerResult:
    """The reporter answers the owner's question; None of this for anyone else's report."""
    async with db.session() as session:
        case = (await session.exec(select(Case).where(Case.number == number))).first()
        found = await _report(session, case.id) if case is not None and case.id else None
        if found is None or found[1].id != author_member_id:
            return OwnerResult(Outcome.GONE)
        case = found[0]
        assert case.id is not None
        wait = await session.get(CaseWait, case.id)
        if wait is None:
            return OwnerResult(Outcome.STALE)
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
            action=AuditAction.DESK_ANSWERED,
            subject_type=AuditSubject.CASE,
            subject_id=case.id,
            actor_member_id=author_member_id,
        )
        owner = await session.get(Member, case.owner_member_id) if case.owner_member_id else None
        await session.commit()
    change = _change(case, found[1], case.status, case.status)
    return OwnerResult(Outcome.OK, change=change, owner=owner if owner and owner.active else None)
