"""The hotline's throttles as the conversations use them: complaints per sender per day,
receipt checks per sender per hour, wrong receipts per sender with a growing wait, the global
slowdown when wrong receipts flood in, and the small pool that runs the Argon2id checks.

Counts live in the database (`storage.cases.throttles`) under keyed hashes
(`domain.hotline.throttle.sender_tag`): a restart forgets none, and no user id is stored.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from domain.hotline.throttle import Gate, Purpose, hour_tag, receipt_gate, receipt_wait, sender_tag
from handlers.context import BotContext
from handlers.ui.dates import local_today
from storage.cases import throttles
from storage.cases.complaints import Runner

T = TypeVar("T")

POOL_KEY = "hotline:receipt_pool"


def _tag(context: BotContext, purpose: Purpose, user_id: int) -> str:
    policy = context.services.settings.hotline
    return sender_tag(policy.pepper, local_today(context), purpose, user_id)


def duplicate_key(context: BotContext, user_id: int) -> str:
    """The sender's half of the same-text check (today's keyed hash, never the id)."""
    return _tag(context, Purpose.DUPLICATE, user_id)


async def may_file(context: BotContext, user_id: int) -> bool:
    svc = context.services
    (filed,) = await throttles.read(svc.db, _tag(context, Purpose.FILED, user_id))
    return filed.count < svc.settings.hotline.max_per_day


async def filed(context: BotContext, user_id: int) -> None:
    tag = _tag(context, Purpose.FILED, user_id)
    await throttles.bump(context.services.db, tag, day=local_today(context))


async def gate(context: BotContext, user_id: int) -> Gate:
    """May this sender's receipt be checked now (and after what delay)? Counts the check."""
    svc = context.services
    now, today = svc.clock.now(), local_today(context)
    checks = hour_tag(Purpose.CHECKS, now, _tag(context, Purpose.CHECKS, user_id))
    wrong, done, everyone = await throttles.read(
        svc.db, _tag(context, Purpose.WRONG, user_id), checks, hour_tag(Purpose.WRONG, now)
    )
    found = receipt_gate(
        svc.settings.hotline.throttle,
        now=now,
        blocked_until=wrong.blocked_until,
        checks_this_hour=done.count,
        wrong_this_hour=everyone.count,
    )
    if not found.wait:
        await throttles.bump(svc.db, checks, day=today)
    return found


async def wrong(context: BotContext, user_id: int) -> None:
    """A wrong receipt: the sender's run grows (and so their wait), and everyone's hour."""
    svc = context.services
    now, today = svc.clock.now(), local_today(context)
    tag = _tag(context, Purpose.WRONG, user_id)
    (before,) = await throttles.read(svc.db, tag)
    wait = receipt_wait(before.count + 1)
    await throttles.bump(svc.db, tag, day=today, blocked_until=now + wait if wait else None)
    await throttles.bump(svc.db, hour_tag(Purpose.WRONG, now), day=today)


async def right(context: BotContext, user_id: int) -> None:
    await throttles.clear(context.services.db, _tag(context, Purpose.WRONG, user_id))


class FairPool:
    """Runs slow CPU calls (Argon2id) on a few threads, taking turns between senders: each
    sender's calls queue behind their own, and the next call is always the oldest of the
    sender served longest ago. A flood from some senders makes *their* answers wait; it
    neither pushes another sender to the back nor runs more checks at once than `workers`.

    The threads keep the process's priority: a lower one (tried) let the checking thread be
    preempted while it held the GIL, and the event loop then waited for it (the benchmark's
    report steps got slower, not faster)."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="receipt-check")
        self._queues: OrderedDict[str, deque[tuple[Callable[[], Any], asyncio.Future[Any]]]] = (
            OrderedDict()
        )
        self._busy = 0

    def waiting(self) -> int:
        return sum(len(q) for q in self._queues.values())

    async def run(self, key: str, call: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queues.setdefault(key, deque()).append((partial(call, *args), future))
        self._pump(loop)
        return await future

    def _pump(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._busy < self._workers and self._queues:
            key, queue = next(iter(self._queues.items()))
            job, future = queue.popleft()
            if queue:
                self._queues.move_to_end(key)  # this sender waits for everyone else's turn
            else:
                del self._queues[key]
            if future.cancelled():
                continue
            self._busy += 1
            running = loop.run_in_executor(self._executor, job)
            running.add_done_callback(partial(self._done, loop, future))

    def _done(
        self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], ran: asyncio.Future[Any]
    ) -> None:
        self._busy -= 1
        if not future.done():
            if ran.cancelled():
                future.cancel()
            elif (error := ran.exception()) is not None:
                future.set_exception(error)
            else:
                future.set_result(ran.result())
        self._pump(loop)


def pool(context: BotContext) -> FairPool:
    """The bot's pool for receipt hashes (`[hotline] receipt_workers` threads)."""
    found = context.bot_data.get(POOL_KEY)
    if not isinstance(found, FairPool):
        found = FairPool(context.services.settings.hotline.throttle.workers)
        context.bot_data[POOL_KEY] = found
    return found


def runner(context: BotContext, user_id: int) -> Runner:
    """Runs a receipt hash in the pool, in this sender's turn (keyed by their hourly tag)."""
    key = _tag(context, Purpose.CHECKS, user_id)
    shared = pool(context)

    async def run(call: Callable[..., T], *args: Any) -> T:
        return await shared.run(key, call, *args)

    return run
