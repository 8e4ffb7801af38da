"""Exactly one active bot process per database.

On PostgreSQL every process starts as a standby and tries the advisory lock every
`[ha] retry_seconds`; the one that gets it migrates, loads the persisted conversations, polls (or
serves the webhook) and runs the reminder sweep. While active it checks its lock connection every
`check_seconds`; if that connection is lost, another process may already be active, so it stops
taking updates at once (fencing) and shuts down, for its supervisor to start it again as a
standby. On SQLite one process only: a second one refuses to start.

A database that cannot be reached at start is waited for: as a standby with `[ha] enabled`
(saying so once a minute), else for `[storage] connect_wait_seconds` at most, then the start
fails naming the host (a single process has nothing to stand by for; its supervisor retries).
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


STANDBY_NOTICE_SECONDS = 60.0  # a standby repeats that the database is away this often


class AlreadyRunningError(RuntimeError):
    """Another bot process holds this SQLite database."""


class DatabaseUnreachableError(RuntimeError):
    """The database could not be reached within the start-up wait."""


def database_unreachable(address: str, problem: str, waited: float | None = None) -> str:
    """The operator's line for a database that does not answer."""
    during = f" for {waited:.0f} s ([storage] connect_wait_seconds)" if waited is not None else ""
    return (
        f"database at {address} unreachable{during} ({problem}): check that the server runs "
        "and [storage] url"
    )


async def terminate_self() -> None:
    """The default reaction to a lost lock once polling stopped: ask this process to shut down
    (the CLI stops cleanly on SIGTERM; systemd's `Restart=always` starts it again)."""
    os.kill(os.getpid(), signal.SIGTERM)


class Lease:
    """The right to be the active process, from `acquire()` to `release()`."""

    def __init__(
        self,
        db: Database,
        config: HaConfig,
        *,
        on_lost: OnLost | None = None,
        connect_wait: float | None = None,
    ) -> None:
        """`connect_wait`: seconds to wait for an unreachable database before
        `DatabaseUnreachableError` (None: wait as long as it takes, as a standby)."""
        self._db = db
        self._config = config
        self._connect_wait = connect_wait
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
        last_notice: float | None = None  # when the database's absence was last logged
        away_since = started  # since when the database has not answered
        while True:
            try:
                async with asyncio.timeout(self._try_within(away_since)):
                    if await self._advisory.try_acquire():
                        break
                problem = None
            except Exception as error:  # the database is away: keep waiting for it
                problem = type(error).__name__
            now = time.monotonic()
            if problem is None:
                away_since, last_notice = now, None
                if not announced:
                    log.info(
                        "standby: another process is active; trying again every %.0f s",
                        self._config.retry_seconds,
                    )
                    announced = True
            elif self._connect_wait is not None:
                if now - away_since >= self._connect_wait:
                    raise DatabaseUnreachableError(
                        database_unreachable(self._db.address, problem, self._connect_wait)
                    )
                if last_notice is None:
                    last_notice = now
                    log.warning(
                        "%s; waiting up to %.0f s",
                        database_unreachable(self._db.address, problem),
                        self._connect_wait,
                    )
            elif last_notice is None or now - last_notice >= STANDBY_NOTICE_SECONDS:
                last_notice = now
                log.warning(
                    "standby: database at %s unreachable (%s) for %.0f s; trying again every "
                    "%.0f s, saying so once a minute",
                    self._db.address,
                    problem,
                    now - away_since,
                    self._config.retry_seconds,
                )
            await asyncio.sleep(self._config.retry_seconds)
        self.waited = time.monotonic() - started
        log.info("active: holding the leader lock (waited %.1f s as standby)", self.waited)

    def _try_within(self, away_since: float) -> float | None:
        """How long one try may take: no longer than what is left of the start-up wait
        (a server that drops packets would otherwise hold a connect for a minute)."""
        if self._connect_wait is None:
            return None
        return max(self._connect_wait - (time.monotonic() - away_since), 0.5)

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
