"""One active process per database: SQLite refuses a second one; on PostgreSQL a standby waits
for the advisory lock, takes over when it is freed, and a leader that loses its lock connection
is fenced."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import text

from bot.config.ha import HaConfig
from bot.leadership import AlreadyRunningError, Lease, serve_until
from bot.ops.health import HEALTH_KEY, HealthState
from handlers.context import BotApplication
from storage.db import Database
from tests.conftest import PG_URL


async def test_a_second_process_on_one_sqlite_database_refuses_to_start(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    first, second = Lease(db, HaConfig()), Lease(db, HaConfig())
    await first.acquire()
    with pytest.raises(AlreadyRunningError) as refused:
        await second.acquire()
    assert "another bot process is already running" in str(refused.value)
    assert "bot.db.lock" in str(refused.value)
    await first.release()
    await second.acquire()  # free again once the first one stopped
    await second.release()
    await db.dispose()


class _FakeApp:
    """Just what `fence` looks at: no updater, no job queue, a health state."""

    def __init__(self, db: Database) -> None:
        self.updater = None
        self.job_queue = None
        self.bot_data = {HEALTH_KEY: HealthState(db=db)}


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_a_standby_takes_over_and_a_leader_without_its_lock_is_fenced() -> None:
    config = HaConfig(lock_key=random.randint(1, 2**40), retry_seconds=0.2, check_seconds=0.2)
    one, two = Database(PG_URL), Database(PG_URL)
    lost: list[str] = []

    async def on_lost() -> None:
        lost.append("fenced")

    leader = Lease(one, config, on_lost=on_lost)
    standby = Lease(two, config)
    try:
        await leader.acquire()
        waiting = asyncio.create_task(standby.acquire())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # exactly one is active
        # The leader's lock connection dies (as when its machine vanishes): it is fenced.
        app = _FakeApp(one)
        leader.guard(cast(BotApplication, cast(Any, app)))
        async with one.engine.connect() as admin:
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND ((classid::bigint << 32) | objid::bigint)"
                    " = hashtextextended(current_schema(), :k)"
                ),
                {"k": config.lock_key},
            )
            await admin.commit()
        started = time.monotonic()
        await asyncio.wait_for(waiting, timeout=5)
        took = time.monotonic() - started
        await asyncio.wait_for(leader.lost.wait(), timeout=5)
        assert lost == ["fenced"] and app.bot_data[HEALTH_KEY].leader is False
        print(f"standby took over {took:.2f} s after the leader's session ended")
        assert took < config.takeover_seconds
    finally:
        await standby.release()
        await leader.release()
        await one.dispose()
        await two.dispose()


async def test_a_stop_ends_the_wait_of_a_standby_and_the_service_of_the_active() -> None:
    entered: list[str] = []

    @asynccontextmanager
    async def standby() -> AsyncIterator[None]:
        await asyncio.Event().wait()  # waits for a lock that never comes
        yield

    @asynccontextmanager
    async def active() -> AsyncIterator[None]:
        entered.append("in")
        try:
            yield
        finally:
            entered.append("out")  # left cleanly, not cancelled halfway

    for serving in (standby, active):
        stop = asyncio.Event()
        task = asyncio.create_task(serve_until(stop, serving))
        await asyncio.sleep(0.05)
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, timeout=2)
    assert entered == ["in", "out"]


async def test_a_refused_start_ends_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    @asynccontextmanager
    async def refused() -> AsyncIterator[None]:
        raise AlreadyRunningError("another bot process is already running on bot.db")
        yield

    assert await serve_until(asyncio.Event(), refused) is False
    assert "error: another bot process is already running" in capsys.readouterr().err
