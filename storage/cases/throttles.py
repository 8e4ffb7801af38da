"""The hotline's throttle counters in the database (`hotline_counters`), so that a restart
forgets nothing: one row per key (a sender's keyed hash and purpose, or an hour for everyone),
incremented in one statement, and every row of an earlier day deleted.

The keys come from `domain.hotline.throttle`; nothing here sees who a sender is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete

from storage.db import Database
from storage.models import ComplaintFingerprint, HotlineCounter


@dataclass(frozen=True)
class Count:
    count: int = 0
    blocked_until: datetime | None = None


async def read(db: Database, *tags: str) -> list[Count]:
    """The counts under these keys, in order (zero where there is none)."""
    async with db.session() as session:
        found = {tag: await session.get(HotlineCounter, tag) for tag in tags}
    return [Count(r.count, r.blocked_until) if r else Count() for r in found.values()]


async def bump(db: Database, tag: str, *, day: date, blocked_until: datetime | None = None) -> int:
    """Add one to the count under `tag` (creating it for `day`), set its block; the new count.
    Rows of days before `day` are deleted in the same unit of work."""
    dialect = postgresql if db.dialect == "postgresql" else sqlite
    statement = dialect.insert(HotlineCounter).values(
        tag=tag, day=day, count=1, blocked_until=blocked_until
    )
    statement = statement.on_conflict_do_update(
        index_elements=["tag"],
        set_={"count": col(HotlineCounter.count) + 1, "blocked_until": blocked_until},
    ).returning(col(HotlineCounter.count))
    async with db.session() as session:
        await session.exec(delete(HotlineCounter).where(col(HotlineCounter.day) < day))
        count = (await session.exec(statement)).scalar_one()
        await session.commit()
    return int(count)


async def clear(db: Database, tag: str) -> None:
    async with db.session() as session:
        await session.exec(delete(HotlineCounter).where(col(HotlineCounter.tag) == tag))
        await session.commit()


async def forget_before(db: Database, day: date) -> None:
    """Delete the counters and the same-text fingerprints of days before `day`: they only ever
    answer for their own day, and kept longer they would only help to link a person."""
    async with db.session() as session:
        await session.exec(delete(HotlineCounter).where(col(HotlineCounter.day) < day))
        await session.exec(delete(ComplaintFingerprint).where(col(ComplaintFingerprint.day) < day))
        await session.commit()
