"""Memory: the bot's resident memory idle over a ledger of 100,000 items, and after 10,000
completed conversations (members opening `/report`, choosing a category and cancelling; every
tenth files the whole form), with no API latency. The bot runs in its own process, as
`python -m bot run` would; on a signal it reports its RSS and what python-telegram-bot holds:
open conversations, per-user and per-chat dicts, the update processor's ordering queues.

Growth is measured from after the first tenth of the conversations (caches warm) to the end;
the bound: at most 25 MB more, and nothing left per user (no conversation key, no user_data
dict, no ordering queue) once every conversation ended.

    .venv/bin/python benchmarks/memory.py [--conversations 10000] [--users 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.conversation import CATEGORIES, TOKEN, Run, Users, prepare_database
from benchmarks.export import build as build_ledger
from benchmarks.support import BotProcess, Inbox, machine, verdict
from simulator import BotApiSimulator, SimUser

GROWTH_BOUND_MB = 25.0


def read_figures(path: Path, *, remove: bool = False) -> dict[str, Any] | None:
    """The figures the bot wrote, if it did (`remove`: clear the old ones instead)."""
    if remove:
        path.unlink(missing_ok=True)
    if not path.exists():
        return None
    figures: dict[str, Any] = json.loads(path.read_text())
    return figures


async def snapshot(child: BotProcess, path: Path) -> dict[str, Any]:
    """Ask the bot process for its figures (SIGUSR1) and wait for them."""
    assert child.proc is not None
    read_figures(path, remove=True)
    os.kill(child.proc.pid, signal.SIGUSR1)
    for _ in range(200):
        figures = read_figures(path)
        if figures is not None:
            return figures
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot process did not report its memory")


def show(label: str, f: dict[str, Any]) -> None:
    print(
        f"{label:<44} RSS {f['rss_mb']:6.1f} MB; open conversations {int(f['conversations'])}, "
        f"user_data {int(f['user_data'])}, chat_data {int(f['chat_data'])}, "
        f"ordering queues {int(f['ordering_queues'])}, Python objects {int(f['python_objects'])}"
        + (f"; keys kept in user_data: {f['user_data_keys']}" if f["user_data_keys"] else ""),
        flush=True,
    )


async def converse(users: Users, n: int, user: SimUser, full: bool) -> None:
    sim = users.sim
    if full:
        await users.file_report(n, user)
        return
    label, _ = CATEGORIES[n % len(CATEGORIES)]
    await users.step(user, sim.send_command(user, "/report"))
    await users.step(user, sim.press_button(user, label))
    await users.step(user, sim.send_command(user, "/cancel"))


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="1,000 conversations")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations = 1_000
    print(f"memory: {args.items:,} ledger items, {args.conversations:,} conversations; {machine()}")
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        db_path, stats = Path(tmp) / "bot.db", Path(tmp) / "stats.json"
        started = time.perf_counter()
        await build_ledger(db_path, args.items)
        url = f"sqlite+aiosqlite:///{db_path}"
        invite = await prepare_database(url, args.users)
        print(f"  ledger of {args.items:,} items built in {time.perf_counter() - started:.1f} s")
        async with BotApiSimulator(token=TOKEN, bot_username="rectify_bench_bot") as sim:
            child = BotProcess(
                Path(__file__).parent / "conversation.py",
                ["--serve", "ours", sim.base_url, sim.base_file_url, url],
            )
            os.environ["BENCH_STATS"] = str(stats)
            try:
                await child.start(sim)
            finally:
                del os.environ["BENCH_STATS"]
            inbox = Inbox(sim)
            inbox.start()
            try:
                await asyncio.sleep(3)
                idle = await snapshot(child, stats)
                show(f"idle, {args.items:,} items", idle)
                people = [sim.add_user(f"老师{n}") for n in range(args.users)]
                driver = Users(sim, inbox, Run("memory", args.users))
                await asyncio.gather(
                    *(driver.step(u, sim.send_command(u, "/start", invite)) for u in people)
                )
                done, warm, warmed = 0, max(1, args.conversations // 10), idle
                per_round = len(people)
                began = time.perf_counter()
                while done < args.conversations:
                    batch = min(per_round, args.conversations - done)
                    await asyncio.gather(
                        *(
                            converse(driver, done + i, people[i], (done + i) % 10 == 9)
                            for i in range(batch)
                        )
                    )
                    done += batch
                    if done >= warm and warmed is idle:
                        warmed = await snapshot(child, stats)
                        show(f"after {done:,} conversations (warm)", warmed)
                    sim.state.messages.clear()  # the simulator's memory, not the bot's
                    inbox.forget()
                seconds = time.perf_counter() - began
                await asyncio.sleep(1)
                end = await snapshot(child, stats)
                show(f"after {done:,} conversations", end)
            finally:
                await inbox.stop()
                await child.stop()
    print(
        f"  {done:,} conversations ({len(driver.run.steps):,} updates) in {seconds:.1f} s, "
        f"{len(driver.run.steps) / seconds:.0f} updates/s"
    )
    growth = end["rss_mb"] - warmed["rss_mb"]
    verdict(
        f"RSS growth <= {GROWTH_BOUND_MB:.0f} MB over {done:,} conversations",
        growth <= GROWTH_BOUND_MB,
        f"{warmed['rss_mb']:.1f} -> {end['rss_mb']:.1f} MB ({growth:+.1f} MB), idle "
        f"{idle['rss_mb']:.1f} MB",
    )
    leftovers = {k: int(end[k]) for k in ("conversations", "user_data", "ordering_queues")}
    verdict(
        "nothing left per user after the conversations",
        not any(leftovers.values()),
        ", ".join(f"{k} {v}" for k, v in leftovers.items()),
    )


if __name__ == "__main__":
    asyncio.run(main())
