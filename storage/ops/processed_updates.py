"""Telegram updates already handled, so that a redelivered copy (after a crash before the
offset was confirmed) is recognised and skipped."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models.runtime import ProcessedUpdate

# Telegram keeps an unconfirmed update for 24 hours; a record older than that guards nothing.
KEEP = timedelta(hours=25)


async def seen(db: Database, update_id: int) -> bool:
    """Whether this update was handled before."""
    async with db.session() as session:
        found = await session.get(ProcessedUpdate, update_id)
    return found is not None


@functools.cache
def _insert(dialect: str) -> Any:
    """The insert that ignores a second record, built once per dialect (its values are bound
    at execution, so SQLAlchemy compiles it once)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
    return insert(table).on_conflict_do_nothing(index_elements=["update_id"])


async def record_in(session: AsyncSession, dialect: str, update_id: int, *, now: datetime) -> None:
    """`record` inside the caller's transaction (it commits)."""
    await session.exec(_insert(dialect), params={"update_id": update_id, "processed_at": now})


async def record(db: Database, update_id: int, *, now: datetime) -> None:
    """Remember that this update was handled (recording it twice is harmless)."""
    async with db.session() as session:
        await record_in(session, db.dialect, update_id, now=now)
        await session.commit()


async def prune(db: Database, *, now: datetime) -> int:
    """Forget records older than `KEEP`; returns how many."""
    async with db.session() as session:
        result = await session.exec(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < now - KEEP)
        )
        await session.commit()
    return int(result.rowcount or 0)


async def count(db: Database) -> int:
    async with db.session() as session:
        return len((await session.exec(select(ProcessedUpdate.update_id))).all())


async def any_handled(db: Database) -> bool:
    """Whether a bot handled an update on this database in the last `KEEP` (a database that was
    only migrated, by the CLI or a deployment step, has handled none)."""
    async with db.session() as session:
        found = (await session.exec(select(ProcessedUpdate.update_id).limit(1))).first()
    return found is not None


async def highest(db: Database) -> int:
    """The highest update id recorded (0 when none): later ids were never handled before."""
    async with db.session() as session:
        found = (await session.exec(select(func.max(ProcessedUpdate.update_id)))).one()
    return int(found or 0)
