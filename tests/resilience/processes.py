"""The bot as an operator runs it (`python -m bot run` in a subprocess) against the Bot API
simulator of the test process and a PostgreSQL database of its own: what the failover and
crash suites share."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from domain.membership.roles import Role
from storage import migrate
from storage.db import Database
from storage.membership import invites, units
from tests.conftest import PG_URL
from tests.e2e.conftest import UNITS

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "424242:RESILIENCE-simulated"
BOT_USERNAME = "rectify_ha_bot"


@asynccontextmanager
async def pg_database() -> AsyncIterator[str]:
    """A PostgreSQL database of its own (advisory locks are per database), migrated and with
    the test units; dropped afterwards. Yields its URL."""
    name = f"res_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    try:
        await migrate.upgrade(db)
        now = datetime.now(UTC)
        await units.import_units(db, list(enumerate(UNITS, start=2)), now=now)
        await db.dispose()
        yield url
    finally:
        await db.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def invite(url: str, unit_code: str = "SCH001", role: Role = Role.MEMBER) -> str:
    db = Database(url)
    try:
        made = await invites.create_invite(
            db,
            unit_code=unit_code,
            role=role,
            max_uses=1,
            ttl=timedelta(days=14),
            now=datetime.now(UTC),
            created_by="cli",
        )
        return made.token
    finally:
        await db.dispose()


def write_config(directory: Path, *, base_url: str, base_file_url: str, storage_url: str) -> Path:
    body = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for old, new in (
        ('token = "123456:REPLACE-ME"', f'token = "{TOKEN}"'),
        ('base_url = "https://api.telegram.org/bot"', f'base_url = "{base_url}"'),
        (
            'base_file_url = "https://api.telegram.org/file/bot"',
            f'base_file_url = "{base_file_url}"',
        ),
        ('url = "sqlite+aiosqlite:///data/bot.db"', f'url = "{storage_url}"'),
        ('# username = "rectify_bot"', f'username = "{BOT_USERNAME}"'),
    ):
        assert old in body, old
        body = body.replace(old, new, 1)
    path = directory / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def bot_env() -> dict[str, str]:
    """The environment a bot process runs with: no proxies, a hotline pepper."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["BOT_HOTLINE_PEPPER"] = "resilience-test-pepper-" + "x" * 32
    return env


class BotProcess:
    """One `python -m bot run`; its log lines are collected as they come."""

    def __init__(self, name: str, config: Path, cwd: Path) -> None:
        self.name = name
        self.config = config
        self.cwd = cwd
        self.lines: list[tuple[float, str]] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        env = bot_env()
        self.lines = []
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(self.config),
            cwd=self.cwd,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append((time.monotonic(), line.decode(errors="replace").rstrip()))

    @property
    def log(self) -> str:
        return "\n".join(line for _, line in self.lines)

    async def wait_for(self, pattern: str, within: float) -> float:
        """Wait for a log line matching `pattern`; the monotonic time it was read."""
        found = re.compile(pattern)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for at, line in self.lines:
                if found.search(line):
                    return at
            if self.process is not None and self.process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name}: no log line like {pattern!r}:\n{self.log[-3000:]}")

    def kill(self) -> None:
        """`kill -9`: no clean-up of any kind."""
        assert self.process is not None
        self.process.kill()

    async def stop(self) -> int | None:
        """SIGTERM (if still running), then wait for the end."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            with suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            with suppress(Exception):
                await asyncio.wait_for(self._reader, timeout=5)
        return self.process.returncode

    async def reaped(self) -> None:
        assert self.process is not None
        await self.process.wait()
        if self._reader is not None:
            with suppress(Exception):
                await asyncio.wait_for(self._reader, timeout=5)
