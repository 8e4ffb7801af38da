"""The staff desk's queries: the inbox of open cases, and the case actions on named reports
(accept, reply to the reporter, close). Each action is one transaction: the rule check of
`domain.desk`, a conditional UPDATE on the version read (two staff acting at once cannot both
succeed), the audit event, one commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.desk import (
    INBOX_KINDS,
    INBOX_STATUSES,
    Action,
    Actor,
    CaseFacts,
    Refusal,
    is_transfer_target,
    refusal,
)
from domain.desk import result_status as next_status
from domain.roles import Role
from storage import audit
from storage.case_messages import add_message
from storage.db import Database
from storage.desk_dispatch import add_ledger_item
from storage.models import Case, Member, ReportAuthor, Unit
from storage.reports import StatusChange

REPORT = "report"


@dataclass(frozen=True)
class InboxLine:
    case_id: int
    kind: str
    number: str
    category_key: str
    unit_name: str | None
    status: str
    opened_on: date
    owner_member_id: int | None


@dataclass(frozen=True)
class InboxPage:
    items: tuple[InboxLine, ...]
    total: int


@dataclass(frozen=True)
class DeskCase:
    """A case as the desk's rules and card need it (no reporter identity)."""

    case_id: int
    kind: str
    number: str
    facts: CaseFacts
    owner_name: str | None


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # see `refusal`
    STALE = "stale"  # someone else changed the case between the read and the write
    GONE = "gone"  # no such named report


@dataclass(frozen=True)
class DeskResult:
    outcome: Outcome
    refusal: Refusal | None = None
    change: StatusChange | None = None  # for telling the reporter; set when DONE
    new_owner: Member | None = None  # after a transfer: whom to tell
    unit_heads: tuple[Member, ...] = ()  # after a dispatch: whom to tell


async def list_open(
    db: Database,
    *,
    kind: str | None = None,
    owner_member_id: int | None = None,
    offset: int = 0,
    limit: int = 8,
) -> InboxPage:
    """Open cases (received … answered), newest day first; optionally of one kind or owner."""
    kinds = (kind,) if kind is not None else INBOX_KINDS
    statuses = [s.value for s in INBOX_STATUSES]
    where: list[ColumnElement[bool]] = [
        col(Case.kind).in_(kinds),
        col(Case.status).in_(statuses),
    ]
    if owner_member_id is not None:
        where.append(col(Case.owner_member_id) == owner_member_id)
    async with db.session() as session:
        total = (await session.exec(select(func.count()).select_from(Case).where(*where))).one()
        rows = (
            await session.exec(
                select(Case, Unit)
                .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
                .where(*where)
                .order_by(col(Case.opened_on).desc(), col(Case.number).desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
    items = tuple(
        InboxLine(
            case_id=case.id or 0,
            kind=case.kind,
            number=case.number,
            category_key=case.category_key,
            unit_name=unit.name if unit is not None else None,
            status=case.status,
            opened_on=case.opened_on,
            owner_member_id=case.owner_member_id,
        )
        for case, unit in rows
    )
    return InboxPage(items=items, total=int(total))


async def desk_case(db: Database, case_id: int) -> DeskCase | None:
    """A report or complaint with its owner's name; None when there is no such case."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind not in INBOX_KINDS or case.id is None:
            return None
        owner = (
            await session.get(Member, case.owner_member_id)
            if case.owner_member_id is not None
            else None
        )
    return DeskCase(
        case_id=case.id,
        kind=case.kind,
        number=case.number,
        facts=CaseFacts(case.status, case.unit_id, case.owner_member_id),
        owner_name=owner.display_name if owner is not None else None,
    )


async def _report(session: AsyncSession, case_id: int) -> tuple[Case, Member] | None:
    row = (
        await session.exec(
            select(Case, Member)
            .join(ReportAuthor, col(ReportAuthor.case_id) == col(Case.id))
            .join(Member, col(Member.id) == col(ReportAuthor.member_id))
            .where(Case.id == case_id)
            .where(Case.kind == REPORT)
        )
    ).first()
    return None if row is None else (row[0], row[1])


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
        found = await _report(session, case_id)
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
        before, version, number = case.status, case.version, case.number
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
            await add_message(
                session,
                case_id=case_id,
                direction=direction,
                body=message,
                sent_on=today,
                anonymous=False,
                sent_at=now,
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
    change = StatusChange(
        changed=True,
        case_id=case_id,
        number=number,
        from_status=before,
        to_status=after,
        reporter_telegram_id=reporter.telegram_user_id if reporter.active else None,
        reporter_language=reporter.language,
    )
    return DeskResult(Outcome.DONE, change=change, new_owner=target, unit_heads=heads)


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
    """Store the owner's answer to the reporter; the case is answered (first answer's day)."""
    return await _act(
        db, case_id, actor, Action.REPLY, today=today, now=now, values={}, message=body
    )


async def close(
    db: Database, case_id: int, actor: Actor, summary: str, *, today: date, now: datetime
) -> DeskResult:
    """Close an answered report with the owner's closing summary."""
    return await _act(
        db,
        case_id,
        actor,
        Action.CLOSE,
        today=today,
        now=now,
        values={"closed_on": today, "closing_summary": summary},
    )


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


@dataclass(frozen=True)
class Colleague:
    member_id: int
    name: str
    unit_name: str


async def handlers_besides(db: Database, member_id: int | None) -> tuple[Colleague, ...]:
    """The active case handlers other than `member_id`, by unit and name."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Member, Unit)
                .join(Unit, col(Unit.id) == col(Member.unit_id))
                .where(Member.role == Role.HANDLER.value)
                .where(col(Member.active).is_(True))
                .order_by(col(Unit.code), col(Member.display_name))
            )
        ).all()
    return tuple(
        Colleague(m.id, m.display_name, u.name)
        for m, u in rows
        if m.id is not None and m.id != member_id
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
