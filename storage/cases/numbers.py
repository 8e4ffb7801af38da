"""Filing a new case under a number of its own: a counter row per prefix, advanced inside the
transaction that files the case. The row stays locked until that transaction ends, so
concurrent filings wait for each other instead of picking the same number and retrying
(which, with many members pressing Submit at once, ran out of retries)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from storage import audit
from storage.db import Database
from storage.models.cases import Case
from storage.models.numbering import CaseNumberCounter

_ATTEMPTS = 8  # a number taken by a case filed otherwise (by hand, before counters) is skipped


async def file_case(
    db: Database,
    *,
    prefix: str,
    number: Callable[[int], str],
    case: Callable[[str], Case],
    rows: Callable[[int], Sequence[SQLModel]],
    action: AuditAction,
    actor_member_id: int,
    now: datetime,
) -> tuple[int, str]:
    """File `case(number)` with the `rows(case_id)` that belong to it (author, evidence …) and
    its audit event, in one transaction; the number is the prefix's next. (case id, number)."""
    for _attempt in range(_ATTEMPTS):
        async with db.session() as session:
            filed = case(number(await next_sequence(session, prefix)))
            session.add(filed)
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                continue
            assert filed.id is not None
            session.add_all(rows(filed.id))
            audit.record(
                session,
                at=now,
                action=action,
                subject_type=AuditSubject.CASE,
                subject_id=filed.id,
                actor_member_id=actor_member_id,
                to_value=filed.status,
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                continue
            return filed.id, filed.number
    raise RuntimeError(f"could not allocate a number under {prefix}")


async def next_sequence(session: AsyncSession, prefix: str) -> int:
    """The next sequence under `prefix` (1, 2, …), taken in the caller's transaction."""
    advanced = await session.exec(
        update(CaseNumberCounter)
        .where(col(CaseNumberCounter.prefix) == prefix)
        .values(last=col(CaseNumberCounter.last) + 1)
        .returning(col(CaseNumberCounter.last))
    )
    taken = advanced.scalar_one_or_none()
    if taken is not None:
        return int(taken)
    # The prefix's first number: continue after any case filed before counters existed. Two
    # first filings at once both insert; the second finds the row and advances it.
    floor = await _highest_in_use(session, prefix) + 1
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = insert(CaseNumberCounter).values(prefix=prefix, last=floor)
    stmt = first.on_conflict_do_update(
        index_elements=["prefix"], set_={"last": col(CaseNumberCounter.last) + 1}
    ).returning(col(CaseNumberCounter.last))
    return int((await session.exec(stmt)).scalar_one())


async def _highest_in_use(session: AsyncSession, prefix: str) -> int:
    latest = (
        await session.exec(
            select(Case.number)
            .where(col(Case.number).startswith(prefix))
            .order_by(func.length(col(Case.number)).desc(), col(Case.number).desc())
            .limit(1)
        )
    ).first()
    tail = latest[len(prefix) :] if latest is not None else ""
    return int(tail) if tail.isdigit() else 0
