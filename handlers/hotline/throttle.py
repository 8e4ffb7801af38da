"""The hotline's throttles as the conversations use them: complaints per sender per day,
receipt checks per sender per hour, wrong receipts per sender with a growing wait, the global
slowdown when wrong receipts flood in, and the small pool that runs the Argon2id checks.

Counts live in the database (`storage.cases.throttles`) under keyed hashes
(`domain.hotline.throttle.sender_tag`): a restart forgets none, and no user id is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from domain.hotline.throttle import Gate, Purpose, hour_tag, receipt_gate, receipt_wait, sender_tag
from handlers.context import BotContext
from handlers.ui.dates import local_today
from storage.cases import throttles

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


@asynccontextmanager
async def checking(context: BotContext) -> AsyncIterator[None]:
    """One of the few Argon2id checks that may run at once (the bot keeps a core to answer)."""
    pool = context.bot_data.get(POOL_KEY)
    if not isinstance(pool, asyncio.Semaphore):
        pool = asyncio.Semaphore(context.services.settings.hotline.throttle.workers)
        context.bot_data[POOL_KEY] = pool
    async with pool:
        yield
