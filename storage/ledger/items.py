"""The rectification ledger's changes: adding items, editing them, moving their status,
changing deadlines, progress notes and the unit head's sign-off. Each operation is one unit of
work with its audit events; reads live in `storage.ledger.queries`.

Changes of an existing item carry the `version` the person saw: a stale button (the item has
changed since) gets `Outcome.STALE` and nothing is written; a verified item takes no more
changes (`Outcome.FINAL`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Never

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject, loop_move
from domain.cases.loop import case_action
from domain.cases.outcome import Outcome
from domain.ledger.rules import LedgerStatus, can_move, is_rejection
from storage import audit
from storage.cases.loop import KINDS as CASE_KINDS
from storage.cases.loop import item_notices
from storage.cases.transitions import Stale, Step, move_case
from storage.db import Database
from storage.ledger.add import new_item_in
from storage.ledger.signoff import sign_off as sign_off  # re-exported: one module to call
from storage.models import (
    Case,
    Evidence,
    LedgerDeadlineChange,
    LedgerItem,
    LedgerProgress,
)

SUBJECT = AuditSubject.LEDGER_ITEM
ADD_ATTEMPTS = 20


@dataclass(frozen=True)
class NewEvidence:
    """A file the person sent (Telegram's file id; the bot never downloads it here)."""

    kind: str  # photo | document
    telegram_file_id: str
    mime_type: str | None = None
    size: int | None = None
    caption: str | None = None


@dataclass(frozen=True)
class Change:
    result: Outcome
    item: LedgerItem | None = None


def _kind(actor_member_id: int | None) -> str:
    return "member" if actor_member_id is not None else "admin"


def _attach(
    session: AsyncSession, item_id: int, evidence: Sequence[NewEvidence], today: date
) -> None:
    for ev in evidence:
        session.add(
            Evidence(
                ledger_item_id=item_id,
                kind=ev.kind,
                telegram_file_id=ev.telegram_file_id,
                mime_type=ev.mime_type,
                size=ev.size,
                caption=ev.caption,
                added_on=today,
            )
        )


async def add_item(
    db: Database,
    *,
    unit_id: int,
    category_key: str,
    description: str,
    measure: str | None,
    deadline: date | None,
    responsible_member_id: int | None,
    responsible_name: str | None,
    actor_member_id: int | None,
    now: datetime,
    today: date,
    evidence: Sequence[NewEvidence] = (),
    source_case_id: int | None = None,
    requirement: str | None = None,
    bureau: bool = False,
) -> LedgerItem:
    """Add a problem to a unit's list in a unit of work of its own; on SQLite, a writer that
    lost the race for a 序号 reads the new top and retries."""
    for attempt in range(ADD_ATTEMPTS):
        async with db.session() as session:
            try:
                item = await new_item_in(
                    session,
                    unit_id=unit_id,
                    category_key=category_key,
                    description=description,
                    measure=measure,
                    deadline=deadline,
                    responsible_member_id=responsible_member_id,
                    responsible_name=responsible_name,
                    source_case_id=source_case_id,
                    requirement=requirement,
                    bureau=bureau,
                    actor_member_id=actor_member_id,
                    now=now,
                )
            except IntegrityError:
                # another writer took this 序号 at the same moment: read the new top, retry
                await session.rollback()
                if attempt == ADD_ATTEMPTS - 1:
                    raise
                continue
            assert item.id is not None
            _attach(session, item.id, evidence, today)
            await session.commit()
            return item
    raise AssertionError("unreachable")


async def _current(
    session: AsyncSession, item_id: int, expected_version: int | None
) -> LedgerItem | Outcome:
    item = await session.get(LedgerItem, item_id)
    if item is None:
        return Outcome.GONE
    if expected_version is not None and item.version != expected_version:
        return Outcome.STALE
    return item


def _touch(session: AsyncSession, item: LedgerItem, now: datetime) -> None:
    item.version += 1
    item.updated_at = now
    session.add(item)


async def _edit_unverified(
    db: Database,
    *,
    item_id: int,
    expected_version: int,
    action: AuditAction,
    before: Callable[[LedgerItem], str | None],
    after: str | None,
    apply: Callable[[AsyncSession, LedgerItem], None],
    actor_member_id: int | None,
    now: datetime,
) -> Change:
    """Change an item that is not verified yet (`apply` may add rows to the session too),
    audited from `before` to `after`, in one unit of work."""
    async with db.session() as session:
        item = await _current(session, item_id, expected_version)
        if isinstance(item, Outcome):
            return Change(item)
        if item.status == LedgerStatus.VERIFIED:
            return Change(Outcome.FINAL, item)
        audit.record(
            session,
            at=now,
            action=action,
            subject_type=SUBJECT,
            subject_id=item_id,
            actor_member_id=actor_member_id,
            actor_kind=_kind(actor_member_id),
            from_value=before(item),
            to_value=after,
        )
        apply(session, item)
        _touch(session, item, now)
        await session.commit()
        return Change(Outcome.OK, item)


async def set_measure(
    db: Database,
    *,
    item_id: int,
    expected_version: int,
    measure: str,
    actor_member_id: int | None,
    now: datetime,
) -> Change:
    """Replace the 整改措施."""

    def apply(_session: AsyncSession, item: LedgerItem) -> None:
        item.measure = measure

    return await _edit_unverified(
        db,
        item_id=item_id,
        expected_version=expected_version,
        action=AuditAction.LEDGER_MEASURE,
        before=lambda item: item.measure,
        after=measure,
        apply=apply,
        actor_member_id=actor_member_id,
        now=now,
    )


async def set_responsible(
    db: Database,
    *,
    item_id: int,
    expected_version: int,
    member_id: int | None,
    name: str | None,
    actor_member_id: int | None,
    now: datetime,
) -> Change:
    """Name the 责任人: a member of the unit, or a person who is not on Telegram."""

    def apply(_session: AsyncSession, item: LedgerItem) -> None:
        item.responsible_member_id, item.responsible_name = member_id, name

    return await _edit_unverified(
        db,
        item_id=item_id,
        expected_version=expected_version,
        action=AuditAction.LEDGER_RESPONSIBLE,
        before=lambda item: _who(item.responsible_member_id, item.responsible_name),
        after=_who(member_id, name),
        apply=apply,
        actor_member_id=actor_member_id,
        now=now,
    )


def _who(member_id: int | None, name: str | None) -> str | None:
    return f"member:{member_id}" if member_id is not None else name


async def _move_in(
    session: AsyncSession,
    *,
    item_id: int,
    expected_version: int,
    target: LedgerStatus,
    actor_member_id: int | None,
    note: str | None,
    now: datetime,
    today: date,
    evidence: Sequence[NewEvidence],
    case: Case | None,
) -> LedgerItem | Outcome:
    """The item's move in the caller's unit of work (with its case's, when `case` is given):
    the item, its note and files, its audit event and the notices of the loop."""
    item = await _current(session, item_id, expected_version)
    if isinstance(item, Outcome):
        return item
    if not can_move(item.status, target):
        return Outcome.INVALID
    before = item.status
    kind = "note"
    if target is LedgerStatus.RECTIFIED:
        item.rectified_by_member_id, item.rectified_at, kind = actor_member_id, now, "rectified"
    elif target is LedgerStatus.VERIFIED:
        item.verified_at = now
    elif is_rejection(before, target):
        item.rectified_by_member_id, item.rectified_at, kind = None, None, "rejected"
    item.status = target.value
    _touch(session, item, now)
    if note:
        session.add(
            LedgerProgress(item_id=item_id, kind=kind, note=note, member_id=actor_member_id, at=now)
        )
    _attach(session, item_id, evidence, today)
    await session.flush()  # the files count in the owner's notice
    audit.record(
        session,
        at=now,
        action=AuditAction.LEDGER_STATUS,
        subject_type=SUBJECT,
        subject_id=item_id,
        actor_member_id=actor_member_id,
        actor_kind=_kind(actor_member_id),
        from_value=before,
        to_value=target.value,
    )
    action = case_action(before, target)
    await item_notices(
        session, item, case, action, actor_member_id=actor_member_id, note=note, now=now
    )
    return item


async def move_status(
    db: Database,
    *,
    item_id: int,
    expected_version: int,
    target: LedgerStatus,
    actor_member_id: int | None,
    note: str | None,
    now: datetime,
    today: date,
    evidence: Sequence[NewEvidence] = (),
) -> Change:
    """Move an item; `rectified` and a rejection keep their note as a progress entry.

    A dispatched item's case moves with it, in the same transaction, through the one case
    transition (`domain.cases.loop.case_action`: rectified, verified, sent back). A case that
    went its own way meanwhile (answered or closed without waiting) stays where it is and the
    item moves alone."""
    async with db.session() as session:
        found = await _current(session, item_id, expected_version)
    if isinstance(found, Outcome):
        return Change(found)
    action = case_action(found.status, target) if can_move(found.status, target) else None
    move = partial(
        _move_in,
        item_id=item_id,
        expected_version=expected_version,
        target=target,
        actor_member_id=actor_member_id,
        note=note,
        now=now,
        today=today,
        evidence=evidence,
    )
    if action is not None and found.source_case_id is not None:

        async def rows(session: AsyncSession, case: Case) -> LedgerItem:
            item = await move(session, case=case)
            if isinstance(item, Outcome):
                raise Stale
            return item

        step: Step[Never, LedgerItem] = Step(CASE_KINDS, loop_move(action), rows=rows)
        moved = await move_case(db, found.source_case_id, action, actor_member_id, step, now=now)
        if moved.outcome is Outcome.OK and moved.rows is not None:
            return Change(Outcome.OK, moved.rows)
        if moved.outcome is Outcome.STALE:
            return Change(Outcome.STALE)
    async with db.session() as session:
        item = await move(session, case=None)
        if isinstance(item, Outcome):
            return Change(item, found if item is Outcome.INVALID else None)
        await session.commit()
        return Change(Outcome.OK, item)


async def change_deadline(
    db: Database,
    *,
    item_id: int,
    expected_version: int,
    new_deadline: date,
    reason: str,
    actor_member_id: int | None,
    now: datetime,
    bureau: bool = False,
) -> Change:
    """Move the 整改时限 with a reason; the old one is kept in the item's history. The bureau
    (`bureau`) moves the deadline lateness counts against too and makes it the bureau's; a unit
    head moving their own item's deadline leaves that one where it was (an extension moves it,
    `storage.ledger.extensions`)."""

    def apply(session: AsyncSession, item: LedgerItem) -> None:
        session.add(
            LedgerDeadlineChange(
                item_id=item_id,
                old_deadline=item.deadline,
                new_deadline=new_deadline,
                reason=reason,
                member_id=actor_member_id,
                at=now,
            )
        )
        item.deadline = new_deadline
        if bureau:
            item.due_on, item.bureau_deadline = new_deadline, True

    return await _edit_unverified(
        db,
        item_id=item_id,
        expected_version=expected_version,
        action=AuditAction.LEDGER_DEADLINE,
        before=lambda item: item.deadline.isoformat() if item.deadline else None,
        after=new_deadline.isoformat(),
        apply=apply,
        actor_member_id=actor_member_id,
        now=now,
    )


async def add_progress(
    db: Database,
    *,
    item_id: int,
    note: str,
    actor_member_id: int | None,
    now: datetime,
    today: date,
    evidence: Sequence[NewEvidence] = (),
) -> Change:
    """A progress note (and files) on an item that is not verified yet."""
    async with db.session() as session:
        item = await _current(session, item_id, None)
        if isinstance(item, Outcome):
            return Change(item)
        if item.status == LedgerStatus.VERIFIED:
            return Change(Outcome.FINAL, item)
        session.add(
            LedgerProgress(
                item_id=item_id, kind="note", note=note, member_id=actor_member_id, at=now
            )
        )
        _attach(session, item_id, evidence, today)
        audit.record(
            session,
            at=now,
            action=AuditAction.LEDGER_PROGRESS,
            subject_type=SUBJECT,
            subject_id=item_id,
            actor_member_id=actor_member_id,
            actor_kind=_kind(actor_member_id),
            to_value=item.status,
        )
        item.updated_at = now
        session.add(item)
        await session.commit()
        return Change(Outcome.OK, item)
