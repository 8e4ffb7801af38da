"""Fixtures shared by every tier: databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set) and a clean network environment."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.hotline.crypto import kek_from_secret
from storage.cases.sealing import Keyring
from storage.db import Database

# The suites' end-of-run tables (tests/hostile/table.py): hooks imported here so that they
# also run in pytest-xdist's controller, which never loads tests/hostile/conftest.py.
from tests.hostile.table import pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401
from tests.template_db import give_back, migrated_postgres, migrated_sqlite

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours proxy variables even for 127.0.0.1.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


async def fresh_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    """An empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"), None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    db = Database(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    return db, schema


async def drop_database(db: Database, schema: str | None) -> None:
    await db.dispose()
    if schema is not None:
        admin = create_async_engine(PG_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables, on every configured backend."""
    db, schema = await fresh_database(request.param, tmp_path)
    try:
        yield db
    finally:
        await drop_database(db, schema)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database, on every configured backend, with a keyring for complaints' keys
    (a SQLite file of its own, as in production). It comes from `tests/template_db.py`: on
    SQLite a copy of a file migrated once per test process, on PostgreSQL a schema migrated
    once and emptied after each test."""
    schema: str | None = None
    if request.param == "sqlite":
        database = Database(migrated_sqlite(tmp_path / "test.db"))
    else:
        database, schema = await migrated_postgres(PG_URL)
    store = Database(f"sqlite+aiosqlite:///{tmp_path / 'keyring.db'}")
    keyring = Keyring(store, (kek_from_secret("test data key " + "k" * 32),))
    await keyring.prepare()
    database.keyring = keyring
    try:
        yield database
    finally:
        await store.dispose()
        if schema is None:
            await database.dispose()
        else:
            await give_back(PG_URL, database, schema)
