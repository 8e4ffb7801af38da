"""Read-only probes for health checks and metrics: does the database answer, and how many
reminder outbox rows are waiting."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, text
from sqlmodel import col, select

from storage.db import Database
from storage.models.reminders import ReminderOutbox

WAITING_STATES = ("due", "sending")


async def ping(db: Database, *, within: float) -> str | None:
    """None when `SELECT 1` answers within `within` seconds, else why not (no secrets)."""
    try:
        async with asyncio.timeout(within):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        return f"database did not answer within {within:g} s"
    except Exception as error:  # any driver error: the message may name hosts, not users
        return f"database error: {type(error).__name__}"
    return None


async def outbox_waiting(db: Database) -> dict[str, int]:
    """Reminder outbox rows per waiting state (`due`, `sending`), zeros included."""
    counts = dict.fromkeys(WAITING_STATES, 0)
    async with db.session() as session:
        stmt = (
            select(ReminderOutbox.state, func.count())
            .where(col(ReminderOutbox.state).in_(WAITING_STATES))
            .group_by(col(ReminderOutbox.state))
        )
        for state, count in (await session.exec(stmt)).all():
            counts[str(state)] = int(count)
    return counts
