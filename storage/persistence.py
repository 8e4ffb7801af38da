"""The rows behind the bot's conversation persistence: which state each open conversation
waits in, and the draft each person is filling in. Values are JSON already; what they mean is
the bot's business. Every write is its own short transaction, committed before it returns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from storage.db import Database
from storage.models.runtime import ConversationDraft, ConversationState


def _key_text(key: Sequence[int | str]) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def _upsert(db: Database, table: Any, values: dict[str, Any], keys: list[str]) -> Any:
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values)
    changed = {k: stmt.excluded[k] for k in values if k not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=changed)


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
        if state is None:
            await session.exec(
                delete(ConversationState).where(
                    col(ConversationState.name) == name,
                    col(ConversationState.key) == _key_text(key),
                )
            )
        else:
            values = {"name": name, "key": _key_text(key), "state": state, "updated_at": now}
            table = ConversationState.__table__  # type: ignore[attr-defined]
            await session.exec(_upsert(db, table, values, ["name", "key"]))
        await session.commit()


async def drafts(db: Database) -> dict[int, Any]:
    """Every kept draft: Telegram user id → its JSON."""
    async with db.session() as session:
        rows = (await session.exec(select(ConversationDraft))).all()
    return {row.user_id: row.data for row in rows}


async def save_draft(db: Database, user_id: int, data: Any | None, *, now: datetime) -> None:
    """Record a person's draft; `None` deletes it (nothing of them stays)."""
    async with db.session() as session:
        if data is None:
            await session.exec(
                delete(ConversationDraft).where(col(ConversationDraft.user_id) == user_id)
            )
        else:
            values = {"user_id": user_id, "data": data, "updated_at": now}
            table = ConversationDraft.__table__  # type: ignore[attr-defined]
            await session.exec(_upsert(db, table, values, ["user_id"]))
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
