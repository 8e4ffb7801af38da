"""The database handle: one async engine, sessions that do not expire on commit.

SQLite runs in WAL mode with foreign keys on; PostgreSQL through asyncpg.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from storage.cases.sealing import Keyring
    from storage.files.store import FileStore


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def address(url: str) -> str:
    """Where the database is, for an operator reading an error: `host:port/name` for a
    server (never the user or password), the file's path for SQLite."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.database or ":memory:"
    port = parsed.port or (5432 if backend == "postgresql" else None)
    host = f"{parsed.host or 'localhost'}" + (f":{port}" if port else "")
    return f"{host}/{parsed.database}" if parsed.database else host


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str, *, echo: bool = False, connect_args: dict[str, Any] | None = None):
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The ping before each checkout finds a connection a server dropped (failover); a
        # SQLite file has no server, and the ping would cost a round trip per transaction.
        self.engine: AsyncEngine = create_async_engine(
            url,
            echo=echo,
            connect_args=connect_args or {},
            pool_pre_ping=self.dialect != "sqlite",
        )
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        # Where complaints' data keys live (storage.cases.sealing); attached at start-up.
        self.keyring: Keyring | None = None
        # Where the bureau's copies of evidence files go (storage.files); attached at start-up.
        self.files: FileStore | None = None

    @property
    def address(self) -> str:
        return address(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Rolled back if the block raises."""
        async with self._sessions() as session:
            session.info["keyring"] = self.keyring
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


# What a lost or refused database connection looks like from above: SQLAlchemy's wrappers,
# the drivers' own connection errors (asyncpg's are raised unwrapped while connecting), the
# pool running dry, and the sockets' errors. Checked along the exception's whole chain.
_DRIVER_ERRORS = (
    "ConnectionDoesNotExistError",
    "CannotConnectNowError",
    "ConnectionFailureError",
    "ConnectionRejectionError",
    "ClientCannotConnectError",
    "AdminShutdownError",
    "CrashShutdownError",
    "TooManyConnectionsError",
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database could not be reached (retry later), not a bug."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, exc.OperationalError | exc.InterfaceError | exc.TimeoutError):
            return True
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        if type(current).__name__ in _DRIVER_ERRORS:
            return True
        # SQLSTATE class 08 (connection exception), 57P01-57P03 (the server shutting down or
        # starting up); SQLAlchemy keeps the driver's error in `orig`.
        state = str(getattr(current, "sqlstate", None) or "")
        if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
            return True
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            current = orig
            continue
        current = current.__cause__ or current.__context__
    return False
