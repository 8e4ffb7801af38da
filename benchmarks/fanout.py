"""Fan-out: 600 reminders to 600 private chats plus 10 groups × 30 messages, through our
flood-aware sender (`bot/reminders/sender.py`, outbox bookkeeping included) and through
python-telegram-bot's `AIORateLimiter` (every message sent at once, as a broadcast would), each
against the simulator enforcing Telegram's limits strictly: 30 messages in any second, 20 in
any minute per group, 3 in any 3 s per private chat, every call answered after 50 ms.

The simulator's own record of the sends it accepted gives the figures: the rate while the
overall limit binds (the first 600 sends), 429 answers, the most messages one group got in any
60 s, and when the last message arrived (no schedule can beat 60 s: a group's 21st message).

    .venv/bin/python benchmarks/fanout.py [--private 600] [--groups 10] [--per-group 30]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import child_env, machine, verdict
from simulator import BotApiSimulator

TOKEN = "555111:BENCH-fanout"
NOW = datetime(2027, 6, 14, 1, 0, tzinfo=UTC)
LIMIT = 30
RATE_TARGET = 0.95


@dataclass
class Result:
    name: str
    accepted: dict[int, list[float]] = field(default_factory=dict)  # chat -> accepted at
    refused: int = 0
    refused_in: list[str] = field(default_factory=list)
    seconds: float = 0.0
    failed: int = 0
    longest_stall: float = 0.0  # the longest time with no send while work remained

    def times(self) -> list[float]:
        return sorted(t for ts in self.accepted.values() for t in ts)

    def rate(self, first: int) -> float:
        """Messages per second over the first `first` accepted sends."""
        times = self.times()[:first]
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0

    def group_peak(self) -> int:
        """The most messages one group got in any 60 s."""
        peak = 0
        for chat_id, times in self.accepted.items():
            if chat_id < 0:
                for i, t in enumerate(times):
                    peak = max(peak, bisect_right(times, t + 60.0 - 1e-9) - i)
        return peak

    def first_second(self) -> int:
        times = self.times()
        return bisect_right(times, times[0] + 1.0 - 1e-9) if times else 0

    def line(self, first: int) -> str:
        times = self.times()
        stalls = [b - a for a, b in itertools.pairwise(times)]
        self.longest_stall = max(stalls, default=0.0)
        return (
            f"{self.name:<30} {len(times):>4} delivered, {self.failed} failed, "
            f"{self.rate(first):5.1f} msg/s over the first {first} "
            f"({self.rate(first) / LIMIT:5.1%} of {LIMIT}/s), {self.refused:>3} x 429, "
            f"{self.first_second():>2} in the first second, group peak {self.group_peak()}/60 s, "
            f"last after {self.seconds:5.1f} s, longest pause {self.longest_stall:4.1f} s"
        )


def recording(sim: BotApiSimulator, result: Result) -> None:
    """Count what the simulator's flood control accepts and refuses."""
    flood = sim.state.flood
    check = flood.check
    start = flood.clock()

    def counted(chat_id: int, *, private: bool, messages: int = 1) -> int | None:
        retry = check(chat_id, private=private, messages=messages)
        if retry is None:
            at = flood.clock() - start
            result.accepted.setdefault(chat_id, []).extend([at] * messages)
        else:
            result.refused += 1
            result.refused_in.append("private" if private else "group")
        return retry

    flood.check = counted  # type: ignore[method-assign]


async def world(private: int, groups: int) -> tuple[BotApiSimulator, list[int], list[int]]:
    sim = BotApiSimulator(token=TOKEN, bot_username="rectify_bench_bot")
    await sim.start()
    users = []
    for n in range(private):
        user = sim.add_user(f"老师{n}")
        user.started = True  # they talked to the bot before
        users.append(user.id)
    chats = [sim.add_group(f"学校群{g}").id for g in range(groups)]
    sim.set_flood_control(True)
    return sim, users, chats


def pool() -> object:
    """The connection pool `ApplicationBuilder` gives a bot (a bare `Bot` has one connection)."""
    from telegram.request import HTTPXRequest

    return HTTPXRequest(connection_pool_size=256)


def plan(users: list[int], chats: list[int], per_group: int) -> list[tuple[int, str]]:
    """Who gets what, in the sweep's order (private reminders, then the groups' digests)."""
    messages = [(u, f"提醒：整改事项即将到期（{n}）") for n, u in enumerate(users)]
    for i in range(per_group):
        messages += [(c, f"本单位整改台账提醒 第{i + 1}条") for c in chats]
    return messages


# -- the sending side (a child process, as the bot would be) ---------------------------------


async def send_ours(plan: list[tuple[int, str]], base_url: str, db_path: str) -> dict[str, float]:
    from telegram import Bot, InlineKeyboardMarkup

    from bot.reminders.sender import Outgoing, Pacer, Sender
    from domain.reminders.digest import Pending
    from storage import migrate
    from storage.db import Database

    db = Database(f"sqlite+aiosqlite:///{db_path}")
    await migrate.upgrade(db)
    bot = Bot(TOKEN, base_url=base_url, request=pool())

    async def send(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        return (await bot.send_message(chat_id, text, reply_markup=markup)).message_id

    class Fixed:
        def now(self) -> datetime:
            return NOW

    messages = [
        Outgoing(
            rows=(Pending(n + 1, "bench", str(n), str(chat), "s", NOW),),
            chat_id=chat,
            text=text,
            markup=None,
            private=chat > 0,
        )
        for n, (chat, text) in enumerate(plan)
    ]
    reported = 0

    def progress(_: object, total: int) -> None:
        nonlocal reported
        reported += 1

    try:
        async with bot:
            sender = Sender(db=db, clock=Fixed(), send=send, pacer=Pacer(), max_attempts=5)
            started = time.perf_counter()
            outcome = await sender.deliver(messages, progress=progress)
            seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    failed = outcome.retrying + outcome.undeliverable + (len(messages) - reported)
    return {"seconds": seconds, "failed": failed}


async def send_aio(plan: list[tuple[int, str]], base_url: str, _: str) -> dict[str, float]:
    from telegram.error import TelegramError
    from telegram.ext import AIORateLimiter, ExtBot

    limiter = AIORateLimiter(max_retries=5)
    bot = ExtBot(TOKEN, base_url=base_url, request=pool(), rate_limiter=limiter)
    failed = 0

    async def one(chat: int, text: str) -> None:
        nonlocal failed
        try:
            await bot.send_message(chat, text)
        except TelegramError:
            failed += 1

    async with bot:
        started = time.perf_counter()
        await asyncio.gather(*(one(c, t) for c, t in plan))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "failed": failed}


def read_plan(path: str) -> list[tuple[int, str]]:
    return [(int(c), str(t)) for c, t in json.loads(Path(path).read_text())]


async def serve(kind: str, base_url: str, plan_path: str) -> None:
    plan = read_plan(plan_path)
    run = send_ours if kind == "ours" else send_aio
    figures = await run(plan, base_url, plan_path + ".db")
    print("RESULT " + json.dumps(figures), flush=True)


# -- the simulator's side (this process) ---------------------------------------------------


async def measure(kind: str, private: int, groups: int, per_group: int, latency: float) -> Result:
    name = "our sender (Pacer)" if kind == "ours" else "PTB AIORateLimiter(max_retries=5)"
    result = Result(name)
    sim, users, chats = await world(private, groups)
    try:
        with tempfile.TemporaryDirectory(prefix="fanout-bench-") as tmp:
            plan_path = Path(tmp) / "plan.json"
            plan_path.write_text(json.dumps(plan(users, chats, per_group)))
            sim.latency = latency
            recording(sim, result)
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--serve",
                kind,
                sim.base_url,
                str(plan_path),
                stdout=asyncio.subprocess.PIPE,
                env=child_env(),
            )
            out, _ = await proc.communicate()
        lines = [ln for ln in out.decode().splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"the {kind} sender failed")
        figures = json.loads(lines[-1].removeprefix("RESULT "))
        result.seconds, result.failed = figures["seconds"], int(figures["failed"])
    finally:
        await sim.stop()
    return result


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--private", type=int, default=600)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--per-group", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.050)
    parser.add_argument("--no-aio", action="store_true", help="skip AIORateLimiter")
    parser.add_argument("--quick", action="store_true", help="300 private, 10 groups x 10")
    parser.add_argument(
        "--serve", nargs=3, metavar=("KIND", "BASE", "PLAN"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve:
        await serve(*args.serve)
        return
    if args.quick:
        args.private, args.per_group = 300, 10
    first = min(args.private, args.private + args.groups * args.per_group)
    print(
        f"fan-out: {args.private} private chats + {args.groups} groups x {args.per_group}, "
        f"{args.latency * 1000:.0f} ms per call, strict {LIMIT}/s, 20/min per group; {machine()}"
    )
    results: list[Result] = []
    for kind in ["ours"] + ([] if args.no_aio else ["aio"]):
        result = await measure(kind, args.private, args.groups, args.per_group, args.latency)
        print(result.line(first), flush=True)
        if result.refused_in:
            print(
                "  429 answers in:", {k: result.refused_in.count(k) for k in set(result.refused_in)}
            )
        results.append(result)
    mine = results[0]
    if len(results) > 1:
        other = results[1]
        print(
            f"ratios ours / AIORateLimiter: rate {mine.rate(first) / other.rate(first):.2f}x, "
            f"429s {mine.refused} vs {other.refused}, "
            f"time to the last message {mine.seconds / other.seconds:.2f}x"
        )
    rate = mine.rate(first)
    verdict(
        "fan-out rate >= 95% of 30/s",
        rate >= RATE_TARGET * LIMIT,
        f"{rate:.1f} msg/s = {rate / LIMIT:.1%} over the first {first} sends",
    )
    verdict("fan-out 0 x 429", mine.refused == 0, f"{mine.refused} x 429")
    peak = mine.group_peak()
    verdict("no group above 20 in any 60 s", peak <= 20, f"peak {peak} in 60 s")
    delivered = len(mine.times())
    total = args.private + args.groups * args.per_group
    verdict(
        "every message delivered", delivered == total and not mine.failed, f"{delivered}/{total}"
    )


if __name__ == "__main__":
    asyncio.run(main())
