"""The loop of a case in storage: the notices each step writes into the reminder outbox in the
step's own transaction (the one paced sender delivers them; a notice is never sent for a change
that was not committed, nor twice), the facts of the prepared answer, and the person's rating
with its consequence — stored, the case re-handled (重办), or escalated.

A complainant's own act writes no outbox row and no audit row: a row with an instant would
place the act in time (docs/anonymity.md). Their re-handling tells the owner and the staff chat
directly (handlers), and the case keeps only the day it reopened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction
from domain.cases.lifecycle import CaseAction, CaseStatus
from domain.cases.loop import Notice, Verdict, notice_slot, verdict
from domain.cases.outcome import Outcome
from domain.membership.roles import Role
from domain.reminders.due import STAFF, Due, Rule, member_recipient
from storage.cases.complaints import day_mark
from storage.cases.messages import add_message
from storage.cases.reports import author_of
from storage.cases.transitions import Step, move_case
from storage.db import Database
from storage.models import (
    Case,
    CaseMessage,
    ComplaintRating,
    Evidence,
    LedgerItem,
    LedgerProgress,
    Member,
    Unit,
)
from storage.reminders.outbox import add_in

COMPLAINT = "complaint"
KINDS: tuple[str, ...] = ("report", "complaint", "finding")


def _due(
    notice: Notice,
    subject: str,
    recipients: list[str],
    mark: object,
    payload: Mapping[str, object],
    now: datetime,
    unit_id: int | None = None,
) -> list[Due]:
    facts = {"notice": notice.value, **payload}
    slot = notice_slot(notice, mark)
    unique = list(dict.fromkeys(recipients))
    return [Due(Rule.CASE_NOTICE, subject, r, slot, now, unit_id, facts) for r in unique]


async def _unit_name(session: AsyncSession, unit_id: int | None) -> str:
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else ""


async def item_notices(
    session: AsyncSession,
    item: LedgerItem,
    case: Case | None,
    action: CaseAction | None,
    *,
    actor_member_id: int | None,
    note: str | None,
    now: datetime,
) -> int:
    """The notices of an item's move (written with it): rectified → the case owner, with the
    unit's account and how many files; verified by someone else → the owner, to answer;
    sent back → the unit's heads and the member responsible, with the reason."""
    assert item.id is not None
    mark = f"{item.id}.{item.version}"
    unit = await _unit_name(session, item.unit_id)
    facts: dict[str, object] = {
        "item_id": item.id,
        "seq": item.seq,
        "unit": unit,
        "description": item.description[:200],
    }
    if case is not None:
        facts |= {"case_id": case.id, "number": case.number, "kind": case.kind}
    dues: list[Due] = []
    owner = case.owner_member_id if case is not None else None
    to_owner = [member_recipient(owner)] if owner is not None else []
    subject = f"case:{case.id}" if case is not None else f"item:{item.id}"
    if action is CaseAction.RECTIFY and to_owner:
        files = (
            await session.exec(
                select(func.count()).select_from(Evidence).where(Evidence.ledger_item_id == item.id)
            )
        ).one()
        by = await session.get(Member, actor_member_id) if actor_member_id is not None else None
        facts |= {"note": note or "", "files": int(files), "by": by.display_name if by else ""}
        dues += _due(Notice.RECTIFIED, subject, to_owner, mark, facts, now)
    elif action is CaseAction.VERIFY and to_owner and owner != actor_member_id:
        dues += _due(Notice.VERIFIED, subject, to_owner, mark, facts, now)
    elif action is CaseAction.SEND_BACK:
        heads = (
            await session.exec(
                select(Member.id)
                .where(Member.unit_id == item.unit_id)
                .where(Member.role == Role.UNIT_HEAD.value)
                .where(col(Member.active).is_(True))
            )
        ).all()
        told = [member_recipient(h) for h in heads if h is not None]
        if item.responsible_member_id is not None:
            told.append(member_recipient(item.responsible_member_id))
        facts |= {"reason": note or ""}
        dues += _due(Notice.SENT_BACK, f"item:{item.id}", told, mark, facts, now, item.unit_id)
    return await add_in(session, dues, now=now) if dues else 0


async def answered_notice(session: AsyncSession, case: Case, body: str, now: datetime) -> int:
    """The answer to a report's author, with the question how satisfied they are (written with
    the move that answers and closes). A complaint's author reads it with /status instead."""
    if case.kind == COMPLAINT or case.id is None:
        return 0
    author = await author_of(session, case.id)
    if author is None or author.id is None or not author.active:
        return 0
    facts = {"case_id": case.id, "number": case.number, "kind": case.kind, "answer": body}
    dues = _due(
        Notice.ANSWERED,
        f"case:{case.id}",
        [member_recipient(author.id)],
        case.rehandled,
        facts,
        now,
    )
    return await add_in(session, dues, now=now)


async def last_answer(session: AsyncSession, case_id: int) -> str | None:
    """The latest answer to the case's author (None: never answered)."""
    return (
        await session.exec(
            select(CaseMessage.body)
            .where(CaseMessage.case_id == case_id)
            .where(CaseMessage.direction == "to_author")
            .order_by(col(CaseMessage.seq).desc())
        )
    ).first()


@dataclass(frozen=True)
class AnswerFacts:
    """What a prepared answer is made of: the case and what its unit did."""

    number: str
    kind: str
    unit: str
    measure: str | None
    account: str | None  # the unit's note when it marked the item rectified
    verified_on: datetime | None


async def answer_facts(db: Database, case_id: int) -> AnswerFacts | None:
    """The case and its latest verified item (None: no such case)."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind not in KINDS:
            return None
        item = (
            await session.exec(
                select(LedgerItem)
                .where(LedgerItem.source_case_id == case_id)
                .where(LedgerItem.status == "verified")
                .order_by(col(LedgerItem.id).desc())
            )
        ).first()
        account = None
        if item is not None:
            account = (
                await session.exec(
                    select(LedgerProgress.note)
                    .where(LedgerProgress.item_id == item.id)
                    .where(LedgerProgress.kind == "rectified")
                    .order_by(col(LedgerProgress.id).desc())
                )
            ).first()
        unit = await _unit_name(session, item.unit_id if item else case.unit_id)
    return AnswerFacts(
        number=case.number,
        kind=case.kind,
        unit=unit,
        measure=item.measure or item.requirement if item is not None else None,
        account=account,
        verified_on=item.verified_at if item is not None else None,
    )


class RateRefusal(StrEnum):
    NOT_AUTHOR = "not_author"  # only the report's author rates it
    NOT_CLOSED = "not_closed"  # rated once it is closed (answered and closed)
    RATED = "rated"  # this round was rated already


@dataclass(frozen=True)
class Rated:
    outcome: Outcome
    refusal: RateRefusal | None = None
    verdict: Verdict | None = None
    case_id: int | None = None
    number: str = ""
    kind: str = "report"
    owner: Member | None = None  # whom a re-handling or an escalation concerns


async def _rate_refusal(
    session: AsyncSession, case: Case, author_member_id: int | None
) -> RateRefusal | None:
    if case.kind != COMPLAINT:
        author = await author_of(session, case.id or 0)
        if author is None or author_member_id is None or author.id != author_member_id:
            return RateRefusal.NOT_AUTHOR
    if case.status != CaseStatus.CLOSED:
        return RateRefusal.NOT_CLOSED
    if await session.get(ComplaintRating, case.id) is not None:
        return RateRefusal.RATED
    return None


async def rate_refusal(
    db: Database, case_id: int, *, author_member_id: int | None
) -> RateRefusal | None:
    """Why this person may not rate the case now (None: they may); asked before a reason is."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind not in ("report", COMPLAINT):
            return RateRefusal.NOT_AUTHOR
        return await _rate_refusal(session, case, author_member_id)


async def rate(
    db: Database,
    case_id: int,
    rating: str,
    reason: str | None,
    *,
    author_member_id: int | None,
    today: date,
    now: datetime,
) -> Rated:
    """The person's rating of a closed case (回访): a report by its author (`author_member_id`),
    a complaint by whoever holds its receipt (the caller checked it; None here).

    Satisfied, or dissatisfied after re-handling: the rating is stored (the latter escalated to
    the staff chat: a report's through the outbox here, a complaint's by the caller). A first
    dissatisfaction reopens the case to its owner (重办) with the reason in its thread and a
    clock of its own (`reopened_on`); no rating is stored for that round."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind not in ("report", COMPLAINT):
            return Rated(Outcome.GONE)
        refused = await _rate_refusal(session, case, author_member_id)
        if refused is not None:
            return Rated(Outcome.REFUSED, refused, case_id=case_id, number=case.number)
        owner = (
            await session.get(Member, case.owner_member_id)
            if case.owner_member_id is not None
            else None
        )
        decided = verdict(rating, case.rehandled)
        kind, number = case.kind, case.number
        if decided is not Verdict.REHANDLE:
            session.add(
                ComplaintRating(case_id=case_id, rating=rating, comment=reason, rated_on=today)
            )
            if decided is Verdict.ESCALATE and kind != COMPLAINT:
                facts = {
                    "case_id": case_id,
                    "number": number,
                    "kind": kind,
                    "reason": reason or "",
                    "owner": owner.display_name if owner is not None else "",
                }
                dues = _due(
                    Notice.ESCALATED, f"case:{case_id}", [STAFF], case.rehandled, facts, now
                )
                await add_in(session, dues, now=now)
            try:
                await session.commit()
            except IntegrityError:  # a second press at the same moment: rated once
                await session.rollback()
                return Rated(Outcome.REFUSED, RateRefusal.RATED, case_id=case_id, number=number)
            return Rated(Outcome.OK, None, decided, case_id, number, kind, owner)
    return await _rehandle(
        db, case_id, reason or "", author_member_id=author_member_id, today=today, now=now
    )


async def _rehandle(
    db: Database,
    case_id: int,
    reason: str,
    *,
    author_member_id: int | None,
    today: date,
    now: datetime,
) -> Rated:
    """重办: the case is back with its owner (accepted), its round counted and dated."""

    async def check(session: AsyncSession, case: Case) -> RateRefusal | None:
        refused = await _rate_refusal(session, case, author_member_id)
        if refused is None and verdict("dissatisfied", case.rehandled) is not Verdict.REHANDLE:
            return RateRefusal.RATED  # re-handled meanwhile by another press
        return refused

    async def rows(session: AsyncSession, case: Case) -> Member | None:
        assert case.id is not None
        complaint = case.kind == COMPLAINT
        await add_message(
            session,
            case_id=case.id,
            direction="from_author",
            body=reason,
            sent_on=today,
            anonymous=complaint,
            sent_at=None if complaint else now,
        )
        owner = (
            await session.get(Member, case.owner_member_id)
            if case.owner_member_id is not None
            else None
        )
        if not complaint and owner is not None and owner.id is not None:
            facts = {"case_id": case.id, "number": case.number, "kind": case.kind, "reason": reason}
            round_ = case.rehandled + 1
            dues = _due(
                Notice.REOPENED, f"case:{case.id}", [member_recipient(owner.id)], round_, facts, now
            )
            await add_in(session, dues, now=now)
        return owner

    async with db.session() as session:
        found = await session.get(Case, case_id)
        kind = found.kind if found is not None else COMPLAINT
    complaint = kind == COMPLAINT
    step: Step[RateRefusal, Member | None] = Step(
        (kind,),
        None if complaint else AuditAction.CASE_REHANDLE,  # a complainant's own act: no audit row
        values={"rehandled": col(Case.rehandled) + 1, "reopened_on": today},
        check=check,
        rows=rows,
    )
    actor = None if complaint else author_member_id
    moved = await move_case(
        db, case_id, CaseAction.REHANDLE, actor, step, now=day_mark(today) if complaint else now
    )
    case = moved.case
    number = case.number if case is not None else ""
    if moved.outcome is not Outcome.OK:
        return Rated(moved.outcome, moved.refusal, case_id=case_id, number=number, kind=kind)
    return Rated(Outcome.OK, None, Verdict.REHANDLE, case_id, number, kind, moved.rows)
