"""The flush after every update: the conversation states and drafts python-telegram-bot hands
over, and the update's record as handled, go to the database in one transaction, on every
backend; a failed write records nothing (the update stays unhandled, so a redelivery replays
the step instead of skipping it)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from bot.persistence import DatabasePersistence
from domain.cases.reports import ReportDraft
from handlers.report.draft import DRAFT_KEY
from storage.db import Database
from storage.ops import persistence, processed_updates

NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


class FakeApp:
    """What `flush_update` uses of the Application: `update_persistence`, which (like
    python-telegram-bot's) hands the writes over from tasks of their own."""

    def __init__(self) -> None:
        self.writes: list[Callable[[], Awaitable[None]]] = []

    async def update_persistence(self) -> None:
        writes, self.writes = self.writes, []
        await asyncio.gather(*(write() for write in writes))


def commits(db: Database) -> list[int]:
    counted: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: counted.append(1))
    return counted


async def test_an_update_writes_states_drafts_and_its_record_in_one_commit(db: Database) -> None:
    store = DatabasePersistence(db, FixedClock())
    app: Any = FakeApp()
    draft = ReportDraft(category_key="weak", description="炒股")
    app.writes = [
        lambda: store.update_conversation("report", (5, 5), "report:describe"),
        lambda: store.update_conversation("ledger", (6, 6), "ledger:note"),
        lambda: store.update_user_data(5, {DRAFT_KEY: draft, "other": 1}),
    ]
    counted = commits(db)
    await store.flush_update(app, 77)
    assert len(counted) == 1
    assert await persistence.conversation_states(db, "report") == {(5, 5): "report:describe"}
    assert await persistence.conversation_states(db, "ledger") == {(6, 6): "ledger:note"}
    assert list(await persistence.drafts(db)) == [5]  # only the kept key, of user 5
    assert await processed_updates.seen(db, 77)

    # The conversation ends: its row and the draft go, in the next update's one commit.
    app.writes = [
        lambda: store.update_conversation("report", (5, 5), None),
        lambda: store.update_user_data(5, {"other": 1}),
    ]
    counted.clear()
    await store.flush_update(app, 78)
    assert len(counted) == 1
    assert await persistence.conversation_states(db, "report") == {}
    assert await persistence.drafts(db) == {}
    assert await processed_updates.seen(db, 78)
    # Outside a flush (python-telegram-bot's interval, its last flush on stop) writes go
    # straight to the database.
    await store.update_conversation("report", (7, 7), "report:unit")
    assert await persistence.conversation_states(db, "report") == {(7, 7): "report:unit"}


async def test_a_failed_write_records_nothing_and_is_written_next_time(db: Database) -> None:
    store = DatabasePersistence(db, FixedClock())
    app: Any = FakeApp()
    draft = {DRAFT_KEY: ReportDraft(category_key="lax")}
    app.writes = [
        lambda: store.update_user_data(5, draft),
        lambda: store.update_conversation("report", (5, 5), {"not": object()}),  # not JSON
    ]
    try:
        await store.flush_update(app, 90)
    except Exception:  # whatever the driver raises for a value it cannot store
        pass
    else:
        raise AssertionError("a state that cannot be stored was accepted")
    assert not await processed_updates.seen(db, 90)
    assert await persistence.drafts(db) == {}  # nothing of the half-written update stayed
    # The draft was not taken as written: the next flush writes it.
    app.writes = [lambda: store.update_user_data(5, draft)]
    await store.flush_update(app, 91)
    assert list(await persistence.drafts(db)) == [5]
    assert await processed_updates.seen(db, 91)
