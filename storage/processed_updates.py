"""Telegram updates already handled, so that a redelivered copy (after a crash before the
offset was confirmed) is recognised and skipped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select

from storage.db import Database
from storage.models.runtime import ProcessedUpdate

# Telegram keeps an unconfirmed update for 24 hours; a record older than that guards nothing.
KEEP = timedelta(hours=25)


async def seen(db: Database, update_id: int) -> bool:
    """Whether this update was handled before."""
    async with db.session() as session:
        found = await session.get(ProcessedUpdate, update_id)
    return found is not None


async def record(db: Database, update_id: int, *, now: datetime) -> None:
    """Remember that this update was handled (recording it twice is harmless)."""
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(ProcessedUpdate.__table__)  # type: ignore[attr-defined]
        .values(update_id=update_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    async with db.session() as session:
        await session.exec(stmt)
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


async def highest(db: Database) -> int:
    """The highest update id recorded (0 when none): later ids were never handled before."""
    async with db.session() as session:
        found = (await session.exec(select(func.max(ProcessedUpdate.update_id)))).one()
    return int(found or 0)
