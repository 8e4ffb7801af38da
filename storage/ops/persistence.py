"""The rows behind the bot's conversation persistence: which state each open conversation
waits in, and the draft each person is filling in. Values are JSON already; what they mean is
the bot's business. Every write is committed before it returns; `save_batch` writes what one
update left, with its record as handled, in one transaction."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models.runtime import ConversationDraft, ConversationState
from storage.ops import processed_updates


def _key_text(key: Sequence[int | str]) -> str:
    return json.dumps(list(key), separators=(",", ":"))


@functools.cache
def _upsert(dialect: str, table: Any, keys: tuple[str, ...]) -> Any:
    """An insert-or-update of `table` on `keys`, built once per dialect and table (the values
    are bound at execution, so SQLAlchemy compiles it once)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    changed = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=changed)


def _states() -> Any:
    return ConversationState.__table__  # type: ignore[attr-defined]


def _drafts() -> Any:
    return ConversationDraft.__table__  # type: ignore[attr-defined]


async def _write_state(
    session: AsyncSession,
    dialect: str,
    name: str,
    key: Sequence[int | str],
    state: Any,
    now: datetime,
) -> None:
    if state is None:
        await session.exec(
            delete(ConversationState).where(
                col(ConversationState.name) == name,
                col(ConversationState.key) == _key_text(key),
            )
        )
    else:
        values = {"name": name, "key": _key_text(key), "state": state, "updated_at": now}
        await session.exec(_upsert(dialect, _states(), ("name", "key")), params=values)


async def _write_draft(
    session: AsyncSession, dialect: str, user_id: int, data: Any | None, now: datetime
) -> None:
    if data is None:
        await session.exec(
            delete(ConversationDraft).where(col(ConversationDraft.user_id) == user_id)
        )
    else:
        values = {"user_id": user_id, "data": data, "updated_at": now}
        await session.exec(_upsert(dialect, _drafts(), ("user_id",)), params=values)


async def conversation_states(db: Database, name: str) -> dict[tuple[int | str, ...], Any]:
    """Every open conversation of the handler `name`: key → state."""
    async with db.session() as session:
        rows = (
            await session.exec(select(ConversationState).where(ConversationState.name == name))
        ).all()
    return {tuple(json.loads(row.key)): row.state for row in rows}


async def save_state(
    db: Database, name: str, key: Sequence[int | str], state: Any, *, now: datetime
) -> None:
    """Record the state a conversation waits in; `None` (it ended) deletes its row."""
    async with db.session() as session:
        await _write_state(session, db.dialect, name, key, state, now)
        await session.commit()


async def drafts(db: Database) -> dict[int, Any]:
    """Every kept draft: Telegram user id → its JSON."""
    async with db.session() as session:
        rows = (await session.exec(select(ConversationDraft))).all()
    return {row.user_id: row.data for row in rows}


async def save_draft(db: Database, user_id: int, data: Any | None, *, now: datetime) -> None:
    """Record a person's draft; `None` deletes it (nothing of them stays)."""
    async with db.session() as session:
        await _write_draft(session, db.dialect, user_id, data, now)
        await session.commit()


@dataclass
class Batch:
    """Conversation states and drafts to write together (the last write of a key wins)."""

    states: dict[tuple[str, str], tuple[str, tuple[int | str, ...], Any]] = field(
        default_factory=dict
    )
    drafts: dict[int, Any | None] = field(default_factory=dict)

    def state(self, name: str, key: Sequence[int | str], state: Any) -> None:
        self.states[(name, _key_text(key))] = (name, tuple(key), state)

    def draft(self, user_id: int, data: Any | None) -> None:
        self.drafts[user_id] = data


async def save_batch(
    db: Database, batch: Batch, *, handled_update: int | None = None, now: datetime
) -> None:
    """Write `batch` and, if given, record `handled_update` as handled: one transaction, so
    an update is never recorded without the states and drafts it left (nor they half)."""
    async with db.session() as session:
        for name, key, state in batch.states.values():
            await _write_state(session, db.dialect, name, key, state, now)
        for user_id, data in batch.drafts.items():
            await _write_draft(session, db.dialect, user_id, data, now)
        if handled_update is not None:
            await processed_updates.record_in(session, db.dialect, handled_update, now=now)
        await session.commit()


async def rows_mentioning(db: Database, user_id: int) -> int:
    """How many persistence rows name this Telegram user (in a key or as a draft's owner)."""
    async with db.session() as session:
        states = (await session.exec(select(ConversationState))).all()
        owned = (
            await session.exec(
                select(ConversationDraft).where(col(ConversationDraft.user_id) == user_id)
            )
        ).all()
    return len(owned) + sum(1 for s in states if user_id in json.loads(s.key))
