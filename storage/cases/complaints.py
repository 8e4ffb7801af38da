"""Complaints, the complainant's side: filing one with its receipt, finding it again by
receipt, reading it, adding information, the push opt-in and the rating.

Nothing here takes or stores who the complainant is. Days, not instants: `opened_on` and
`sent_on` are local dates. The complainant's own actions write no audit event: a row in the
shared, time-stamped audit table would place the action between its neighbours' instants.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Never, Protocol, TypeVar

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.cases.lifecycle import CaseAction, CaseStatus
from domain.cases.outcome import Outcome
from domain.hotline import crypto, receipts
from domain.hotline.rules import HotlinePolicy, fingerprint, new_pseudonym
from storage.cases import sealing
from storage.cases.messages import add_message
from storage.cases.transitions import Step, move_case
from storage.db import Database
from storage.models import (
    Case,
    CaseIntake,
    CaseMessage,
    ComplaintFingerprint,
    ComplaintPushLink,
    ComplaintRating,
    ComplaintReceipt,
    Evidence,
    Unit,
)
from storage.models.base import anonymous_row_id

T = TypeVar("T")

KIND = "complaint"


class DuplicateComplaint(Exception):
    """The same text was already filed today."""


@dataclass(frozen=True)
class EvidenceFile:
    kind: str  # photo | document
    file_id: str
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class NewComplaint:
    category_key: str
    unit_id: int | None
    description: str
    evidence: tuple[EvidenceFile, ...] = ()
    # Registered by a case officer from another channel (storage.cases.intake): the channel and
    # who registered it; never anything of the person.
    channel: str = "chat"
    registered_by: int | None = None


@dataclass(frozen=True)
class Filed:
    case_id: int
    pseudonym: str


@dataclass(frozen=True)
class Message:
    direction: str
    body: str
    sent_on: date


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as its author or staff read it (no ids that reveal order)."""

    case_id: int
    pseudonym: str
    status: str
    category_key: str
    unit_name: str | None
    opened_on: date
    description: str
    rejection_reason: str | None
    messages: tuple[Message, ...]
    evidence: tuple[EvidenceFile, ...]
    rating: str | None
    push: bool


class Runner(Protocol):
    """Runs a slow hash off the event loop (`asyncio.to_thread`, or the bot's fair pool)."""

    def __call__(self, call: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


def day_mark(day: date) -> datetime:
    """The instant an anonymous audit event is filed under: its day, never its time."""
    return datetime.combine(day, time(0), tzinfo=UTC)


async def file_complaint(
    db: Database,
    complaint: NewComplaint,
    *,
    receipt: str,
    policy: HotlinePolicy,
    today: date,
    sender: str | None = None,
    run: Runner | None = None,
) -> Filed:
    """Store the complaint, its evidence and its receipt's hash in one unit of work.

    Raises DuplicateComplaint when the same sender (`sender`: their keyed hash for the day,
    `domain.hotline.throttle`) filed the same text today — also a second press of the submit
    button. Another sender's identical text is filed: the check is nobody's oracle.
    """
    canonical = receipts.normalise(receipt)
    if canonical is None:
        raise ValueError("not a receipt")
    hashed = await (run or asyncio.to_thread)(
        receipts.hash_receipt, policy.pepper, canonical, policy.hash_params
    )
    digest = fingerprint(policy.pepper, f"{sender}\n{complaint.description}", today)
    async with db.session() as session:
        if sender is not None and await session.get(ComplaintFingerprint, digest) is not None:
            raise DuplicateComplaint
        pseudonym = new_pseudonym()
        while (
            await session.exec(select(Case.id).where(Case.number == pseudonym))
        ).first() is not None:
            pseudonym = new_pseudonym()
        case_id = anonymous_row_id()
        keyring = sealing.keyring_of(db)
        data_key = await keyring.create(case_id)  # the key first: no text is ever stored clear
        case = Case(
            id=case_id,
            kind=KIND,
            number=pseudonym,
            category_key=complaint.category_key,
            unit_id=complaint.unit_id,
            status=CaseStatus.RECEIVED,
            description=crypto.seal(data_key, case_id, "description", complaint.description),
            opened_on=today,
        )
        session.add(case)
        try:
            await session.flush()
        except BaseException:
            await keyring.shred([case_id])
            raise
        assert case.id is not None
        if sender is not None:
            session.add(ComplaintFingerprint(digest=digest, day=today))
        # Registered by an officer: the intake row names them and the day; no audit row (its
        # id and instant would place the call in time among the bureau's other acts).
        if complaint.channel != "chat":
            session.add(
                CaseIntake(
                    case_id=case.id,
                    channel=complaint.channel,
                    received_on=today,
                    registered_by_member_id=complaint.registered_by,
                )
            )

        session.add(
            ComplaintReceipt(
                case_id=case.id,
                lookup_key=receipts.lookup_key(policy.pepper, canonical),
                receipt_hash=hashed,
            )
        )
        for item in complaint.evidence:
            session.add(
                Evidence(
                    id=anonymous_row_id(),
                    case_id=case.id,
                    kind=item.kind,
                    telegram_file_id=crypto.seal(data_key, case_id, sealing.FILE_ID, item.file_id),
                    mime_type=item.mime_type,
                    size=item.size,
                    added_on=today,
                )
            )
        try:
            await session.commit()
        except BaseException:
            await keyring.shred([case_id])
            raise
        return Filed(case_id=case.id, pseudonym=pseudonym)


async def release_duplicate(
    db: Database, policy: HotlinePolicy, *, description: str, today: date, sender: str | None
) -> bool:
    """Stop counting a stored complaint as the original of a later one with the same text from
    the same sender (`sender`, as `file` took it): its receipt never reached the complainant,
    who may only file again (a complaint with no person attached cannot be handed its receipt
    another way). Whether a mark was removed."""
    if sender is None:
        return False  # no mark was made
    digest = fingerprint(policy.pepper, f"{sender}\n{description}", today)
    async with db.session() as session:
        found = await session.get(ComplaintFingerprint, digest)
        if found is None:
            return False
        await session.delete(found)
        await session.commit()
        return True


async def find_by_receipt(
    db: Database, policy: HotlinePolicy, typed: str, *, run: Runner | None = None
) -> int | None:
    """The complaint behind a typed receipt, or None (the slow check runs in `run`: the bot's
    fair pool, else a thread)."""
    canonical = receipts.normalise(typed)
    if canonical is None:
        return None
    key = receipts.lookup_key(policy.pepper, canonical)
    async with db.session() as session:
        rows = (
            await session.exec(select(ComplaintReceipt).where(ComplaintReceipt.lookup_key == key))
        ).all()
    for row in rows:
        if await (run or asyncio.to_thread)(
            receipts.verify_receipt, policy.pepper, canonical, row.receipt_hash
        ):
            return row.case_id
    return None


async def view(db: Database, case_id: int) -> ComplaintView | None:
    """The complaint with its messages (internal notes left out), evidence and rating."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind != KIND:
            return None
        unit = await session.get(Unit, case.unit_id) if case.unit_id is not None else None
        messages = (
            await session.exec(
                select(CaseMessage)
                .where(CaseMessage.case_id == case_id)
                .where(col(CaseMessage.direction) != "internal")
                .order_by(col(CaseMessage.seq))
            )
        ).all()
        evidence = (
            await session.exec(
                select(Evidence).where(Evidence.case_id == case_id).order_by(col(Evidence.id))
            )
        ).all()
        rating = await session.get(ComplaintRating, case_id)
        push = await session.get(ComplaintPushLink, case_id)
        words = await sealing.opener(session, [case_id])
    return ComplaintView(
        case_id=case_id,
        pseudonym=case.number,
        status=case.status,
        category_key=case.category_key,
        unit_name=unit.name if unit else None,
        opened_on=case.opened_on,
        description=words.text(case_id, "description", case.description),
        rejection_reason=words.maybe(case_id, "rejection_reason", case.rejection_reason),
        messages=tuple(
            Message(m.direction, words.text(case_id, sealing.MESSAGE, m.body), m.sent_on)
            for m in messages
        ),
        evidence=tuple(
            EvidenceFile(
                e.kind,
                words.text(case_id, sealing.FILE_ID, e.telegram_file_id),
                e.mime_type,
                e.size,
            )
            for e in evidence
        ),
        rating=rating.rating if rating else None,
        push=push is not None,
    )


async def add_information(
    db: Database, case_id: int, body: str, *, today: date
) -> tuple[str, bool] | None:
    """The complainant adds information; an answered complaint goes back to in progress.

    Returns (pseudonym, reopened), or None when the complaint is closed, rejected or gone.
    No audit row: this is the complainant's own act.
    """

    async def rows(session: AsyncSession, case: Case) -> None:
        await add_message(
            session,
            case_id=case_id,
            direction="from_author",
            body=body,
            sent_on=today,
            anonymous=True,
        )

    step: Step[Never, None] = Step((KIND,), None, rows=rows)
    moved = await move_case(db, case_id, CaseAction.INFORM, None, step, now=day_mark(today))
    if moved.outcome is not Outcome.OK or moved.case is None:
        return None
    return moved.case.number, moved.after != moved.before


async def set_push(db: Database, case_id: int, sealed: bytes | None) -> bool:
    """Store (or erase, with None) the encrypted push link; False once the case is final."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind != KIND:
            return False
        await session.exec(
            delete(ComplaintPushLink).where(col(ComplaintPushLink.case_id) == case_id)
        )
        if sealed is not None:
            if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED):
                await session.commit()
                return False
            session.add(ComplaintPushLink(case_id=case_id, sealed=sealed))
        await session.commit()
    return True


async def for_staff(db: Database, statuses: Sequence[str] | None = None) -> list[ComplaintView]:
    """Complaints for a staff list, by day and then pseudonym: the order within a day is the
    pseudonyms' random order, never the order of filing."""
    async with db.session() as session:
        query = select(Case.id).where(Case.kind == KIND)
        if statuses:
            query = query.where(col(Case.status).in_(list(statuses)))
        ids = (await session.exec(query.order_by(col(Case.opened_on), col(Case.number)))).all()
    found = [await view(db, case_id) for case_id in ids if case_id is not None]
    return [v for v in found if v is not None]
