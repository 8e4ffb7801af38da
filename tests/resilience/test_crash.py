"""Crash suite: the bot's `run` command on PostgreSQL; members file reports, a unit head adds
ledger items and reminder fan-outs run (fanout.py) while the active process is killed with
SIGKILL at 20+ random moments (seeded; the seed is printed, set CRASH_SEED to replay the
schedule). Warm standbys take over each time and new ones are started;
they are forked from a process that imported the bot once (zygote.py), since 20+ interpreter
start-ups would cost more CPU than the rest of the suite. Afterwards: every report whose number
the member was shown is in the database, none is stored twice, every member can still file
a report (nothing stuck), updates redelivered after a kill were skipped, and every due
reminder reached its recipient (none missing; duplicates only from sends in flight at a kill,
counted and printed)."""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from domain.membership.roles import Role
from simulator import BotApiSimulator, SimUser
from simulator.models import SimMessage
from storage.db import Database
from tests.conftest import PG_URL
from tests.hostile.table import row
from tests.resilience.fanout import SEND_DELAY, SWEEP_SOON, WAVE_SIZE, FanOut, settle
from tests.resilience.processes import (
    BOT_USERNAME,
    TOKEN,
    bot_env,
    invite,
    pg_database,
    write_config,
)
from tests.resilience.zygote import SWEEP_SOON_ENV, ForkedLife, Lives

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
READY = r"ready: @\w+ polling"
KILLS = 20
MEMBERS = 4
WARM = 2  # standbys kept starting or waiting
STEP_WAIT = 2.5  # seconds a member waits for an answer before giving the attempt up
FILED = "已提交"


@dataclass
class Tally:
    acknowledged: list[str] = field(default_factory=list)
    attempts: int = 0
    abandoned: int = 0


class GaveUpError(Exception):
    pass


LAST_SEEN: dict[int, str] = {}  # user id -> the text of the last answer they read


async def _answer(sim: BotApiSimulator, user: SimUser) -> SimMessage:
    """The bot's answer to a step. The same text again right after is skipped: a step
    handled once more after a kill (delivery is at least once) repeats its answer."""
    try:
        for _ in range(10):
            message = await sim.next_message(user, timeout=STEP_WAIT)
            if message.text != LAST_SEEN.get(user.id):
                LAST_SEEN[user.id] = message.text
                return message
    except TimeoutError as error:
        raise GaveUpError from error
    raise GaveUpError("the same answer over and over")


async def _press(sim: BotApiSimulator, user: SimUser, label: str) -> SimMessage:
    try:
        await sim.press_button(user, label)
    except AssertionError as error:  # the button is not on screen (a step was lost)
        raise GaveUpError from error
    return await _answer(sim, user)


async def file_one(sim: BotApiSimulator, user: SimUser, description: str) -> bool:
    """One report from /report to Submit; True when the member was shown its number."""
    await sim.drain(user)
    await sim.send_command(user, "/report")
    categories = await sim.next_message(user, timeout=STEP_WAIT)
    if not categories.buttons:
        raise GaveUpError(categories.text)
    await _press(sim, user, categories.buttons[0][0])
    await _press(sim, user, "城关第一中学")
    await sim.send_text(user, description)
    await _answer(sim, user)
    await _press(sim, user, "跳过")
    await _press(sim, user, "跳过")
    await _press(sim, user, "否，可以署名")
    for _ in range(2):  # no answer to Submit: press it again, as a person would
        try:
            return FILED in (await _press(sim, user, "提交")).text
        except GaveUpError:
            continue
    raise GaveUpError("Submit never answered")


async def add_one(sim: BotApiSimulator, head: SimUser, description: str) -> bool:
    """One ledger item from /ledger to Done; True when the head was shown its card."""
    await sim.drain(head)
    await sim.send_command(head, "/ledger")
    await _answer(sim, head)
    categories = await _press(sim, head, "➕ 新增问题")
    if not categories.buttons:
        raise GaveUpError(categories.text)
    await _press(sim, head, categories.buttons[0][0])
    await sim.send_text(head, description)
    await _answer(sim, head)
    await sim.send_text(head, "约谈提醒，建立台账")
    await _answer(sim, head)
    await sim.send_text(head, "2027-05-01")
    await _answer(sim, head)
    try:
        await sim.press_button(head, "未使用 Telegram 的人员")  # answered by an edit
    except AssertionError as error:
        raise GaveUpError from error
    await sim.send_text(head, "王主任")
    if "佐证" not in (await _answer(sim, head)).text:
        raise GaveUpError("not at the evidence step")
    for _ in range(2):  # no card after Done: press it again, as a person would
        try:
            if description in (await _press(sim, head, "完成")).text:
                return True
        except GaveUpError:
            continue
    raise GaveUpError("Done never answered")


async def start_over(sim: BotApiSimulator, user: SimUser) -> None:
    """After a lost step: /cancel until the bot answers (whatever state it kept)."""
    # A new attempt may show the same texts as the lost one: none of them is a repeat.
    LAST_SEEN.pop(user.id, None)
    for _ in range(5):
        await sim.drain(user)
        await sim.send_command(user, "/cancel")
        try:
            await sim.next_message(user, timeout=STEP_WAIT)
        except TimeoutError:
            continue
        # Late answers (of a lost step, of a repeated /cancel, of an update handled again
        # after a kill; sendMessage is delayed) arrive now: forget them until it is quiet.
        for _ in range(20):
            try:
                await sim.next_message(user, timeout=0.2 + 2 * SEND_DELAY)
            except TimeoutError:
                return
        raise AssertionError("the bot keeps talking after /cancel")
    raise AssertionError("the bot never answered /cancel: the member is stuck")


Act = Callable[[BotApiSimulator, SimUser, str], Awaitable[bool]]


async def person_loop(
    sim: BotApiSimulator, user: SimUser, act: Act, tag: str, tally: Tally, stop: asyncio.Event
) -> None:
    """File reports (or add ledger items) one after another until `stop`."""
    n = 0
    while not stop.is_set():
        n += 1
        description = f"崩溃测试 {tag} 第{n}份"
        tally.attempts += 1
        try:
            if await act(sim, user, description):
                tally.acknowledged.append(description)
                continue
        except (GaveUpError, TimeoutError):
            pass
        tally.abandoned += 1
        await start_over(sim, user)


async def register(sim: BotApiSimulator, url: str) -> tuple[list[SimUser], SimUser]:
    """The members who file reports, and the unit head who adds ledger items."""
    users = [sim.add_user(f"成员{i}") for i in range(MEMBERS)]
    head = sim.add_user("李校长")
    for person, role in [*((u, Role.MEMBER) for u in users), (head, Role.UNIT_HEAD)]:
        await sim.send_command(person, "/start", await invite(url, role=role))
        await sim.next_message(person, timeout=10)
    return users, head


async def chaos(lives: Lives, rng: random.Random, fan: FanOut) -> list[float]:
    """Kill the active process `KILLS` times at random moments (some of them mid-fan-out, see
    fanout.py); the takeover times.

    `WARM` standbys start side by side (a process start costs seconds of CPU), so a kill
    never waits for a whole start-up; whichever standby gets the lock first takes over.
    """
    active = lives.all[0]
    standbys = [await lives.spawn() for _ in range(WARM)]
    takeovers: list[float] = []
    for index in range(KILLS):
        await asyncio.sleep(rng.uniform(0.1, 0.8))
        await fan.before_kill(index)
        await _any(standbys, r"standby: another process is active", within=30)
        fan.at_kill()
        killed = time.monotonic()
        active.kill()
        await active.reaped()
        ready, active = await _any(standbys, READY, within=15)
        takeovers.append(ready - killed)
        standbys.remove(active)
        standbys.append(await lives.spawn())
    return takeovers


async def _any(lives: list[ForkedLife], pattern: str, within: float) -> tuple[float, ForkedLife]:
    """The first of `lives` to log a line like `pattern`: when, and which."""
    found = re.compile(pattern)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for life in lives:
            for at, line in life.lines:
                if found.search(line):
                    return at, life
        await asyncio.sleep(0.02)
    raise AssertionError(f"no process logged {pattern!r} within {within} s")


async def stored(url: str) -> tuple[list[str], list[str], list[tuple[object, ...]]]:
    """Every report's and ledger item's description, and the conversations still open."""
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            reports = await conn.execute(
                text("SELECT description FROM cases WHERE kind = 'report'")
            )
            items = await conn.execute(  # not the fan-out's items (fanout.py)
                text("SELECT description FROM ledger_items WHERE description LIKE '崩溃测试%'")
            )
            states = await conn.execute(text("SELECT * FROM conversation_states"))
            open_forms = [tuple(r) for r in states]
            return [str(d) for (d,) in reports], [str(d) for (d,) in items], open_forms
    finally:
        await db.dispose()


def figures(tally: Tally, rows: list[str]) -> tuple[list[str], list[str]]:
    """Acknowledged but not stored (lost), and stored more than once (duplicated)."""
    counts = Counter(rows)
    lost = [d for d in tally.acknowledged if d not in counts]
    return lost, [d for d, n in counts.items() if n > 1]


@pytest.mark.timeout(180)  # about 30 s on two idle cores; a loaded machine needs more
async def test_kill_9_at_random_points_loses_and_duplicates_nothing(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    LAST_SEEN.clear()
    print(f"\ncrash suite seed {seed} (CRASH_SEED={seed} replays the kill schedule)")
    async with (
        pg_database() as url,
        BotApiSimulator(token=TOKEN, bot_username=BOT_USERNAME) as sim,
    ):
        config = write_config(
            tmp_path, base_url=sim.base_url, base_file_url=sim.base_file_url, storage_url=url
        )
        body = config.read_text(encoding="utf-8")
        body = body.replace("retry_seconds = 2 ", "retry_seconds = 0.2 ")
        for old, new in (  # reminders at any hour, swept often (fanout.py)
            ('send_time = "09:00"', 'send_time = "00:00"'),
            ('quiet_hours = "21:00-08:00"', 'quiet_hours = "00:00-00:00"'),
            ("sweep_interval_seconds = 60", "sweep_interval_seconds = 5"),
        ):
            assert old in body, old
            body = body.replace(old, new)
        config.write_text(body.replace("check_seconds = 2 ", "check_seconds = 0.5 "), "utf-8")
        lives = Lives(config, tmp_path, {**bot_env(), SWEEP_SOON_ENV: str(SWEEP_SOON)})
        try:
            first = await lives.spawn()
            await first.wait_for(READY, within=30)
            users, head = await register(sim, url)
            sim.faults.delay_next("sendMessage", SEND_DELAY, count=1_000_000)
            fan = FanOut(sim, url, rng)
            tally, ledger, stop = Tally(), Tally(), asyncio.Event()
            people = [
                asyncio.create_task(person_loop(sim, u, file_one, f"s{seed}-m{i}", tally, stop))
                for i, u in enumerate(users)
            ]
            people.append(
                asyncio.create_task(person_loop(sim, head, add_one, f"s{seed}-h", ledger, stop))
            )
            started = time.monotonic()
            try:
                takeovers = await chaos(lives, rng, fan)
            finally:
                stop.set()
                results = await asyncio.wait_for(
                    asyncio.gather(*people, return_exceptions=True), timeout=30
                )
            took = time.monotonic() - started
            for result in results:
                assert not isinstance(result, BaseException), result
            # Caught up: every member files one more report, the head adds one more item.
            caught_up = 0
            for i, (user, act, counted) in enumerate(
                [*((u, file_one, tally) for u in users), (head, add_one, ledger)]
            ):
                await start_over(sim, user)
                last = f"崩溃测试 s{seed}-{i} 收尾"
                if await act(sim, user, last):
                    counted.acknowledged.append(last)
                    caught_up += 1
            sent = await settle(fan)
            for _ in range(25):  # the last answer is out before its state is written
                reports, items, open_forms = await stored(url)
                if not open_forms:
                    break
                await asyncio.sleep(0.2)
        finally:
            stuck = await lives.stop_all()
        assert stuck == []  # the active one and the standbys all stop on SIGTERM
        lost, duplicated = figures(tally, reports)
        lost_items, duplicated_items = figures(ledger, items)
        skipped = sum(life.log.count("redelivered copy skipped") for life in lives.all)
        summary = (
            f"seed {seed}; kills {len(takeovers)}, takeover max {max(takeovers):.2f} s, "
            f"chaos {took:.1f} s, redelivered copies skipped {skipped}, "
            f"caught up {caught_up}/{MEMBERS + 1}\n"
            f"  reports: attempts {tally.attempts}, acknowledged {len(tally.acknowledged)}, "
            f"stored {len(reports)}, abandoned {tally.abandoned}, lost {len(lost)}, "
            f"duplicated {len(duplicated)}\n"
            f"  ledger items: attempts {ledger.attempts}, acknowledged "
            f"{len(ledger.acknowledged)}, stored {len(items)}, abandoned {ledger.abandoned}, "
            f"lost {len(lost_items)}, duplicated {len(duplicated_items)}\n"
            f"  reminders: {len(fan.recipients)} due in {len(fan.waves)} fan-outs, outbox rows "
            f"{sent.rows}, sent {sent.sent_rows}, delivered {sent.delivered}, missing "
            f"{sent.missing}, duplicated {sent.duplicates}; kills mid-fan-out "
            f"{fan.mid_wave_kills}, API calls in flight at the kills {fan.in_flight_at_kills}"
        )
        print(f"crash suite: {summary}")
        row(
            request,
            "Crash suite (kill -9)",
            (
                "seed",
                "kills",
                "takeover max",
                "reports ack/stored/lost/dup",
                "ledger items ack/stored/lost/dup",
                "caught up",
                "redelivered skipped",
                "reminders rows/delivered/missing/dup",
                "kills mid-fan-out",
            ),
            (
                seed,
                len(takeovers),
                f"{max(takeovers):.2f} s",
                f"{len(tally.acknowledged)}/{len(reports)}/{len(lost)}/{len(duplicated)}",
                f"{len(ledger.acknowledged)}/{len(items)}/{len(lost_items)}/"
                f"{len(duplicated_items)}",
                f"{caught_up}/{MEMBERS + 1}",
                skipped,
                f"{sent.rows}/{sent.delivered}/{sent.missing}/{sent.duplicates}",
                fan.mid_wave_kills,
            ),
        )
        assert len(takeovers) >= 20
        assert lost == lost_items == duplicated == duplicated_items == []
        assert caught_up == MEMBERS + 1 and open_forms == []
        # Polling confirms an update only once handled, so a kill leaves handled ones with
        # Telegram; the next process gets them again and skips them (bot/updates/polling.py).
        assert skipped > 0
        # Every due reminder reached its recipient; a copy beyond one can only come from a
        # send Telegram had accepted when the process died (at most one per call in flight
        # at a kill, or just answered but not yet marked sent: one per kill).
        assert sent.unsettled == [] and sent.missing == 0
        assert sent.rows >= len(fan.recipients) == len(fan.waves) * WAVE_SIZE
        assert sent.duplicates <= fan.in_flight_at_kills + len(takeovers)
        assert fan.mid_wave_kills >= 1
        assert sim.violations == []
