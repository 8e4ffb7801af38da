"""The staff desk's case actions on any kind of case — a named report, an anonymous complaint,
an inspection finding: accept (谁受理谁负责), reply, close, transfer, dispatch. Each action is
one move through `storage.cases.transitions` with the rule of `domain.desk.rules` and the rows
it writes with the move (the message, the ledger item).

A complaint's reply and close set what the hotline's own reply and close set
(`storage.cases.complaint_staff`): days, never instants; the push link erased when final.
The lists live in `storage.desk.filters`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import desk_move
from domain.cases.lifecycle import CaseAction
from domain.cases.outcome import Outcome
from domain.desk.rules import (
    INBOX_KINDS,
    Action,
    Actor,
    CaseFacts,
    Refusal,
    is_transfer_target,
    refusal,
)
from domain.membership.roles import Role
from storage.cases import complaint_staff, sealing
from storage.cases.accountability import ClosingRecord, write_record
from storage.cases.complaint_staff import push_link
from storage.cases.loop import answered_notice, last_answer
from storage.cases.messages import add_message
from storage.cases.reports import StatusChange, author_of
from storage.cases.transitions import Step, move_case
from storage.db import Database
from storage.desk.dispatch import add_ledger_item
from storage.desk.filters import Colleague, InboxLine, InboxPage, list_open, officers_besides
from storage.models import Case, CaseIntake, InspectionFinding, Member, Unit

# The lists, re-exported for older callers.
__all__ = ["Colleague", "InboxLine", "InboxPage", "list_open", "officers_besides"]
COMPLAINT = "complaint"


@dataclass(frozen=True)
class DeskCase:
    """A case as the desk's rules and cards need it (no reporter identity)."""

    case_id: int
    kind: str
    number: str
    facts: CaseFacts
    owner_name: str | None
    category_key: str = ""
    unit_name: str | None = None
    opened_on: date | None = None
    description: str = ""
    inspector_name: str | None = None  # a finding's inspector (staff; shown in private only)
    channel: str = "chat"  # where it came from (storage.cases.intake)


@dataclass(frozen=True)
class DeskResult:
    outcome: Outcome
    refusal: Refusal | None = None
    change: StatusChange | None = None  # for telling the author; set when OK
    new_owner: Member | None = None  # after a transfer: whom to tell
    unit_heads: tuple[Member, ...] = ()  # after a dispatch: whom to tell
    kind: str = "report"
    sealed_push: bytes | None = None  # a complaint's opted-in notice link (never a chat id)
    status: str | None = None  # where the case stands when the move was not made


async def desk_case(db: Database, case_id: int) -> DeskCase | None:
    """A case of the inbox's kinds with its owner's and unit's names; None when there is none."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind not in INBOX_KINDS or case.id is None:
            return None
        owner = (
            await session.get(Member, case.owner_member_id)
            if case.owner_member_id is not None
            else None
        )
        unit = await session.get(Unit, case.unit_id) if case.unit_id is not None else None
        inspector = None
        if case.kind == "finding":
            found = await session.get(InspectionFinding, case.id)
            member_id = found.inspector_member_id if found is not None else None
            inspector = await session.get(Member, member_id) if member_id is not None else None
        words = await sealing.opener(session, [case.id])
        intake = await session.get(CaseIntake, case.id)
    return DeskCase(
        case_id=case.id,
        kind=case.kind,
        number=case.number,
        facts=CaseFacts(case.status, case.unit_id, case.owner_member_id),
        owner_name=owner.display_name if owner is not None else None,
        category_key=case.category_key,
        unit_name=unit.name if unit is not None else None,
        opened_on=case.opened_on,
        description=words.text(case.id, "description", case.description),
        inspector_name=inspector.display_name if inspector is not None else None,
        channel=intake.channel if intake is not None else "chat",
    )


def _check(
    action: Action, actor: Actor, target_member_id: int | None = None
) -> Callable[[AsyncSession, Case], Awaitable[Refusal | None]]:
    """The desk's rule for `action` (and, for a transfer, whether the target may take it)."""

    async def check(session: AsyncSession, case: Case) -> Refusal | None:
        refused = refusal(action, actor, CaseFacts(case.status, case.unit_id, case.owner_member_id))
        if refused is None and action is Action.TRANSFER:
            target = await session.get(Member, target_member_id) if target_member_id else None
            role = Role(target.role) if target is not None and target.active else None
            if target is None or not is_transfer_target(role, target.id, case.owner_member_id):
                return Refusal.BAD_TARGET
        return refused

    return check


@dataclass(frozen=True)
class _Told:
    """Whom a desk move tells, read in its transaction."""

    new_owner: Member | None = None
    unit_heads: tuple[Member, ...] = ()
    sealed_push: bytes | None = None
    author: Member | None = None


async def _move(
    db: Database,
    case_id: int,
    actor: Actor,
    action: Action,
    *,
    now: datetime,
    values: Mapping[str, object] | None = None,
    rows: Callable[[AsyncSession, Case], Awaitable[_Told]] | None = None,
    target_member_id: int | None = None,
) -> DeskResult:
    """`action` through the one case transition, audited as the desk's; its result for the desk."""

    async def told(session: AsyncSession, case: Case) -> _Told:
        found = await rows(session, case) if rows is not None else _Told()
        author = await author_of(session, case_id) if case.kind != COMPLAINT else None
        return replace(found, author=author)

    step: Step[Refusal, _Told] = Step(
        INBOX_KINDS,
        desk_move(action),
        values=values or {},
        check=_check(action, actor, target_member_id),
        rows=told,
    )
    moved = await move_case(db, case_id, CaseAction(action), actor.member_id, step, now=now)
    kind = moved.case.kind if moved.case is not None else "report"
    if moved.outcome is not Outcome.OK or moved.case is None or moved.rows is None:
        status = moved.case.status if moved.case is not None else None
        return DeskResult(moved.outcome, refusal=moved.refusal, kind=kind, status=status)
    extra, author = moved.rows, moved.rows.author
    change = StatusChange(
        changed=True,
        case_id=case_id,
        number=moved.case.number,
        from_status=moved.before,
        to_status=moved.after,
        reporter_telegram_id=author.telegram_user_id if author and author.active else None,
        reporter_language=author.language if author else None,
    )
    return DeskResult(
        Outcome.OK,
        change=change,
        new_owner=extra.new_owner,
        unit_heads=extra.unit_heads,
        kind=kind,
        sealed_push=extra.sealed_push,
    )


def _message(
    case_id: int,
    body: str,
    actor: Actor,
    today: date,
    now: datetime,
    *,
    direction: str = "to_author",
) -> Callable[[AsyncSession, Case], Awaitable[_Told]]:
    """A message in the case's thread; a complaint keeps days, never instants (and answers
    through the push link its complainant opted in to)."""

    async def rows(session: AsyncSession, case: Case) -> _Told:
        anonymous = case.kind == COMPLAINT
        await add_message(
            session,
            case_id=case_id,
            direction=direction,
            body=body,
            sent_on=today,
            anonymous=anonymous,
            sent_at=None if anonymous else now,
            staff_member_id=actor.member_id,
        )
        answer = anonymous and direction == "to_author"
        return _Told(sealed_push=await push_link(session, case, erase=False) if answer else None)

    return rows


async def _kind(db: Database, case_id: int) -> str | None:
    async with db.session() as session:
        case = await session.get(Case, case_id)
    return case.kind if case is not None else None


async def accept(
    db: Database, case_id: int, actor: Actor, *, today: date, now: datetime
) -> DeskResult:
    """谁受理谁负责: the actor becomes the owner; acknowledged today."""
    values = {
        "owner_member_id": actor.member_id,
        "acknowledged_on": func.coalesce(col(Case.acknowledged_on), today),
    }
    return await _move(db, case_id, actor, Action.ACCEPT, now=now, values=values)


async def reply(
    db: Database, case_id: int, actor: Actor, body: str, *, today: date, now: datetime
) -> DeskResult:
    """Store the owner's answer to the author; the case is answered (a report on its first
    answer's day). A complaint's answer is stored as the hotline stores it (read through the
    receipt)."""
    complaint = await _kind(db, case_id) == COMPLAINT
    values = (
        complaint_staff.answered(today)
        if complaint
        else {"answered_on": func.coalesce(col(Case.answered_on), today)}
    )
    rows = _message(case_id, body, actor, today, now)
    return await _move(db, case_id, actor, Action.REPLY, now=now, values=values, rows=rows)


async def close(
    db: Database,
    case_id: int,
    actor: Actor,
    summary: str,
    *,
    today: date,
    now: datetime,
    record: ClosingRecord | None = None,
) -> DeskResult:
    """Close an answered case with the owner's closing summary (staff-only) and what it found
    and who was held accountable (`record`, written with the move); a complaint's notice link
    is taken for the last notice and erased; a report's author gets the last answer through the
    outbox and is asked to rate the handling (回访)."""
    complaint = await _kind(db, case_id) == COMPLAINT
    values = (
        complaint_staff.finished(today, closing_summary=summary)
        if complaint
        else {"closed_on": today, "closing_summary": summary}
    )

    async def rows(session: AsyncSession, case: Case) -> _Told:
        if record is not None:
            await write_record(session, case, record, actor.member_id, today)
        if case.kind == COMPLAINT:
            return _Told(sealed_push=await push_link(session, case))
        answer = await last_answer(session, case_id)  # 回访: the reporter is asked to rate it
        await answered_notice(session, case, answer or summary, now)
        return _Told()

    return await _move(db, case_id, actor, Action.CLOSE, now=now, values=values, rows=rows)


async def answer(
    db: Database,
    case_id: int,
    actor: Actor,
    body: str,
    *,
    today: date,
    now: datetime,
    record: ClosingRecord | None = None,
) -> DeskResult:
    """答复办结: once its item is verified, the owner answers the person and closes the case in
    one move (the answer is also the closing summary), with what it found and who was held
    accountable (`record`, written with the move as `close` writes it). A report's author is
    told through the outbox and asked to rate; a complaint's reads it with /status (its push
    link taken for a last notice and erased, as any close does)."""
    first = func.coalesce(col(Case.answered_on), today)
    values = {
        "answered_on": first,
        "acknowledged_on": func.coalesce(col(Case.acknowledged_on), today),
        "closed_on": today,
        "closing_summary": body,
    }
    message = _message(case_id, body, actor, today, now)

    async def rows(session: AsyncSession, case: Case) -> _Told:
        if record is not None:
            await write_record(session, case, record, actor.member_id, today)
        await message(session, case)
        await answered_notice(session, case, body, now)
        sealed = await push_link(session, case) if case.kind == COMPLAINT else None
        return _Told(sealed_push=sealed)

    return await _move(db, case_id, actor, Action.ANSWER, now=now, values=values, rows=rows)


async def transfer(
    db: Database,
    case_id: int,
    actor: Actor,
    target_member_id: int,
    reason: str,
    *,
    today: date,
    now: datetime,
) -> DeskResult:
    """Hand the case to another active case officer; the reason is kept as an internal note."""
    note = _message(case_id, reason, actor, today, now, direction="internal")

    async def rows(session: AsyncSession, case: Case) -> _Told:
        await note(session, case)
        return _Told(new_owner=await session.get(Member, target_member_id))

    return await _move(
        db,
        case_id,
        actor,
        Action.TRANSFER,
        now=now,
        values={"owner_member_id": target_member_id},
        rows=rows,
        target_member_id=target_member_id,
    )


async def dispatch(
    db: Database,
    case_id: int,
    actor: Actor,
    deadline: date,
    requirement: str,
    *,
    today: date,
    now: datetime,
) -> DeskResult:
    """派单: the case becomes an item on its unit's ledger with a deadline and the
    rectification requirement; the case is in progress. One transaction."""

    async def rows(session: AsyncSession, case: Case) -> _Told:
        return _Told(
            unit_heads=await add_ledger_item(session, case, actor, (deadline, requirement), now)
        )

    return await _move(db, case_id, actor, Action.DISPATCH, now=now, rows=rows)
