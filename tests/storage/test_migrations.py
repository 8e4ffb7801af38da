"""Alembic owns the schema: the migrations build exactly what the models describe."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from storage import migrate
from storage.db import Database


async def test_upgrade_head_matches_models(empty_db: Database) -> None:
    before, after = await migrate.upgrade(empty_db)
    assert before is None
    assert after == migrate.head_revision()
    assert await migrate.schema_drift(empty_db) == []


async def test_upgrade_is_idempotent(db: Database) -> None:
    before, after = await migrate.upgrade(db)
    assert before == after == migrate.head_revision()


async def test_downgrade_to_base_and_back(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(migrate.alembic_config(c), "base"))
    assert await migrate.current_revision(db) is None
    await migrate.upgrade(db)
    assert await migrate.schema_drift(db) == []


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
