"""`python -m bot migrate` killed (SIGKILL) at many moments of a fresh SQLite migration: the
database is always at a whole revision (its tables exactly those of that revision), and the
next `migrate` completes to a schema equal to the models (issue 21).

The migrating processes are forked from this test's process, which has imported the bot
already (a fresh interpreter spends ~2 s importing it); each runs the command line's own
`main(["migrate", ...])` as `python -m bot migrate` does. The test is synchronous on purpose:
a child forked from inside a running event loop could not start its own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from storage import migrate
from storage.db import Database
from tests.test_cli import write_config

# Kill points spread over one migration's length: each costs a partial and a whole migration
# and a drift check (~3 s of CPU), so ten, not more, keep the suite's time in bounds.
KILLS = 10

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")


def _state(db_file: Path) -> tuple[str | None, frozenset[str]]:
    """The revision recorded and the tables present (read as SQLite recovers the file)."""
    if not db_file.exists():
        return None, frozenset()
    with sqlite3.connect(db_file) as conn:
        tables = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        }
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    conn.close()
    return revision, frozenset(tables - {"alembic_version"})


def _tables_by_revision(tmp_path: Path) -> dict[str | None, frozenset[str]]:
    """Each revision's tables, from a database migrated one step at a time."""
    db_file = tmp_path / "steps.db"
    expected: dict[str | None, frozenset[str]] = {None: frozenset()}

    async def walk() -> None:
        db = Database(f"sqlite+aiosqlite:///{db_file}")
        try:
            for step in migrate._pending(None, "head"):
                await migrate.upgrade(db, step)
                revision, tables = _state(db_file)
                assert revision == step
                expected[step] = tables
        finally:
            await db.dispose()

    asyncio.run(walk())
    return expected


def _fork_migrate(config: Path, out: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child: the command line, then straight out (no pytest teardown)
        code = 1
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = main(["migrate", "--config", str(config)])
        finally:
            os._exit(code)
    return pid


def _run_once(config: Path, out: Path, kill_after: float | None) -> tuple[float, int | None]:
    """Fork a migrate; SIGKILL it after `kill_after` s (None: let it finish). Returns how
    long it lived and its exit code (None when killed)."""
    started = time.monotonic()
    pid = _fork_migrate(config, out)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    lived = time.monotonic() - started
    if os.WIFSIGNALED(status):
        return lived, None
    return lived, os.WEXITSTATUS(status)


def _drift(url: str) -> list[object]:
    async def check() -> list[object]:
        db = Database(url)
        try:
            return await migrate.schema_drift(db)
        finally:
            await db.dispose()

    return asyncio.run(check())


@pytest.mark.timeout(180)  # ten forked migrations and ten whole ones, on a loaded machine
def test_migrate_killed_at_any_moment_never_bricks_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _tables_by_revision(tmp_path)
    config = write_config(tmp_path)  # its database: tmp_path / "b.db"
    db_file, url = tmp_path / "b.db", f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    head = migrate.head_revision()

    lived, code = _run_once(config, tmp_path / "clean.out", None)  # how long one takes
    assert code == 0, (tmp_path / "clean.out").read_text()
    assert _state(db_file) == (head, expected[head])

    seen: list[str | None] = []
    for k in range(KILLS):
        for leftover in tmp_path.glob("b.db*"):
            leftover.unlink()
        delay = lived * (0.15 + 0.9 * k / (KILLS - 1))  # from set-up to past the end
        _, killed_code = _run_once(config, tmp_path / f"kill{k}.out", delay)
        revision, tables = _state(db_file)
        seen.append(revision if killed_code is None else f"done:{revision}")
        # Atomic: whatever moment the kill hit, the tables are exactly a revision's.
        assert tables == expected[revision], (delay, revision, sorted(tables ^ expected[revision]))
        assert main(["migrate", "--config", str(config)]) == 0  # and migrate completes
        assert _state(db_file)[0] == head
        assert _drift(url) == []
    capsys.readouterr()
    mid = [r for r in seen if r is not None and r != head and not r.startswith("done:")]
    print(f"\nmigrate killed at {KILLS} points over {lived * 1000:.0f} ms: states {seen}")
    # The kills must have landed inside the migration, not only before or after it.
    assert mid or seen.count(None) < KILLS, seen


def test_a_database_bricked_by_an_older_version_is_refused_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    db_file = tmp_path / "b.db"
    with sqlite3.connect(db_file) as conn:  # what the old non-atomic migrate left behind
        conn.execute("CREATE TABLE units (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.close()
    assert main(["migrate", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "migrate refused" in err and "no recorded schema revision" in err
    assert "delete the database" in err and "restore the backup" in err
    assert _state(db_file) == (None, frozenset({"units"}))  # nothing was changed
