"""Conversation throughput: N members each file a full `/report` (8 steps) at once through the
simulator answering every call after 50 ms, as Telegram would; then our bot handling updates
one at a time (python-telegram-bot's default), and a bare python-telegram-bot echo bot (8
messages per user, also one at a time), all in this one run on the same simulator.

Prints reports/s, updates/s and the p50/p95 time of one step (the user's action until the
bot's answer arrives), the ratios, and checks every stored report against what its user sent.

    .venv/bin/python benchmarks/conversation.py [--users 200] [--sequential-users 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from benchmarks.breakdown import Breakdown
from benchmarks.support import (
    BotProcess,
    Inbox,
    database_option,
    is_postgres,
    machine,
    median,
    percentile,
    postgres_database,
    serve_until_stdin_closes,
    verdict,
)
from simulator import BotApiSimulator, SimUser

TOKEN = "555111:BENCH-conversation"
ADMIN_ID = 777001
START = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)  # phase 2, 09:00 in Shanghai
CATEGORIES = (
    ("弱 · 理想信念不坚决", "weak"),
    ("松 · 党性锻炼不经常", "lax"),
    ("散 · 纪律意识不牢固", "loose"),
)
STEPS = 8  # /report, category, unit, description, skip when, skip evidence, privacy, submit
LATENCY_P95_TARGET = 0.150
SPEEDUP_TARGET = 10.0
SETUP_WAVE = 25  # members who join at once before a run (the set-up is not timed)
CPU_RATIO_TARGET = 2.0


@dataclass
class Run:
    name: str
    users: int
    seconds: float = 0.0
    steps: list[float] = field(default_factory=list)
    sent: dict[int, tuple[str, str, bool]] = field(default_factory=dict)  # user -> what they sent
    calls: dict[str, int] = field(default_factory=dict)
    cpu: float = 0.0  # CPU seconds of the bot's process while the users were at it
    failures: int = 0  # steps answered with an apology (then tried again)
    breakdown: list[str] = field(default_factory=list)  # where a step's time went (light load)

    @property
    def updates_per_second(self) -> float:
        return len(self.steps) / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_update(self) -> float:
        """The bot process's CPU seconds per update."""
        return self.cpu / len(self.steps) if self.steps else 0.0

    @property
    def forms_per_second(self) -> float:
        return self.users / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.users:>4} users: {self.seconds:6.1f} s, "
            f"{self.forms_per_second:6.1f} forms/s, {self.updates_per_second:6.1f} updates/s, "
            f"step p50 {median(self.steps) * 1000:5.0f} ms, "
            f"p95 {percentile(self.steps, 95) * 1000:5.0f} ms; bot CPU "
            f"{self.cpu_per_update * 1000:4.1f} ms/update"
            + (f"; {self.failures} submits failed, pressed again" if self.failures else "")
        )


# -- the bot side (child process) -----------------------------------------------------------


async def serve(kind: str, base_url: str, file_url: str, storage_url: str) -> None:
    if kind == "echo":
        await serve_echo(base_url)
        return
    import bot.app
    from bot.clock import TravelClock
    from bot.demo import example_config
    from bot.runtime import running

    if kind == "sequential":
        bot.app.CONCURRENT_UPDATES = 1  # python-telegram-bot's own one-at-a-time handling
    config = example_config(
        base_url=base_url,
        base_file_url=file_url,
        storage_url=storage_url,
        language="zh_CN",
        admins=[ADMIN_ID],
        token=TOKEN,
    )
    async with running(config, clock=TravelClock(START), poll_timeout=1) as app:
        stats = os.environ.get("BENCH_STATS")  # benchmarks/memory.py asks with SIGUSR1
        if stats:
            report_on_signal(app, Path(stats))
        await serve_until_stdin_closes()


def report_on_signal(app: Any, path: Path) -> None:
    """On SIGUSR1 write what the bot holds in memory to `path` (JSON)."""
    import gc
    import signal

    from telegram.ext import ConversationHandler

    def conversations() -> int:
        return sum(
            len(h._conversations)  # counting what python-telegram-bot keeps
            for handlers in app.handlers.values()
            for h in handlers
            if isinstance(h, ConversationHandler)
        )

    def write() -> None:
        gc.collect()
        rss = 0
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        figures = {
            "rss_mb": rss / 1024,
            "conversations": conversations(),
            "user_data": len(app.user_data),
            "chat_data": len(app.chat_data),
            "ordering_queues": getattr(app.update_processor, "waiting_keys", 0),
            "python_objects": len(gc.get_objects()),
            "user_data_keys": sorted({str(k) for d in app.user_data.values() for k in d}),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(figures))
        tmp.replace(path)

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, write)


async def serve_echo(base_url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text)

    app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await serve_until_stdin_closes()
        await app.updater.stop()
        await app.stop()


# -- the users' side (this process) ---------------------------------------------------------


async def prepare_database(url: str, users: int) -> str:
    """A migrated database with the test units and one invite for every user."""
    from domain.membership.roles import Role
    from domain.membership.units import UnitKind, UnitRow
    from storage import migrate
    from storage.db import Database
    from storage.membership import invites, units

    db = Database(url)
    try:
        await migrate.upgrade(db)
        rows = [
            UnitRow("EDU", "县教文广新体局", UnitKind.BUREAU, None),
            UnitRow("D01", "城关学区", UnitKind.DISTRICT, "EDU"),
            UnitRow("SCH001", "城关第一中学", UnitKind.SCHOOL, "D01"),
        ]
        await units.import_units(db, list(enumerate(rows, start=2)), now=START)
        made = await invites.create_invite(
            db,
            unit_code="SCH001",
            role=Role.MEMBER,
            max_uses=users,
            ttl=timedelta(days=14),
            now=START,
            created_by="cli",
        )
        return made.token
    finally:
        await db.dispose()


class Users:
    def __init__(
        self,
        sim: BotApiSimulator,
        inbox: Inbox,
        run: Run,
        think: float = 0.0,
        breakdown: Breakdown | None = None,
    ) -> None:
        self.sim, self.inbox, self.run, self.think = sim, inbox, run, think
        self.breakdown = breakdown
        self.rng = random.Random(5)

    async def step(self, user: SimUser, action: object) -> str:
        if self.think:  # a person reads the answer and types: think ... 2 x think seconds
            await asyncio.sleep(self.think * (1 + self.rng.random()))
        started = time.perf_counter()
        if self.breakdown is not None:
            self.breakdown.begin(user.id, started)
        await action  # type: ignore[misc]
        answer = await self.inbox.next(user.id)
        answered = time.perf_counter()
        if self.breakdown is not None:
            self.breakdown.end(user.id, answered)
        self.run.steps.append(answered - started)
        return answer.text

    async def file_report(self, n: int, user: SimUser) -> None:
        sim = self.sim
        label, key = CATEGORIES[n % len(CATEGORIES)]
        description = f"第{n}号用户反映：有教师上班时间炒股（编号 {n:05d}）。"
        confidential = n % 2 == 0
        self.run.sent[user.id] = (key, description, confidential)
        await self.step(user, sim.send_command(user, "/report"))
        await self.step(user, sim.press_button(user, label))
        await self.step(user, sim.press_button(user, "城关第一中学"))
        await self.step(user, sim.send_text(user, description))
        await self.step(user, sim.press_button(user, "跳过"))
        await self.step(user, sim.press_button(user, "跳过"))
        await self.step(
            user, sim.press_button(user, "是，请保密" if confidential else "否，可以署名")
        )
        done = await self.step(user, sim.press_button(user, "提交"))
        for _ in range(3):  # an apology instead of a number: press Submit again, as people do
            if "R-2027-" in done:
                return
            self.run.failures += 1
            done = await self.step(user, sim.press_button(user, "提交"))
        raise AssertionError(f"user {n}: no report number in {done!r}")

    async def echo(self, n: int, user: SimUser) -> None:
        for i in range(STEPS):
            text = f"echo {n}-{i}"
            answer = await self.step(user, self.sim.send_text(user, text))
            if answer != text:
                raise AssertionError(f"user {n}: echo {answer!r} for {text!r}")


async def stored_reports(url: str) -> dict[int, tuple[str, str, bool]]:
    from storage.db import Database

    db = Database(url)
    try:
        async with db.session() as session:
            rows = (
                await session.exec(  # type: ignore[call-overload]
                    text(
                        "SELECT m.telegram_user_id, c.category_key, c.description, "
                        "a.confidential FROM cases c JOIN report_authors a ON a.case_id = c.id "
                        "JOIN members m ON m.id = a.member_id WHERE c.kind = 'report'"
                    )
                )
            ).all()
    finally:
        await db.dispose()
    found: dict[int, tuple[str, str, bool]] = {}
    for user_id, key, description, confidential in rows:
        if user_id in found:
            raise AssertionError(f"user {user_id} has two reports")
        found[user_id] = (key, description, bool(confidential))
    return found


async def measure(
    kind: str, users: int, latency: float, tmp: Path, think: float = 0.0, database: str = "sqlite"
) -> Run:
    url = f"sqlite+aiosqlite:///{tmp / f'{kind}-{users}-{think}.db'}"
    if is_postgres(database) and kind != "echo":  # a new, empty database for each run
        what = f"conversation_{kind}_{users}_{round(think * 1000)}"
        url, _ = await postgres_database(database, what, fresh=True)
    name = {
        "ours": "our bot, per-user concurrent",
        "sequential": "our bot, sequential",
        "echo": "PTB echo bot, sequential",
    }[kind]
    run = Run(name=name + (f", think {think:g}-{2 * think:g} s" if think else ""), users=users)
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_bench_bot") as sim:
        invite = await prepare_database(url, users) if kind != "echo" else ""
        child = BotProcess(Path(__file__), ["--serve", kind, sim.base_url, sim.base_file_url, url])
        await child.start(sim)
        inbox = Inbox(sim)
        inbox.start()
        try:
            people = [sim.add_user(f"老师{n}") for n in range(users)]
            if kind != "echo":  # join first (not timed, no latency)
                setup = Users(sim, inbox, Run("setup", users))
                # In waves: each answer is awaited for 30 s, and 200 joins at once took longer
                # than that on PostgreSQL at load 15 (all of them take one use of one invite,
                # and the last waited for the 199 before it).
                for wave in range(0, users, SETUP_WAVE):
                    await asyncio.gather(
                        *(
                            setup.step(u, sim.send_command(u, "/start", invite))
                            for u in people[wave : wave + SETUP_WAVE]
                        )
                    )
            sim.latency = latency
            timed = Breakdown(sim) if think else None  # at light load: one step per user
            driver = Users(sim, inbox, run, think, timed)
            flow = driver.echo if kind == "echo" else driver.file_report
            cpu_before, started = child.cpu(), time.perf_counter()
            await asyncio.gather(*(flow(n, u) for n, u in enumerate(people)))
            run.seconds = time.perf_counter() - started
            run.cpu = child.cpu() - cpu_before
            run.calls = dict(sim.stats.calls_by_method)
            if timed is not None:
                run.breakdown = timed.lines(latency)
            sim.latency = 0
            if sim.violations:
                raise AssertionError(f"calls Telegram would refuse: {sim.violations[:3]}")
        finally:
            await inbox.stop()
            await child.stop()
    if kind != "echo":
        stored = await stored_reports(url)
        if stored != run.sent:
            wrong = [u for u in run.sent if stored.get(u) != run.sent[u]]
            raise AssertionError(f"{len(wrong)} stored reports differ from what was sent")
        print(f"  {kind}: all {len(stored)} stored reports match what their users sent")
    return run


async def measure_light(args: argparse.Namespace, tmp: Path) -> Run:
    """The light load (users who think), printed with its step breakdown."""
    light = await measure(
        "ours", args.light_users, args.latency, tmp, think=0.5, database=args.database
    )
    print(light.line(), flush=True)
    print("\n".join(light.breakdown), flush=True)
    return light


def verdict_latency(light: Run, saturated: Run | None) -> None:
    p95 = percentile(light.steps, 95)
    verdict(
        "step p95 <= 150 ms at 50 ms latency",
        p95 <= LATENCY_P95_TARGET,
        f"p95 {p95 * 1000:.0f} ms, p50 {median(light.steps) * 1000:.0f} ms with "
        f"{light.users} users thinking 0.5-1 s"
        + (
            f"; saturated by {saturated.users} users: "
            f"p95 {percentile(saturated.steps, 95) * 1000:.0f} ms"
            if saturated is not None
            else ""
        ),
    )


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--sequential-users", type=int, default=20)
    parser.add_argument("--light-users", type=int, default=20, help="users who think")
    parser.add_argument("--latency", type=float, default=0.050)
    parser.add_argument("--quick", action="store_true", help="50 users, 8 sequential")
    parser.add_argument(
        "--light-only", action="store_true", help="only the light load and its step breakdown"
    )
    parser.add_argument("--serve", nargs=4, metavar=("KIND", "BASE", "FILES", "DB_URL"))
    database_option(parser)
    args = parser.parse_args(argv)
    if args.serve:
        logging.basicConfig(level=logging.ERROR, format="bot: %(levelname)s %(name)s %(message)s")
        profile = os.environ.get("BENCH_PROFILE")  # a path: profile the bot process into it
        if not profile:
            await serve(*args.serve)
            return
        import cProfile

        with cProfile.Profile(time.process_time) as profiler:
            await serve(*args.serve)
        profiler.dump_stats(f"{profile}.{args.serve[0]}")
        return
    if args.quick:
        args.users, args.sequential_users, args.light_users = 50, 8, 10
    on = "PostgreSQL" if is_postgres(args.database) else "SQLite"
    print(f"conversation throughput, {on}, API latency {args.latency * 1000:.0f} ms; {machine()}")
    db = args.database
    with tempfile.TemporaryDirectory(prefix="conversation-bench-") as tmp:
        if args.light_only:
            light = await measure_light(args, Path(tmp))
            verdict_latency(light, None)
            return
        ours = await measure("ours", args.users, args.latency, Path(tmp), database=db)
        print(ours.line(), flush=True)
        print(f"  API calls: {ours.calls}")
        sequential = await measure(
            "sequential", args.sequential_users, args.latency, Path(tmp), database=db
        )
        print(sequential.line(), flush=True)
        echo = await measure("echo", args.sequential_users, args.latency, Path(tmp))
        print(echo.line(), flush=True)
        light = await measure_light(args, Path(tmp))
    speedup = ours.updates_per_second / sequential.updates_per_second
    cpu_ratio = ours.cpu_per_update / echo.cpu_per_update if echo.cpu_per_update else 0.0
    print(
        f"ratios (updates/s): ours / ours sequential {speedup:.1f}x, "
        f"ours / PTB echo bot {ours.updates_per_second / echo.updates_per_second:.1f}x; "
        f"bot CPU per update: ours {ours.cpu_per_update * 1000:.1f} ms, "
        f"echo {echo.cpu_per_update * 1000:.1f} ms ({cpu_ratio:.1f}x)"
    )
    verdict(
        "bot CPU per update <= 2x the echo bot's",
        cpu_ratio <= CPU_RATIO_TARGET,
        f"{cpu_ratio:.1f}x: {ours.cpu_per_update * 1000:.1f} vs "
        f"{echo.cpu_per_update * 1000:.1f} ms/update",
    )
    verdict(
        "conversation throughput >= 10x sequential",
        speedup >= SPEEDUP_TARGET,
        f"{speedup:.1f}x: {ours.updates_per_second:.0f} vs {sequential.updates_per_second:.1f} "
        f"updates/s, {ours.users} vs {sequential.users} users",
    )
    verdict_latency(light, ours)
    checked = ours.users + sequential.users + light.users
    verdict("stored reports match what users sent", True, f"all {checked} forms checked")
    failed = ours.failures + sequential.failures + light.failures
    verdict(
        "every step answered (no apology)",
        failed == 0,
        f"{failed} of {checked} submits failed at first and succeeded when pressed again",
    )


if __name__ == "__main__":
    asyncio.run(main())
