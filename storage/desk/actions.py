"""The staff desk's case actions on any kind of case — a named report, an anonymous complaint,
an inspection finding: accept (谁受理谁负责), reply, close, transfer, dispatch. Each action is
one transaction: the rule check of `domain.desk.rules`, a conditional UPDATE on the version read
(two staff acting at once cannot both succeed), the audit event, one commit.

A complaint's reply and close go through `storage.cases.complaint_staff` after the desk's rule
check, so the hotline's anonymity rules (no instants, the push link erased when final) stay in one
place. The lists live in `storage.desk.filters`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.cases.lifecycle import CaseStatus
from domain.desk.rules import (
    INBOX_KINDS,
    Action,
    Actor,
    CaseFacts,
    Refusal,
    is_transfer_target,
    refusal,
)
from domain.desk.rules import result_status as next_status
from domain.membership.roles import Role
from storage import audit
from storage.cases import complaint_staff
from storage.cases.messages import add_message
from storage.cases.reports import StatusChange
from storage.db import Database
from storage.desk.dispatch import add_ledger_item
from storage.desk.filters import Colleague, InboxLine, InboxPage, handlers_besides, list_open
from storage.models import Case, InspectionFinding, Member, ReportAuthor, Unit

# The lists, re-exported for older callers.
__all__ = ["Colleague", "InboxLine", "InboxPage", "handlers_besides", "list_open"]
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


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # see `refusal`
    STALE = "stale"  # someone else changed the case between the read and the write
    GONE = "gone"  # no such case


@dataclass(frozen=True)
class DeskResult:
    outcome: Outcome
    refusal: Refusal | None = None
    change: StatusChange | None = None  # for telling the author; set when DONE
    new_owner: Member | None = None  # after a transfer: whom to tell
    unit_heads: tuple[Member, ...] = ()  # after a dispatch: whom to tell
    kind: str = "report"
    sealed_push: bytes | None = None  # a complaint's opted-in notice link (never a chat id)


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
    return DeskCase(
        case_id=case.id,
        kind=case.kind,
        number=case.number,
        facts=CaseFacts(case.status, case.unit_id, case.owner_member_id),
        owner_name=owner.display_name if owner is not None else None,
        category_key=case.category_key,
        unit_name=unit.name if unit is not None else None,
        opened_on=case.opened_on,
        description=case.description,
        inspector_name=inspector.display_name if inspector is not None else None,
    )


async def _case(session: AsyncSession, case_id: int) -> tuple[Case, Member | None] | None:
    """The case and, for a named report (or a finding recorded with an author), its author."""
    row = (
        await session.exec(
            select(Case, Member)
            .outerjoin(ReportAuthor, col(ReportAuthor.case_id) == col(Case.id))
            .outerjoin(Member, col(Member.id) == col(ReportAuthor.member_id))
            .where(Case.id == case_id)
            .where(col(Case.kind).in_(INBOX_KINDS))
        )
    ).first()
    if row is None:
        return None
    case, author = row
    return case, (author if case.kind != COMPLAINT else None)


async def _act(
    db: Database,
    case_id: int,
    actor: Actor,
    action: Action,
    *,
    today: date,
    now: datetime,
    values: dict[str, object],
    message: str | None = None,
    direction: str = "to_author",
    target_member_id: int | None = None,
    dispatch: tuple[date, str] | None = None,
) -> DeskResult:
    """Check `action`, apply `values` and the next status conditionally, audit, commit."""
    async with db.session() as session:
        found = await _case(session, case_id)
        if found is None:
            return DeskResult(Outcome.GONE)
        case, reporter = found
        facts = CaseFacts(case.status, case.unit_id, case.owner_member_id)
        refused = refusal(action, actor, facts)
        if refused is not None:
            return DeskResult(Outcome.REFUSED, refusal=refused)
        target: Member | None = None
        if action is Action.TRANSFER:
            target = await session.get(Member, target_member_id) if target_member_id else None
            role = Role(target.role) if target is not None and target.active else None
            if target is None or not is_transfer_target(role, target.id, case.owner_member_id):
                return DeskResult(Outcome.REFUSED, refusal=Refusal.BAD_TARGET)
            values = {**values, "owner_member_id": target.id}
        before, version, number, kind = case.status, case.version, case.number, case.kind
        after = next_status(action, before)
        if action is Action.REPLY and case.answered_on is None:
            values = {**values, "answered_on": today}
        moved = await session.exec(
            update(Case)
            .where(col(Case.id) == case_id)
            .where(col(Case.version) == version)
            .where(col(Case.status) == before)
            .values(status=after, version=version + 1, **values)
        )
        if moved.rowcount != 1:
            await session.rollback()
            return DeskResult(Outcome.STALE)
        heads: tuple[Member, ...] = ()
        if dispatch is not None and case.unit_id is not None:
            heads = await add_ledger_item(session, case, actor, dispatch, now)
        if message is not None:
            anonymous = kind == COMPLAINT  # a complaint keeps days, never instants
            await add_message(
                session,
                case_id=case_id,
                direction=direction,
                body=message,
                sent_on=today,
                anonymous=anonymous,
                sent_at=None if anonymous else now,
                staff_member_id=actor.member_id,
            )
        audit.record(
            session,
            at=now,
            action=f"desk.{action.value}",
            subject_type="case",
            subject_id=case_id,
            actor_member_id=actor.member_id,
            from_value=before,
            to_value=after,
        )
        try:
            await session.commit()
        except IntegrityError:  # another writer took the ledger's next 序号 at this moment
            await session.rollback()
            return DeskResult(Outcome.STALE)
    change = _change(case_id, number, before, after, reporter)
    return DeskResult(Outcome.DONE, change=change, new_owner=target, unit_heads=heads, kind=kind)


def _change(
    case_id: int, number: str, before: str, after: str, author: Member | None
) -> StatusChange:
    return StatusChange(
        changed=True,
        case_id=case_id,
        number=number,
        from_status=before,
        to_status=after,
        reporter_telegram_id=author.telegram_user_id if author and author.active else None,
        reporter_language=author.language if author else None,
    )


async def _complaint_step(
    db: Database, case_id: int, actor: Actor, action: Action
) -> tuple[DeskResult, str, str] | None:
    """For a complaint: the desk's refusal (or None to go on) with its pseudonym and status."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind != COMPLAINT:
            return None
        facts = CaseFacts(case.status, case.unit_id, case.owner_member_id)
        refused = refusal(action, actor, facts)
        verdict = DeskResult(Outcome.REFUSED, refusal=refused, kind=COMPLAINT)
        return (
            verdict if refused is not None else DeskResult(Outcome.DONE),
            case.number,
            case.status,
        )


def _from_hotline(
    result: complaint_staff.StaffResult, case_id: int, number: str, before: str, after: str
) -> DeskResult:
    if result.outcome is not complaint_staff.Outcome.DONE:
        outcome = Outcome.GONE if result.outcome is complaint_staff.Outcome.GONE else Outcome.STALE
        return DeskResult(outcome, kind=COMPLAINT)
    change = _change(case_id, number, before, after, None)
    return DeskResult(Outcome.DONE, change=change, kind=COMPLAINT, sealed_push=result.sealed_push)


async def accept(
    db: Database, case_id: int, actor: Actor, *, today: date, now: datetime
) -> DeskResult:
    """谁受理谁负责: the actor becomes the owner; acknowledged today."""
    return await _act(
        db,
        case_id,
        actor,
        Action.ACCEPT,
        today=today,
        now=now,
        values={"owner_member_id": actor.member_id, "acknowledged_on": today},
    )


async def reply(
    db: Database, case_id: int, actor: Actor, body: str, *, today: date, now: datetime
) -> DeskResult:
    """Store the owner's answer to the author; the case is answered (first answer's day).
    A complaint's answer is stored as the hotline stores it (read through the receipt)."""
    step = await _complaint_step(db, case_id, actor, Action.REPLY)
    if step is None:
        return await _act(
            db, case_id, actor, Action.REPLY, today=today, now=now, values={}, message=body
        )
    verdict, number, before = step
    if verdict.outcome is not Outcome.DONE:
        return verdict
    result = await complaint_staff.reply(
        db, number, body, member_id=actor.member_id, now=now, today=today
    )
    return _from_hotline(result, case_id, number, before, CaseStatus.ANSWERED)


async def close(
    db: Database, case_id: int, actor: Actor, summary: str, *, today: date, now: datetime
) -> DeskResult:
    """Close an answered case with the owner's closing summary (a complaint through the
    hotline's own close, which erases its notice link)."""
    step = await _complaint_step(db, case_id, actor, Action.CLOSE)
    if step is None:
        return await _act(
            db,
            case_id,
            actor,
            Action.CLOSE,
            today=today,
            now=now,
            values={"closed_on": today, "closing_summary": summary},
        )
    verdict, number, before = step
    if verdict.outcome is not Outcome.DONE:
        return verdict
    result = await complaint_staff.finish(
        db, number, CaseStatus.CLOSED, member_id=actor.member_id, now=now, today=today
    )
    if result.outcome is complaint_staff.Outcome.DONE:
        async with db.session() as session:  # the summary is staff-only, like a report's
            await session.exec(
                update(Case).where(col(Case.id) == case_id).values(closing_summary=summary)
            )
            await session.commit()
    return _from_hotline(result, case_id, number, before, CaseStatus.CLOSED)


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
    """Hand the case to another active handler; the reason is kept as an internal note."""
    return await _act(
        db,
        case_id,
        actor,
        Action.TRANSFER,
        today=today,
        now=now,
        values={},
        message=reason,
        direction="internal",
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
    return await _act(
        db,
        case_id,
        actor,
        Action.DISPATCH,
        today=today,
        now=now,
        values={},
        dispatch=(deadline, requirement),
    )
