"""What the benchmarks share: verdict lines, percentiles, the machine, a bot run in a child
process against the simulator, and a cheap way for many simulated users to wait for answers.

The bot under test runs in its own process (as it would against Telegram): the simulator and
the users it plays stay in the benchmark's process, so their bookkeeping is not counted as
the bot's work.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import BotApiSimulator, SimMessage  # noqa: E402

VERDICTS: list[str] = []


def verdict(name: str, met: bool, figure: str) -> str:
    """Print and remember one target's verdict line."""
    line = f"VERDICT {name}: {'met' if met else 'NOT MET'} ({figure})"
    VERDICTS.append(line)
    print(line, flush=True)
    return line


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def machine() -> str:
    """nproc, CPU model, Python version and load, for the record."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, load average {load}"
    )


def child_env() -> dict[str, str]:
    """The environment of a child process: this checkout importable, no proxies (httpx
    would send even 127.0.0.1 through them)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PTB_TIMEDELTA": "true"}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(name, None)
    return env


class BotProcess:
    """`python benchmarks/<script>.py --serve ...` in a child process; stops when stdin closes."""

    def __init__(self, script: Path, args: Sequence[str]) -> None:
        self.script, self.args = script, list(args)
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, sim: BotApiSimulator, *, within: float = 60.0) -> None:
        env = child_env()
        polls = sim.stats.calls_by_method.get("getUpdates", 0)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(self.script), *self.args, stdin=asyncio.subprocess.PIPE, env=env
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while sim.stats.calls_by_method.get("getUpdates", 0) <= polls:
            if self.proc.returncode is not None or loop.time() > deadline:
                raise RuntimeError("the bot process did not start polling")
            await asyncio.sleep(0.05)

    def cpu(self) -> float:
        """CPU seconds the bot process used so far (its threads included)."""
        if self.proc is None:
            return 0.0
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def serve_until_stdin_closes() -> None:
    """In the child: return when the parent closes our stdin (or dies)."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


class Inbox:
    """Many users waiting for the bot's next message without each re-checking on every event.

    The simulator wakes every waiter on every API call; with hundreds of users that wake-up
    storm would cost more than the bot itself. One watcher scans only the chats someone waits
    on, and only their new messages.
    """

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim
        self._scanned: dict[int, int] = {}
        self._arrived: dict[int, list[SimMessage]] = {}
        self._read: dict[int, int] = {}
        self._waiting: dict[int, asyncio.Future[SimMessage]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def forget(self) -> None:
        """After the simulator's messages were cleared: start counting afresh."""
        self._scanned.clear()
        self._arrived.clear()
        self._read.clear()

    def _scan(self, chat_id: int) -> None:
        messages = self.sim.state.messages.get(chat_id, [])
        start = self._scanned.get(chat_id, 0)
        arrived = self._arrived.setdefault(chat_id, [])
        arrived.extend(m for m in messages[start:] if m.from_bot)
        self._scanned[chat_id] = len(messages)

    def _deliver(self) -> bool:  # always False: the watcher never stops
        for chat_id in list(self._waiting):
            self._scan(chat_id)
            read = self._read.get(chat_id, 0)
            if len(self._arrived[chat_id]) > read:
                future = self._waiting.pop(chat_id)
                self._read[chat_id] = read + 1
                if not future.done():
                    future.set_result(self._arrived[chat_id][read])
        return False

    async def _watch(self) -> None:
        while True:
            await self.sim.state.signal.wait_for(self._deliver, 3600)

    async def next(self, chat_id: int, timeout: float = 30.0) -> SimMessage:  # noqa: ASYNC109
        """The bot's next message in `chat_id` not yet returned."""
        self._scan(chat_id)
        read = self._read.get(chat_id, 0)
        if len(self._arrived[chat_id]) > read:
            self._read[chat_id] = read + 1
            return self._arrived[chat_id][read]
        future: asyncio.Future[SimMessage] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(chat_id, None)


# -- the database a benchmark runs on (`--database`) ---------------------------------------

DATABASE_HELP = (
    "SQLite (default) or a PostgreSQL server as postgresql+asyncpg://user@host:port/NAME: "
    "each benchmark creates databases NAME_<what> there (and reuses those it built before)"
)


def database_option(parser: Any) -> None:
    """`--database`, defaulting to $BENCH_DATABASE_URL, else SQLite."""
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", "sqlite"), help=DATABASE_HELP
    )


def is_postgres(option: str) -> bool:
    return option.startswith("postgresql")


def _server(option: str) -> tuple[str, str]:
    """(asyncpg URL of the server's `postgres` database, the name prefix) from `option`."""
    url = make_url(option)
    prefix = url.database or "bench"
    admin = url.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), prefix


async def postgres_database(option: str, what: str, *, fresh: bool) -> tuple[str, bool]:
    """The URL of database `<prefix>_<what>` on the server of `option`, created (empty) when
    missing or `fresh`; and whether it existed before (a built one to reuse)."""
    admin, prefix = _server(option)
    name = f"{prefix}_{what}".lower().replace("-", "_")
    conn = await asyncpg.connect(admin)
    try:
        found = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if found and fresh:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            found = None
        if not found:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(option).set(database=name).render_as_string(hide_password=False), bool(found)


async def drop_postgres_database(option: str, what: str) -> None:
    admin, prefix = _server(option)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{prefix}_{what}" WITH (FORCE)')
    finally:
        await conn.close()
