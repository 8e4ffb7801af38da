"""The update processor keeps each user's and chat's updates in order and runs others at once."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.update_processor import PerUserOrderedProcessor, ordering_keys


def _update(update_id: int, user_id: int, chat_id: int) -> Update:
    user = User(user_id, f"u{user_id}", is_bot=False)
    chat = Chat(chat_id, "private" if chat_id == user_id else "supergroup")
    message = Message(update_id, datetime(2027, 3, 1, tzinfo=UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def test_per_user_order_with_concurrency_across_users() -> None:
    processor = PerUserOrderedProcessor(max_concurrent_updates=16)
    seen: dict[int, list[int]] = {}
    running = 0
    most = 0
    rng = random.Random(7)

    async def handle(update: Update) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(rng.random() / 200)
        assert update.effective_user is not None
        seen.setdefault(update.effective_user.id, []).append(update.update_id)
        running -= 1

    updates = [_update(i, 100 + i % 5, 100 + i % 5) for i in range(200)]
    tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in updates]
    await asyncio.gather(*tasks)
    for user_id, ids in seen.items():
        assert ids == sorted(ids), f"user {user_id} out of order"
    assert sum(len(v) for v in seen.values()) == 200
    assert most >= 3, "different users must be handled concurrently"
    assert processor.waiting_keys == 0, "locks must not leak"


async def test_a_group_chat_is_ordered_across_its_members() -> None:
    processor = PerUserOrderedProcessor(max_concurrent_updates=16)
    order: list[int] = []

    async def handle(update: Update, delay: float) -> None:
        await asyncio.sleep(delay)
        order.append(update.update_id)

    group = -1000
    first = _update(1, 11, group)
    second = _update(2, 12, group)
    tasks = [
        asyncio.create_task(processor.process_update(first, handle(first, 0.03))),
        asyncio.create_task(processor.process_update(second, handle(second, 0.0))),
    ]
    await asyncio.gather(*tasks)
    assert order == [1, 2]


async def test_a_failing_update_releases_its_locks() -> None:
    processor = PerUserOrderedProcessor()

    async def boom() -> None:
        raise RuntimeError("handler failed")

    update = _update(1, 5, 5)
    with contextlib.suppress(RuntimeError):
        await processor.process_update(update, boom())
    assert processor.waiting_keys == 0
    assert ordering_keys(object()) == []
    assert ordering_keys(update) == [("chat", 5), ("user", 5)]
