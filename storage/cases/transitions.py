"""The one path that moves a case — a named report, an anonymous complaint, an inspection
finding — to a new status: read it, check the caller's rule (who may) and the lifecycle
(`domain.cases.lifecycle.after`: where the action leads from here), a conditional UPDATE on the
version read (two staff acting at once cannot both succeed), the rows the caller writes with the
move (a reply, a dispatch's ledger item, a return's item change …), the audit event, one commit.

The audit event is filed under the complaint's pseudonym for a complaint (the subject its whole
staff trail is read by) and under the case id otherwise. A complainant's own act writes no audit
row: a row in the time-stamped audit table would place it between its neighbours
(docs/anonymity.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.cases.lifecycle import CaseAction, CaseStatus, after, stays_final
from domain.cases.outcome import Outcome
from storage import audit
from storage.cases.sealing import seal_values
from storage.db import Database
from storage.models import Case

COMPLAINT = "complaint"

R = TypeVar("R", bound=StrEnum)
T = TypeVar("T")


class Stale(Exception):
    """Raised by a caller's `rows` when a row that moves with the case changed since it was
    drawn: the whole move is rolled back and its outcome is STALE."""


@dataclass(frozen=True)
class Step(Generic[R, T]):
    """What one caller adds to the lifecycle's move.

    `check` is the caller's rule (it may read in the move's transaction): a refusal, or None to
    go on. `rows` writes the caller's own rows once the case has moved (raise `Stale` when one of
    them changed meanwhile); what it returns is the result's `rows`. `audit` names the audit
    event; None only for the complainant's own act.
    """

    kinds: Collection[str]  # the kinds of case this caller moves; any other is GONE
    audit: AuditAction | None
    target: CaseStatus | None = None  # where SET goes
    values: Mapping[str, object] = field(default_factory=dict)  # columns set with the status
    check: Callable[[AsyncSession, Case], Awaitable[R | None]] | None = None
    rows: Callable[[AsyncSession, Case], Awaitable[T]] | None = None


@dataclass(frozen=True)
class Moved(Generic[R, T]):
    outcome: Outcome
    refusal: R | None = None  # set when REFUSED
    case: Case | None = None  # after the move; as read when refused, final or invalid
    before: str = ""
    after: str = ""
    rows: T | None = None  # what the caller's `rows` returned (set when OK)


async def move_case(
    db: Database,
    case_id: int,
    action: CaseAction,
    actor: int | None,
    step: Step[R, T],
    *,
    version: int | None = None,
    now: datetime,
) -> Moved[R, T]:
    """Move case `case_id` by `action` for `actor` (a member id; None: an administrator from the
    config) as `step` adds, if it is still at `version` (None: as read). One commit."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.kind not in step.kinds:
            return Moved(Outcome.GONE)
        if step.check is not None:
            refused = await step.check(session, case)
            if refused is not None:
                return Moved(Outcome.REFUSED, refused, case)
        before, read = case.status, case.version
        if stays_final(action, before):
            return Moved(Outcome.FINAL, case=case)
        to = after(action, before, step.target)
        if to is None:
            return Moved(Outcome.INVALID, case=case)
        if version is not None and version != read:
            return Moved(Outcome.STALE, case=case)
        values = await seal_values(session, case, dict(step.values))  # a complaint's words
        moved = await session.exec(
            update(Case)
            .where(col(Case.id) == case_id)
            .where(col(Case.version) == read)
            .where(col(Case.status) == before)
            .values(status=to.value, version=read + 1, **values)
        )
        if moved.rowcount != 1:
            await session.rollback()  # expires `case`: it goes no further
            return Moved(Outcome.STALE)
        try:
            rows = await step.rows(session, case) if step.rows is not None else None
            if step.audit is not None:
                complaint = case.kind == COMPLAINT
                audit.record(
                    session,
                    at=now,
                    action=step.audit,
                    subject_type=AuditSubject.COMPLAINT if complaint else AuditSubject.CASE,
                    subject_id=case.number if complaint else case_id,
                    actor_member_id=actor,
                    actor_kind="member" if actor is not None else "admin",
                    from_value=before,
                    to_value=to.value,
                )
            await session.commit()
        # IntegrityError: another writer took a row the move adds (a ledger's next 序号) just now.
        except (Stale, IntegrityError):
            await session.rollback()
            return Moved(Outcome.STALE)
    return Moved(Outcome.OK, case=case, before=before, after=to.value, rows=rows)
