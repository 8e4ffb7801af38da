"""Extensions (延期) of ledger items: a unit head's request, its decision by the case owner or
the unit's superior, and what the card shows of them. Each operation is one unit of work with
its audit event; the rules are `domain.ledger.extensions`.

A request bumps the item's version (two heads asking at once: one request); a decision moves
the request from pending once (a second press, or a replay, finds it decided and changes
nothing). Approval moves the deadline reminders follow and the one lateness counts against;
the deadline asked against stays on the request and in the item's deadline history.

The request's notice to whoever decides it, and the decision's to the head who asked, are
written into the reminder outbox with the change (the one paced sender delivers them: never for
a change that was not committed, never twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.cases.loop import Notice, notice_slot
from domain.cases.outcome import Outcome
from domain.ledger.extensions import (
    Decider,
    ExtensionProblem,
    ExtensionStatus,
    day_problem,
    decider_for,
    may_decide,
    request_problem,
)
from domain.ledger.rules import Actor, ItemFacts
from domain.reminders.due import Due, Rule, chat_recipient, member_recipient
from storage import audit
from storage.db import Database
from storage.models import Case, LedgerDeadlineChange, LedgerExtension, LedgerItem, Member, Unit
from storage.reminders.outbox import add_in

SUBJECT = AuditSubject.LEDGER_ITEM


@dataclass(frozen=True)
class Asked:
    """A request's result: the request and whom to tell (when OK), or why not."""

    outcome: Outcome
    problem: ExtensionProblem | None = None
    extension: LedgerExtension | None = None
    item: LedgerItem | None = None
    unit_name: str = ""
    decider: Decider | None = None
    decider_chat: int | None = None  # the Telegram chat of whoever decides (None: nobody)


@dataclass(frozen=True)
class Decided:
    outcome: Outcome  # REFUSED: not theirs to decide; FINAL: decided already
    extension: LedgerExtension | None = None
    item: LedgerItem | None = None
    unit_name: str = ""


def _facts(item: LedgerItem) -> ItemFacts:
    return ItemFacts(
        item.unit_id,
        item.status,
        item.responsible_member_id,
        item.rectified_by_member_id,
        item.bureau_deadline,
    )


async def _pending(session: AsyncSession, item_id: int) -> LedgerExtension | None:
    return (
        await session.exec(
            select(LedgerExtension)
            .where(LedgerExtension.item_id == item_id)
            .where(LedgerExtension.status == ExtensionStatus.PENDING.value)
        )
    ).first()


async def _superior_code(session: AsyncSession, unit: Unit, superiors: Mapping[str, int]) -> str:
    """The unit's code, or its nearest parent's that has a superior set."""
    current: Unit | None = unit
    while current is not None:
        if current.code in superiors:
            return current.code
        current = await session.get(Unit, current.parent_id) if current.parent_id else None
    return unit.code


async def _decider(
    session: AsyncSession, item: LedgerItem, unit: Unit, superiors: Mapping[str, int]
) -> Decider:
    owner = None
    if item.source_case_id is not None:
        case = await session.get(Case, item.source_case_id)
        owner = case.owner_member_id if case is not None else None
    code = await _superior_code(session, unit, superiors)
    return decider_for(owner, item.source_case_id is not None, code, dict(superiors))


def _notice(
    notice: Notice,
    recipient: str,
    ext: LedgerExtension,
    item: LedgerItem,
    unit: Unit,
    now: datetime,
) -> Due:
    """The outbox row of a request's or a decision's notice (its words: handlers)."""
    facts: dict[str, object] = {
        "notice": notice.value,
        "extension_id": ext.id,
        "item_id": item.id,
        "seq": item.seq,
        "unit": unit.name,
        "description": item.description[:200],
        "old": ext.from_deadline.isoformat(),
        "new": ext.to_deadline.isoformat(),
        "reason": ext.reason[:500],
        "status": ext.status,
    }
    slot = notice_slot(notice, ext.id)
    return Due(Rule.CASE_NOTICE, f"item:{item.id}", recipient, slot, now, unit.id, facts)


async def _decider_recipient(session: AsyncSession, decider: Decider) -> tuple[str, int] | None:
    """(outbox recipient, chat) of whoever decides, or None when nobody can be reached."""
    member: Member | None
    if decider.member_id is not None:
        member = await session.get(Member, decider.member_id)
    else:
        member = (
            await session.exec(
                select(Member).where(Member.telegram_user_id == decider.telegram_user_id)
            )
        ).first()
    if member is not None and member.id is not None:
        if not member.active:
            return None
        return member_recipient(member.id), member.telegram_user_id
    if decider.telegram_user_id is None:
        return None
    return chat_recipient(decider.telegram_user_id), decider.telegram_user_id


async def request(
    db: Database,
    *,
    item_id: int,
    expected_version: int,
    actor: Actor,
    to_deadline: date,
    reason: str,
    superiors: Mapping[str, int],
    campaign_end: date,
    today: date,
    now: datetime,
) -> Asked:
    """The unit head asks for `to_deadline` instead of the item's deadline, with a reason."""
    async with db.session() as session:
        item = await session.get(LedgerItem, item_id)
        if item is None:
            return Asked(Outcome.GONE)
        pending = await _pending(session, item_id) is not None
        problem = request_problem(actor, _facts(item), item.deadline, today, pending=pending)
        if problem is None and item.deadline is not None:
            problem = day_problem(item.deadline, to_deadline, campaign_end)
        if problem is not None:
            return Asked(Outcome.REFUSED, problem, item=item)
        assert item.deadline is not None
        moved = await session.exec(
            update(LedgerItem)
            .where(col(LedgerItem.id) == item_id)
            .where(col(LedgerItem.version) == expected_version)
            .values(version=expected_version + 1, updated_at=now)
        )
        if moved.rowcount != 1:
            await session.rollback()
            return Asked(Outcome.STALE)
        asked = LedgerExtension(
            item_id=item_id,
            from_deadline=item.deadline,
            to_deadline=to_deadline,
            reason=reason,
            status=ExtensionStatus.PENDING.value,
            requested_by_member_id=actor.member_id,
            requested_at=now,
        )
        session.add(asked)
        await session.flush()  # its id keys the notice
        audit.record(
            session,
            at=now,
            action=AuditAction.EXTENSION_ASKED,
            subject_type=SUBJECT,
            subject_id=item_id,
            actor_member_id=actor.member_id,
            actor_kind="member",
            from_value=item.deadline.isoformat(),
            to_value=to_deadline.isoformat(),
        )
        unit = await session.get(Unit, item.unit_id)
        assert unit is not None
        decider = await _decider(session, item, unit, superiors)
        reached = await _decider_recipient(session, decider)
        if reached is not None:
            notice = _notice(Notice.EXTENSION_ASKED, reached[0], asked, item, unit, now)
            await add_in(session, [notice], now=now)
        await session.commit()
        item = await session.get(LedgerItem, item_id)
    return Asked(
        Outcome.OK,
        extension=asked,
        item=item,
        unit_name=unit.name,
        decider=decider,
        decider_chat=reached[1] if reached is not None else None,
    )


async def decide(
    db: Database,
    extension_id: int,
    *,
    approve: bool,
    member_id: int | None,
    telegram_user_id: int,
    superiors: Mapping[str, int],
    now: datetime,
) -> Decided:
    """Approve or refuse a pending request, if the presser is the one who decides it."""
    async with db.session() as session:
        ext = await session.get(LedgerExtension, extension_id)
        item = await session.get(LedgerItem, ext.item_id) if ext is not None else None
        unit = await session.get(Unit, item.unit_id) if item is not None else None
        if ext is None or item is None or unit is None:
            return Decided(Outcome.GONE)
        decider = await _decider(session, item, unit, superiors)
        if not may_decide(decider, member_id, telegram_user_id):
            return Decided(Outcome.REFUSED)
        if ext.status != ExtensionStatus.PENDING.value:
            return Decided(Outcome.FINAL, ext, item, unit.name)
        status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        moved = await session.exec(
            update(LedgerExtension)
            .where(col(LedgerExtension.id) == extension_id)
            .where(col(LedgerExtension.status) == ExtensionStatus.PENDING.value)
            .values(status=status.value, decided_by_member_id=member_id, decided_at=now)
        )
        if moved.rowcount != 1:
            await session.rollback()
            return Decided(Outcome.FINAL)
        if approve:
            session.add(
                LedgerDeadlineChange(
                    item_id=item.id or 0,
                    old_deadline=item.deadline,
                    new_deadline=ext.to_deadline,
                    reason=ext.reason,
                    member_id=member_id,
                    at=now,
                )
            )
            item.deadline = item.due_on = ext.to_deadline
            item.version += 1
            item.updated_at = now
            session.add(item)
        audit.record(
            session,
            at=now,
            action=AuditAction.EXTENSION_APPROVED if approve else AuditAction.EXTENSION_REFUSED,
            subject_type=SUBJECT,
            subject_id=item.id or 0,
            actor_member_id=member_id,
            actor_kind="member" if member_id is not None else "admin",
            from_value=ext.from_deadline.isoformat(),
            to_value=ext.to_deadline.isoformat(),
        )
        requester = (
            await session.get(Member, ext.requested_by_member_id)
            if ext.requested_by_member_id is not None
            else None
        )
        await session.refresh(ext)
        if requester is not None and requester.id is not None and requester.active:
            told = member_recipient(requester.id)
            await add_in(
                session, [_notice(Notice.EXTENSION_DECIDED, told, ext, item, unit, now)], now=now
            )
        await session.commit()
        ext = await session.get(LedgerExtension, extension_id)
        item = await session.get(LedgerItem, ext.item_id) if ext is not None else None
    return Decided(Outcome.OK, ext, item, unit.name)
