"""Who may be the active bot process: a PostgreSQL session-level advisory lock held on a
connection of its own, or, for SQLite, an exclusive lock on a file beside the database.

The advisory lock belongs to the database session: it is released when the connection ends —
at once when the holding process dies (the kernel closes its socket), and after the TCP
keepalive gives up when its machine or network vanishes. A session pooler in transaction mode
(e.g. pgbouncer) would break this; connect the bot to PostgreSQL directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database


class LockLostError(RuntimeError):
    """The connection that held the lock is gone (or stopped answering)."""


class AdvisoryLock:
    """`pg_try_advisory_lock(key)` on a dedicated connection."""

    def __init__(self, db: Database, key: int, *, keepalive: tuple[int, int, int]) -> None:
        self._db = db
        self._key = key
        self._keepalive = keepalive
        self._conn: AsyncConnection | None = None
        self._lock = key  # the lock actually taken: the key hashed with the schema

    @property
    def held(self) -> bool:
        return self._conn is not None

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; False (and no connection kept) otherwise."""
        conn = await self._db.engine.connect()
        try:
            idle, interval, count = self._keepalive
            await conn.exec_driver_sql(f"SET tcp_keepalives_idle = {int(idle)}")
            await conn.exec_driver_sql(f"SET tcp_keepalives_interval = {int(interval)}")
            await conn.exec_driver_sql(f"SET tcp_keepalives_count = {int(count)}")
            # One lock per (key, schema): bots in different schemas of one database are
            # different bots.
            self._lock = (
                await conn.execute(
                    text("SELECT hashtextextended(current_schema(), :k)"), {"k": self._key}
                )
            ).scalar_one()
            got = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock})
            ).scalar_one()
            await conn.commit()  # end the implicit transaction; the lock is the session's
        except BaseException:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def check(self, within: float) -> None:
        """Raise `LockLostError` unless the lock's connection answers within `within` seconds and
        still holds the lock."""
        conn = self._conn
        if conn is None:
            raise LockLostError("not held")
        query = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid() AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :k"
        )
        try:
            async with asyncio.timeout(within):
                held = (await conn.execute(query, {"k": self._lock})).scalar_one()
                await conn.commit()
        except Exception as error:  # a dead socket, a restarted server, a timeout
            raise LockLostError(type(error).__name__) from error
        if not held:
            raise LockLostError("lock not held by this session")

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            async with asyncio.timeout(5):
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock})
                await conn.commit()
                await conn.close()
        except Exception:  # the connection is already gone, and with it the lock
            with contextlib.suppress(Exception):
                await conn.invalidate()


def sqlite_lock_path(db: Database) -> Path | None:
    """The lock file beside a SQLite database file (None for an in-memory database)."""
    name = make_url(db.url).database
    if db.dialect != "sqlite" or not name or name == ":memory:":
        return None
    return Path(name).with_name(Path(name).name + ".lock")


class FileLock:
    """An exclusive `flock` on a file: held while this process has it open, released by the
    kernel when the process ends however it ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (kept open on purpose)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
