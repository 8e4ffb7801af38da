"""The bot on PostgreSQL behind a cuttable proxy, under a supervisor that starts it again when
it stops itself (as systemd's `Restart=always` does in production).

When the active process loses its leader lock's connection it stops taking updates and asks to
be terminated (bot/leadership.py); here that request ends the `running()` block and the
supervisor loop enters it again, where the process waits as a standby until the database is
back. A wrapper around the lock check tells the test when a check has just passed, so that a
cut can be placed right after one, leaving a known window in which the bot still reads updates
while the database is away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot import leadership
from bot.clock import TravelClock
from bot.config import Config
from bot.config.ha import HaConfig
from bot.demo import example_config
from bot.runtime import running
from domain.membership.roles import Role
from handlers.context import BotApplication
from simulator import BotApiSimulator, SimChat, SimUser
from storage.db import Database
from storage.membership import invites, units
from storage.ops import leadership as locks
from tests.conftest import PG_URL
from tests.e2e.conftest import ADMIN_ID, START, TOKEN, UNITS
from tests.faults.proxy import TcpProxy
from tests.hostile.bench import hotline_config

log = logging.getLogger(__name__)
needs_pg = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


@dataclass
class Supervised:
    sim: BotApiSimulator
    db: Database
    clock: TravelClock
    config: Config
    staff: SimChat
    proxy: TcpProxy | None
    app: BotApplication | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    checked: asyncio.Event = field(default_factory=asyncio.Event)
    restarts: int = 0
    lost: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    starts: list[float] = field(default_factory=list)

    async def register(self, user: SimUser, role: Role = Role.MEMBER, unit: str = "SCH001") -> None:
        made = await invites.create_invite(
            self.db,
            unit_code=unit,
            role=role,
            max_uses=1,
            ttl=timedelta(days=14),
            now=self.clock.now(),
            created_by="cli",
        )
        await self.sim.send_command(user, "/start", made.token)
        await self.sim.next_message(user)

    async def after_a_check(self) -> None:
        """Return right after the active process's lock check passed."""
        self.checked.clear()
        await asyncio.wait_for(self.checked.wait(), 10)

    async def serving_again(self, after: int, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until the supervisor restarted the bot `after` times and it polls again."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.restarts < after or not self.ready.is_set():
            assert loop.time() < deadline, f"not serving again after {timeout}s"
            await asyncio.sleep(0.05)


async def _supervise(s: Supervised) -> None:
    while not s.stop.is_set():
        s.lost = asyncio.Event()
        try:
            async with running(s.config, clock=s.clock, db=s.db, poll_timeout=1) as app:
                s.app = app
                s.starts.append(time.monotonic())
                s.ready.set()
                waiters = [asyncio.create_task(e.wait()) for e in (s.stop, s.lost)]
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
                s.ready.clear()
        except Exception as error:  # a stop while the database is away may fail: start again
            log.info("supervisor: the bot stopped with %s; starting it again", type(error).__name__)
            s.ready.clear()
        if not s.stop.is_set():
            s.restarts += 1


def _watch_checks(monkeypatch: pytest.MonkeyPatch, s: Supervised) -> None:
    real_check = locks.AdvisoryLock.check

    async def check(self: locks.AdvisoryLock, within: float) -> None:
        await real_check(self, within)
        s.checked.set()

    async def terminated() -> None:
        s.lost.set()

    monkeypatch.setattr(locks.AdvisoryLock, "check", check)
    monkeypatch.setattr(leadership, "terminate_self", terminated)


@asynccontextmanager
async def pg_schema() -> AsyncIterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        await _admin(f'DROP SCHEMA "{schema}" CASCADE')


async def _admin(statement: str) -> None:
    admin = create_async_engine(PG_URL)  # a new engine each time: the server may have restarted
    try:
        async with admin.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@asynccontextmanager
async def supervised_bot(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    through_proxy: bool = True,
    check_seconds: float = 1.5,
) -> AsyncIterator[Supervised]:
    """The bot on a PostgreSQL schema of its own (through a proxy unless told otherwise)."""
    url = make_url(PG_URL)
    proxy: TcpProxy | None = None
    if through_proxy:
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        await proxy.start()
        url = url.set(host="127.0.0.1", port=proxy.port)
    async with (
        pg_schema() as schema,
        BotApiSimulator(token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手") as sim,
    ):
        staff = sim.add_group("投诉受理工作群", supergroup=True)
        base = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=url.render_as_string(hide_password=False),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        )
        ha = HaConfig(
            lock_key=secrets.randbelow(2**40) + 1,  # not the lock of other tests' bots
            check_seconds=check_seconds,
            retry_seconds=0.3,
        )
        config = hotline_config(base, staff.id).model_copy(update={"ha": ha})
        db = Database(config.storage.url, connect_args={"server_settings": {"search_path": schema}})
        s = Supervised(
            sim=sim, db=db, clock=TravelClock(START), config=config, staff=staff, proxy=proxy
        )
        _watch_checks(monkeypatch, s)
        task = asyncio.create_task(_supervise(s))
        try:
            await asyncio.wait_for(s.ready.wait(), 20)
            await units.import_units(db, list(enumerate(UNITS, start=2)), now=s.clock.now())
            yield s
        finally:
            s.stop.set()
            if proxy is not None:
                await proxy.restore()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(task, 20)
            await db.dispose()
            if proxy is not None:
                await proxy.stop()
        assert sim.violations == []


def answers(sim: BotApiSimulator, chat: Any) -> list[str]:
    return [m.text for m in sim.bot_messages(chat)]


def set_read_timeout(bot: Any, seconds: float) -> None:
    """The read timeout of the bot's Bot API calls (bot/updates/transport.py)."""
    bot.request.set_timeouts(read=seconds)
