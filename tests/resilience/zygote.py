"""A process that has imported the bot once and forks a `python -m bot run` for each request:
the crash suite starts 20+ bot processes, and a fresh interpreter costs seconds of CPU each.

Run as `python -m tests.resilience.zygote CONFIG`; each line `spawn LOGFILE` on its stdin forks
a child that runs `bot.cli.main(["run", "--config", CONFIG])` with its stdout and stderr in
LOGFILE (and that file's directory as working directory); the zygote answers `pid N`. With
CRASH_SWEEP_SOON set, each process's first reminder sweep runs that many seconds after
start-up instead of after the configured interval (`_sweep_soon`).
`ForkedLife` is the test's side: the same surface as `BotProcess`.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SWEEP_SOON_ENV = "CRASH_SWEEP_SOON"  # seconds after start-up of each process's first sweep


def _reap_forever() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(0.05)


def _sweep_soon(seconds: float) -> None:
    """Move each process's first reminder sweep to `seconds` after start-up (the config's
    minimum interval is 5 s; a life in the crash suite lasts about one). Nothing else of the
    sweep changes: it is the same job, and later ticks keep the configured interval."""
    from datetime import UTC, datetime, timedelta
    from typing import Any

    from bot import reminders

    original = reminders.start

    async def start(app: Any, config: Any, *, schedule: bool = True) -> Any:
        engine = await original(app, config, schedule=schedule)
        if app.job_queue is not None:
            soon = datetime.now(UTC) + timedelta(seconds=seconds)
            for job in app.job_queue.get_jobs_by_name(reminders.JOB_NAME):
                job.job.modify(next_run_time=soon)
        return engine

    reminders.start = start  # type: ignore[assignment]


def serve(config: str) -> None:
    import bot.cli  # imported once, before any fork

    if soon := os.environ.get(SWEEP_SOON_ENV):
        _sweep_soon(float(soon))
    threading.Thread(target=_reap_forever, daemon=True).start()
    for request in sys.stdin:
        command, _, argument = request.strip().partition(" ")
        if command != "spawn":
            continue
        pid = os.fork()
        if pid == 0:
            log = os.open(argument, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.chdir(str(Path(argument).parent))
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                code = bot.cli.main(["run", "--config", config])
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            os._exit(code or 0)
        print(f"pid {pid}", flush=True)


class Zygote:
    """The test's handle on the zygote process."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        self.config, self.env = config, env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.resilience.zygote",
            str(self.config),
            cwd=ROOT,
            env=self.env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )

    async def spawn(self, log: Path) -> int:
        process = self.process
        assert process is not None and process.stdin is not None and process.stdout is not None
        process.stdin.write(f"spawn {log}\n".encode())
        await process.stdin.drain()
        answer = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        return int(answer.split()[1])

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class ForkedLife:
    """One forked bot process; its log is read from its file."""

    def __init__(self, name: str, zygote: Zygote, directory: Path) -> None:
        self.name = name
        self.zygote = zygote
        self.path = directory / f"{name.replace(' ', '-')}.log"
        self.pid = 0
        self._read = 0
        self._lines: list[tuple[float, str]] = []
        self._partial = ""

    async def start(self) -> None:
        self.pid = await self.zygote.spawn(self.path)

    @property
    def lines(self) -> list[tuple[float, str]]:
        if self.path.exists():
            with self.path.open("r", encoding="utf-8", errors="replace") as handle:
                handle.seek(self._read)
                chunk = handle.read()
                self._read = handle.tell()
            now = time.monotonic()
            *complete, self._partial = (self._partial + chunk).split("\n")
            self._lines.extend((now, line) for line in complete)
        return self._lines

    @property
    def log(self) -> str:
        return "\n".join(line for _, line in self.lines)

    async def wait_for(self, pattern: str, within: float) -> float:
        found = re.compile(pattern)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for at, line in self.lines:
                if found.search(line):
                    return at
            await asyncio.sleep(0.02)
        raise AssertionError(f"{self.name}: no log line like {pattern!r}:\n{self.log[-3000:]}")

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    async def reaped(self, within: float = 10.0) -> None:
        for _ in range(int(within / 0.01)):
            if not _alive(self.pid):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{self.name} (pid {self.pid}) did not end")

    async def stop(self) -> bool:
        """SIGTERM; False if it had to be killed after 20 s."""
        if self.pid and _alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(400):
                if not _alive(self.pid):
                    return True
                await asyncio.sleep(0.05)
            os.kill(self.pid, signal.SIGKILL)
            return False
        return True


class Lives:
    """The bot processes of a run, forked by the zygote."""

    def __init__(self, config: Path, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.zygote = Zygote(config, env)
        self.all: list[ForkedLife] = []

    async def spawn(self) -> ForkedLife:
        if self.zygote.process is None:
            await self.zygote.start()
        life = ForkedLife(f"life {len(self.all) + 1}", self.zygote, self.cwd)
        self.all.append(life)
        await life.start()
        return life

    async def stop_all(self) -> list[str]:
        """Stop every process still running; the names of those SIGTERM did not stop."""
        stuck = [life.name for life in self.all if not await life.stop()]
        await self.zygote.stop()
        return stuck


if __name__ == "__main__":
    serve(sys.argv[1])
