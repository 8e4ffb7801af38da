"""`python -m bot backup` / `restore`: a consistent copy of a live SQLite database, a restore
that refuses to clobber data or a running bot, and a PostgreSQL round trip with pg_dump."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot import cli
from domain.membership.units import UnitKind, UnitRow
from storage import migrate
from storage.db import Database
from storage.membership import units
from storage.ops.backup import BackupError, backup, restore
from storage.ops.leadership import FileLock, sqlite_lock_path

NOW = datetime(2027, 3, 10, tzinfo=UTC)
KEY = 4242
EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def code(n: int) -> str:
    return f"U{n:05d}"


async def add_unit(db: Database, n: int) -> None:
    row = UnitRow(code(n), f"学校 {n}", UnitKind.SCHOOL, None)
    outcome = await units.import_units(db, [(2, row)], now=NOW)
    assert outcome.added


async def codes(db: Database) -> list[str]:
    return sorted(u.code for u in await units.all_units(db))


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def test_sqlite_backup_of_a_live_database_is_consistent_and_restores(
    tmp_path: Path,
) -> None:
    live = Database(sqlite_url(tmp_path / "live.db"))
    await migrate.upgrade(live)
    stop = asyncio.Event()
    written = 0
    goal, reached = 20, asyncio.Event()

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            await add_unit(live, written)
            written += 1
            if written >= goal:
                reached.set()
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        await reached.wait()
        await backup(live.url, tmp_path / "during.db")  # while the writer keeps going
        during_at = written
        goal = during_at + 10
        reached.clear()
        await reached.wait()
    finally:
        stop.set()
        await task
    await backup(live.url, tmp_path / "after.db")
    everything = await codes(live)
    await live.dispose()

    # The copy taken mid-write is a snapshot: the units 0..k-1 for some k, without a gap.
    copy = Database(sqlite_url(tmp_path / "copy.db"))
    try:
        assert await restore(copy.url, tmp_path / "during.db", force=False, lock_key=KEY)
        snapshot = await codes(copy)
        assert 20 <= len(snapshot) <= during_at + 1
        assert snapshot == [code(n) for n in range(len(snapshot))]
        assert len(snapshot) < len(everything)
        # Restoring the later backup over it needs --force, then holds everything.
        with pytest.raises(BackupError, match="already has tables; pass --force"):
            await restore(copy.url, tmp_path / "after.db", force=False, lock_key=KEY)
        revision = await restore(copy.url, tmp_path / "after.db", force=True, lock_key=KEY)
        assert await codes(copy) == everything
        assert revision == migrate.head_revision() == await migrate.current_revision(copy)
    finally:
        await copy.dispose()
    assert not (tmp_path / "after.db-wal").exists()  # a backup is one self-contained file


async def test_restore_refuses_while_a_bot_holds_the_database(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "bot.db"))
    await migrate.upgrade(db)
    await add_unit(db, 1)
    await backup(db.url, tmp_path / "b.db")
    lock_path = sqlite_lock_path(db)
    assert lock_path is not None
    bot_lock = FileLock(lock_path)  # what a running bot holds
    assert bot_lock.try_acquire()
    try:
        with pytest.raises(BackupError, match="stop every bot process"):
            await restore(db.url, tmp_path / "b.db", force=True, lock_key=KEY)
    finally:
        bot_lock.release()
        await db.dispose()
    with pytest.raises(BackupError, match="not a SQLite backup"):
        (tmp_path / "junk.db").write_bytes(b"PGDMP not sqlite")
        await restore(db.url, tmp_path / "junk.db", force=True, lock_key=KEY)
    with pytest.raises(BackupError, match="must not be the database itself"):
        await backup(db.url, tmp_path / "bot.db")


async def test_a_missing_pg_dump_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump not found: install the PostgreSQL client"):
        await backup("postgresql+asyncpg://bot:pw@127.0.0.1:1/bot", tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()


def test_the_command_line_backs_up_and_restores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    text_ = EXAMPLE.read_text(encoding="utf-8").replace(
        'url = "sqlite+aiosqlite:///data/bot.db"', f'url = "{sqlite_url(tmp_path / "bot.db")}"'
    )
    config.write_text(text_, encoding="utf-8")
    assert cli.main(["migrate", "--config", str(config)]) == 0
    assert cli.main(["backup", "--config", str(config), str(tmp_path / "b.db")]) == 0
    assert "backup written to" in capsys.readouterr().out
    assert cli.main(["restore", "--config", str(config), str(tmp_path / "b.db")]) == 1
    assert "pass --force" in capsys.readouterr().err
    assert cli.main(["restore", "--force", "--config", str(config), str(tmp_path / "b.db")]) == 0
    assert "restored" in capsys.readouterr().out


PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.mark.skipif(
    not PG_URL or shutil.which("pg_dump") is None, reason="needs TEST_DATABASE_URL and pg_dump"
)
async def test_postgresql_round_trip_with_pg_dump(tmp_path: Path) -> None:
    names = [f"ops_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("src", "dst")]
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    base = make_url(PG_URL)
    urls = [base.set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        async with admin.connect() as conn:
            for name in names:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        source = Database(urls[0])
        await migrate.upgrade(source)
        for n in range(5):
            await add_unit(source, n)
        await backup(source.url, tmp_path / "bot.dump")
        wanted = await codes(source)
        await source.dispose()

        revision = await restore(urls[1], tmp_path / "bot.dump", force=False, lock_key=KEY)
        restored = Database(urls[1])
        assert await codes(restored) == wanted
        await add_unit(restored, 99)  # sequences came along: new rows still get ids
        await restored.dispose()
        with pytest.raises(BackupError, match="pass --force"):
            await restore(urls[1], tmp_path / "bot.dump", force=False, lock_key=KEY)
        assert await restore(urls[1], tmp_path / "bot.dump", force=True, lock_key=KEY) == revision
        again = Database(urls[1])
        assert await codes(again) == wanted
        await again.dispose()
    finally:
        async with admin.connect() as conn:
            for name in names:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
