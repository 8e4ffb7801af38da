"""Exactly one active bot process per database.

On PostgreSQL every process starts as a standby and tries the advisory lock every
`[ha] retry_seconds`; the one that gets it migrates, loads the persisted conversations, polls (or
serves the webhook) and runs the reminder sweep. While active it checks its lock connection every
`check_seconds`; if that connection is lost, another process may already be active, so it stops
taking updates at once (fencing) and shuts down, for its supervisor to start it again as a
standby. On SQLite one process only: a second one refuses to start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from bot.config.ha import HaConfig
from bot.ops.health import HEALTH_KEY, HealthState
from handlers.context import BotApplication
from storage.db import Database
from storage.ops.leadership import AdvisoryLock, FileLock, LockLostError, sqlite_lock_path

log = logging.getLogger(__name__)

OnLost = Callable[[], Awaitable[None]]


class AlreadyRunningError(RuntimeError):
    """Another bot process holds this SQLite database."""


async def terminate_self() -> None:
    """The default reaction to a lost lock once polling stopped: ask this process to shut down
    (the CLI stops cleanly on SIGTERM; systemd's `Restart=always` starts it again)."""
    os.kill(os.getpid(), signal.SIGTERM)


class Lease:
    """The right to be the active process, from `acquire()` to `release()`."""

    def __init__(self, db: Database, config: HaConfig, *, on_lost: OnLost | None = None) -> None:
        self._db = db
        self._config = config
        self._on_lost = on_lost or terminate_self
        self._advisory = (
            AdvisoryLock(db, config.lock_key, keepalive=config.keepalive_seconds)
            if db.dialect == "postgresql"
            else None
        )
        path = sqlite_lock_path(db)
        self._file = FileLock(path) if path is not None else None
        self._watch: asyncio.Task[None] | None = None
        self.lost = asyncio.Event()
        self.waited = 0.0  # seconds spent as a standby before becoming active

    async def acquire(self) -> None:
        """Become the active process: wait as a standby (PostgreSQL) or refuse (SQLite)."""
        if self._file is not None and not self._file.try_acquire():
            raise AlreadyRunningError(
                f"another bot process is already running on {self._file.path.with_suffix('')}"
                " (SQLite allows one process; its lock file is "
                f"{self._file.path}). Stop it first, or use PostgreSQL for active/standby."
            )
        if self._advisory is None:
            return
        started = time.monotonic()
        announced = False
        while True:
            try:
                if await self._advisory.try_acquire():
                    break
                problem = None
            except Exception as error:  # the database is away: keep waiting for it
                problem = type(error).__name__
            if not announced or problem:
                log.info(
                    "standby: %s; trying again every %.0f s",
                    f"database unreachable ({problem})" if problem else "another process is active",
                    self._config.retry_seconds,
                )
                announced = True
            await asyncio.sleep(self._config.retry_seconds)
        self.waited = time.monotonic() - started
        log.info("active: holding the leader lock (waited %.1f s as standby)", self.waited)

    def guard(self, app: BotApplication) -> None:
        """While active, check the lock; if it is lost, stop taking updates, then `on_lost`."""
        if self._advisory is not None and self._watch is None:
            self._watch = asyncio.create_task(self._watch_lock(app), name="leadership:watch")

    async def _watch_lock(self, app: BotApplication) -> None:
        assert self._advisory is not None
        while True:
            await asyncio.sleep(self._config.check_seconds)
            try:
                await self._advisory.check(within=self._config.check_seconds)
            except LockLostError as error:
                log.critical("leader lock lost (%s): stopping updates now", error)
                break
        self.lost.set()
        await fence(app)
        await self._on_lost()

    async def release(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._advisory is not None:
            await self._advisory.release()
        if self._file is not None:
            self._file.release()


async def fence(app: BotApplication) -> None:
    """Stop taking updates and running jobs: another process may be active by now. (In
    webhook mode the server refuses updates once `/healthz` no longer says leader.)"""
    health = app.bot_data.get(HEALTH_KEY)
    if isinstance(health, HealthState):
        health.leader = False
        health.leader_detail = "lost the leader lock; stopping"
    try:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
    except Exception:  # stopping a poll on a broken network may fail: it is stopped anyway
        log.exception("stopping the updater after losing the lock")
    if app.job_queue is not None and app.job_queue.scheduler.running:
        app.job_queue.scheduler.pause()


STANDBY_STOP_SECONDS = 10  # a process stopped before it became active ends within this


async def serve_until(
    stop: asyncio.Event, serving: Callable[[], AbstractAsyncContextManager[object]]
) -> bool:
    """Enter `serving()` (which waits for the lock first) and stay until `stop` is set. A stop
    while still waiting as a standby, or while starting, cancels the start-up instead. False
    (and the reason on stderr) when another process holds a SQLite database."""
    entered = asyncio.Event()

    async def serve() -> None:
        async with serving():
            entered.set()
            await stop.wait()

    task = asyncio.create_task(serve(), name="leadership:serve")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not task.done() and not entered.is_set():
        task.cancel()
        await asyncio.wait({task}, timeout=STANDBY_STOP_SECONDS)
        if not task.done():  # stuck while starting: nothing is served yet, so just go
            log.error("not stopped within %s s while starting; exiting", STANDBY_STOP_SECONDS)
            logging.shutdown()
            os._exit(1)  # asyncio.run would wait for the stuck task forever
    try:
        await task
    except asyncio.CancelledError:
        pass
    except AlreadyRunningError as refused:
        print(f"error: {refused}", file=sys.stderr)
        return False
    return True
