"""Schema migrations, run in-process over the async engine (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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


async def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply pending migrations; returns (revision before, revision after)."""
    async with db.engine.begin() as conn:
        before = await conn.run_sync(_current)
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), revision))
        after = await conn.run_sync(_current)
    return before, after


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
