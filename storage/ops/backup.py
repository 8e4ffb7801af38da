"""Backing up and restoring the database (`python -m bot backup` / `restore` call these).

SQLite: SQLite's online backup API copies a consistent snapshot while the bot keeps writing
(WAL mode: readers never block the writer); the copy is a single self-contained file. Restore
copies it back through the same API (so no stale `-wal` file survives) and then migrates.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --single-transaction`, with the host,
port, user, password and database taken from `[storage] url`.

Restore refuses while a bot process holds the database (the same lock the bot takes at
start-up) and refuses to replace a database that has tables unless `--force` is given.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import URL, make_url

from storage import migrate
from storage.db import Database
from storage.ops.leadership import AdvisoryLock, FileLock, sqlite_lock_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


# -- backup ------------------------------------------------------------------------------


async def backup(url: str, dest: Path) -> None:
    """Write a consistent copy of the database at `url` to `dest` (atomically replaced)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        await asyncio.to_thread(sqlite_backup, _sqlite_file(parsed), dest)
    else:
        await pg_dump(parsed, dest)


def sqlite_backup(source: Path, dest: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if dest.resolve() == source.resolve():
        raise BackupError("the backup file must not be the database itself")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)  # all pages in one step: one read transaction, one snapshot
            out.execute("PRAGMA journal_mode=DELETE")  # a single file, no -wal beside it
            (check,) = out.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
        finally:
            out.close()
    finally:
        src.close()
    os.replace(partial, dest)


async def pg_dump(url: URL, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    args = ["--format=custom", f"--file={partial}", *_pg_target(url)]
    try:
        await _run_pg_tool("pg_dump", args, url)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dest)


# -- restore -----------------------------------------------------------------------------


async def restore(url: str, source: Path, *, force: bool, lock_key: int) -> str:
    """Replace the database at `url` with the backup in `source`, then migrate; returns the
    database's migration revision afterwards."""
    _check_backup_file(source, make_url(url).get_backend_name())
    db = Database(url)
    try:
        if db.dialect == "sqlite":
            await _restore_sqlite(db, source, force=force)
        else:
            await _restore_pg(db, source, force=force, lock_key=lock_key)
        _, after = await migrate.upgrade(db)
    finally:
        await db.dispose()
    return after or "(empty)"


async def _has_tables(db: Database) -> bool:
    async with db.engine.connect() as conn:
        names: list[str] = await conn.run_sync(lambda c: inspect(c).get_table_names())
    return bool(names)


def _refuse_running() -> BackupError:
    return BackupError("a bot process is using this database: stop every bot process first")


def _refuse_data(where: str) -> BackupError:
    return BackupError(f"{where} already has tables; pass --force to replace it")


async def _restore_sqlite(db: Database, source: Path, *, force: bool) -> None:
    target = _sqlite_file(make_url(db.url))
    lock_path = sqlite_lock_path(db)
    lock = FileLock(lock_path) if lock_path is not None else None
    if lock is not None and not lock.try_acquire():
        raise _refuse_running()
    try:
        if target.exists() and await _has_tables(db) and not force:
            raise _refuse_data(str(target))
        await db.dispose()  # our own connections must not hold the old pages
        await asyncio.to_thread(_sqlite_copy_in, source, target)
    finally:
        if lock is not None:
            lock.release()


def _sqlite_copy_in(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (check,) = src.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(f"{source} failed its integrity check: {check}")
        out = sqlite3.connect(target, timeout=30)
        try:
            src.backup(out)  # page by page through SQLite: the target's WAL stays coherent
        finally:
            out.close()
    finally:
        src.close()


async def _restore_pg(db: Database, source: Path, *, force: bool, lock_key: int) -> None:
    lock = AdvisoryLock(db, lock_key, keepalive=(10, 5, 3))
    if not await lock.try_acquire():
        raise _refuse_running()
    try:
        if await _has_tables(db):
            if not force:
                raise _refuse_data(f"database {make_url(db.url).database!r}")
            await _drop_all(db)
        url = make_url(db.url)
        args = [
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            *_pg_target(url),
            str(source),
        ]
        await _run_pg_tool("pg_restore", args, url)
    finally:
        await lock.release()


async def _drop_all(db: Database) -> None:
    """Drop every table of the bot's schema (foreign keys first)."""
    metadata = MetaData()
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.reflect)
        await conn.run_sync(metadata.drop_all)


# -- helpers -----------------------------------------------------------------------------


def _check_backup_file(source: Path, dialect: str) -> None:
    """Refuse a missing file, or one of the other database's kind."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as handle:
        head = handle.read(16)
    if dialect == "sqlite" and head != SQLITE_MAGIC:
        raise BackupError(f"{source} is not a SQLite backup")
    if dialect != "sqlite" and not head.startswith(PG_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup")


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_target(url: URL) -> list[str]:
    args = []
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    args.append(f"--dbname={url.database or url.username or 'postgres'}")
    return args


def _pg_env(url: URL) -> dict[str, str]:
    """The password and TLS mode travel in the environment, never on the command line."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("ssl") or url.query.get("sslmode")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = {"true": "require"}.get(ssl, ssl)
    return env


async def _run_pg_tool(tool: str, args: list[str], url: URL) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} not found: install the PostgreSQL client tools "
            f"(e.g. `apt install postgresql-client`) or put {tool} on PATH"
        )
    proc = await asyncio.create_subprocess_exec(
        program,
        *args,
        env=_pg_env(url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{tool} failed (exit {proc.returncode}): " + " / ".join(message[-3:]))
