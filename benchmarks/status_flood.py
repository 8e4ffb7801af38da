"""A `/status` flood against a member's report: 20 senders send 200 `/status RECEIPT` in 10 s
(each a correct receipt: every one costs a full Argon2id check at the production cost) while a
member files a `/report` (8 steps). Prints the p50/max latency of the report's steps with and
without the flood, how the /status answers were spread, and the verdict: the report's steps
keep their usual latency (p50 within 2×, and under 1 s).

The bot runs in this process (`bot.runtime.running`, as the end-to-end tests run it) against
the simulator; the receipts' checks run in the bot's pool (`[hotline] receipt_workers`).

    .venv/bin/python -m benchmarks status [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.support import machine, median, verdict
from bot.clock import TravelClock
from bot.config.hotline import HotlineConfig
from bot.demo import example_config
from bot.runtime import running
from domain.hotline import receipts
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from handlers.context import SERVICES_KEY
from simulator import BotApiSimulator, SimUser
from storage.cases import complaints
from storage.cases.complaints import NewComplaint
from storage.db import Database
from storage.membership import invites, units

TOKEN = "555111:BENCH-status"
START = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)
UNITS = [
    UnitRow("EDU", "县教文广新体局", UnitKind.BUREAU, None),
    UnitRow("D01", "城关学区", UnitKind.DISTRICT, "EDU"),
    UnitRow("SCH001", "城关第一中学", UnitKind.SCHOOL, "D01"),
]


async def _step(sim: BotApiSimulator, user: SimUser, act: Awaitable[object]) -> float:
    started = time.perf_counter()
    await act
    await sim.next_message(user, timeout=60)
    return time.perf_counter() - started


async def _report(sim: BotApiSimulator, member: SimUser) -> list[float]:
    """One /report, step by step; each step's time until the bot's answer."""
    took = [await _step(sim, member, sim.send_command(member, "/report"))]
    for act in (
        sim.press_button(member, "散 · 纪律意识不牢固"),
        sim.press_button(member, "城关第一中学"),
        sim.send_text(member, "有教师经常迟到早退。"),
        sim.press_button(member, "跳过"),
        sim.press_button(member, "跳过"),
        sim.press_button(member, "否，可以署名"),
        sim.press_button(member, "提交"),
    ):
        took.append(await _step(sim, member, act))
    return took


KINDS: dict[str, int] = {}


def _kind(text: str) -> str:
    if "状态：" in text:
        return "shown"
    return "refused" if "次数过多" in text else "other"


async def _flood(
    sim: BotApiSimulator, senders: list[tuple[SimUser, str]], total: int, seconds: float
) -> list[float]:
    """`total` /status spread evenly over `seconds`; each one's time until its answer (a
    sender's updates are handled in order, so their k-th answer is to their k-th /status)."""
    gap = seconds / total
    sent: dict[int, list[float]] = {user.id: [] for user, _r in senders}
    answered: list[float] = []

    async def answers(user: SimUser, count: int) -> None:
        for k in range(count):
            answer = await sim.next_message(user, timeout=600)
            answered.append(time.perf_counter() - sent[user.id][k])
            KINDS[_kind(answer.text)] = KINDS.get(_kind(answer.text), 0) + 1

    per_sender = total // len(senders)
    readers = [asyncio.create_task(answers(user, per_sender)) for user, _r in senders]
    for i in range(per_sender * len(senders)):
        user, receipt = senders[i % len(senders)]
        sent[user.id].append(time.perf_counter())  # before the /status: its answer comes after
        await sim.send_command(user, "/status", receipt)
        await asyncio.sleep(gap)
    await asyncio.gather(*readers)
    return answered


async def run(quick: bool) -> None:
    total, seconds, senders_n = (40, 2.0, 4) if quick else (200, 10.0, 20)
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiSimulator(token=TOKEN, bot_username="bench_status_bot") as sim:
            base = example_config(
                base_url=sim.base_url,
                base_file_url=sim.base_file_url,
                storage_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}",
                language="zh_CN",
                admins=[777001],
                token=TOKEN,
            )
            # Production Argon2id cost; each sender may check its receipt often enough.
            hotline = HotlineConfig(status_checks_per_hour=max(12, total // senders_n))
            config = base.model_copy(update={"hotline": hotline})
            db = Database(config.storage.url)
            clock = TravelClock(START)
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
                policy = app.bot_data[SERVICES_KEY].settings.hotline
                senders: list[tuple[SimUser, str]] = []
                for i in range(senders_n):
                    receipt = receipts.new_receipt()
                    await complaints.file_complaint(
                        db,
                        NewComplaint("other", None, f"第{i}件投诉。"),
                        receipt=receipt,
                        policy=policy,
                        today=START.date(),
                    )
                    senders.append((sim.add_user(f"家长{i}"), receipt))
                members = []
                for name in ("钱老师", "孙老师"):
                    member = sim.add_user(name)
                    made = await invites.create_invite(
                        db,
                        unit_code="SCH001",
                        role=Role.MEMBER,
                        max_uses=1,
                        ttl=timedelta(days=14),
                        now=clock.now(),
                        created_by="cli",
                    )
                    await sim.send_command(member, "/start", made.token)
                    await sim.next_message(member)
                    members.append(member)
                quiet = await _report(sim, members[0])
                flood = asyncio.create_task(_flood(sim, senders, total, seconds))
                await asyncio.sleep(seconds / 5)
                loaded = await _report(sim, members[1])
                answers = await flood
            await db.dispose()
    q50, l50 = median(quiet), median(loaded)
    print(f"machine: {machine()}")
    print(f"/status flood: {total} in {seconds:.0f} s from {senders_n} senders (correct receipts)")
    print(
        f"/status answered: p50 {median(answers):.2f} s, max {max(answers):.2f} s "
        f"(one Argon2id worker; the queue drains at its pace); answers: {KINDS}"
    )
    print(
        f"report steps without the flood: p50 {q50 * 1000:.0f} ms, max {max(quiet) * 1000:.0f} ms"
    )
    print(
        f"report steps during the flood:  p50 {l50 * 1000:.0f} ms, max {max(loaded) * 1000:.0f} ms"
    )
    verdict(
        "report steps keep their latency under a /status flood",
        l50 <= max(2 * q50, 0.05) and max(loaded) < 1.0,
        f"p50 {q50 * 1000:.0f} → {l50 * 1000:.0f} ms, max {max(loaded) * 1000:.0f} ms",
    )


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 /status in 2 s from 4 senders")
    args = parser.parse_args(argv)
    await run(args.quick)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
