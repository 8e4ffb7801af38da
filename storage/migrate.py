"""Schema migrations, run in-process over the async engine (no alembic.ini needed).

Each migration is applied in a transaction of its own, together with the revision it records
in `alembic_version`: a process killed at any moment leaves the database at the revision
before that migration or after it, never between. On PostgreSQL DDL is transactional as it
is. On SQLite it is too, but Python's sqlite3 driver opens a transaction only before INSERT,
UPDATE and DELETE, so each CREATE TABLE used to commit on its own: a `kill -9` 30-120 ms into
a fresh migration left tables and no revision, and every later `migrate` failed with "table
... already exists". Here the migration's connection is put in the driver's autocommit mode
(`isolation_level = None`) and emits its own `BEGIN`, SQLAlchemy's documented recipe for
transactional DDL on pysqlite/aiosqlite; the connection's mode is restored afterwards.

A database left with tables and no revision by an earlier version of the bot cannot be
repaired safely by guessing; `upgrade` refuses it with `Unversioned`, whose message says what
to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.models import metadata

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to a live connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration's id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)


class Unversioned(RuntimeError):
    """The database has tables but no recorded revision (see the module)."""

    def __init__(self, tables: list[str]) -> None:
        super().__init__(
            f"the database has {len(tables)} table(s) (e.g. {', '.join(tables[:3])}) but no "
            "recorded schema revision: an earlier migrate was interrupted by a version of the "
            "bot that did not apply migrations atomically. Nothing was changed. If the "
            "database holds no data yet (the bot never ran on it), delete the database (for "
            "SQLite its file and the -wal and -shm files beside it) and run migrate again; "
            "otherwise restore the backup taken before the upgrade and run migrate again."
        )
        self.tables = tables


def _pending(current: str | None, revision: str) -> list[str]:
    """The migrations from `current` (exclusive) up to `revision`, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    upper = script.get_revision(revision)
    if upper is None:
        return []
    steps = script.iterate_revisions(upper.revision, current)
    return [s.revision for s in reversed(list(steps)) if s is not None]


def _apply(connection: Connection, step: str) -> None:
    """Apply the one migration `step` atomically (with its `alembic_version` row)."""
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.dbapi_connection
    saved = getattr(driver, "isolation_level", None)
    if sqlite:  # the driver would commit each DDL statement by itself
        driver.isolation_level = None  # type: ignore[union-attr]
    try:
        with connection.begin():  # alembic sees a transaction already open and adds none
            if sqlite:
                connection.exec_driver_sql("BEGIN")
            command.upgrade(alembic_config(connection), step)
    finally:
        if sqlite:
            driver.isolation_level = saved  # type: ignore[union-attr]


def _upgrade(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    before = _current(connection)
    if before is None:
        tables = sorted(t for t in inspect(connection).get_table_names() if t != "alembic_version")
        if tables:
            connection.rollback()
            raise Unversioned(tables)
    connection.rollback()  # end the reading transaction: each step opens its own
    for step in _pending(before, revision):
        _apply(connection, step)
    after = _current(connection)
    connection.rollback()
    return before, after


async def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply pending migrations, each in a transaction of its own; returns (revision before,
    revision after). Raises `Unversioned` for a database with tables and no revision."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: _upgrade(c, revision))


async def schema_drift(db: Database) -> list[object]:
    """Differences between the migrated database and the models (empty when they agree)."""

    def _diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with db.engine.connect() as conn:
        return await conn.run_sync(_diff)


async def make_revision(db: Database, message: str) -> None:
    """Autogenerate the next numbered migration from the models against an up-to-date database."""
    next_id = f"{int(head_revision()) + 1:04d}"
    async with db.engine.begin() as conn:
        await conn.run_sync(
            lambda c: command.revision(
                alembic_config(c), message=message, autogenerate=True, rev_id=next_id
            )
        )
