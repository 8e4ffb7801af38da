"""The update processor keeps each user's and chat's updates in order and runs others at once."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates.processor import PerUserOrderedProcessor, ordering_keys


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


async def test_a_user_is_ordered_across_chats_even_when_a_chat_is_busy() -> None:
    processor = PerUserOrderedProcessor(max_concurrent_updates=16)
    order: list[int] = []
    group = -1000

    async def handle(update: Update, delay: float) -> None:
        await asyncio.sleep(delay)
        order.append(update.update_id)

    busy = _update(1, 12, group)  # someone else holds the group for a while
    in_group = _update(2, 11, group)  # user 11 writes in the group, queued behind it
    private = _update(3, 11, 11)  # then privately: must not overtake their group message
    tasks = [
        asyncio.create_task(processor.process_update(busy, handle(busy, 0.03))),
        asyncio.create_task(processor.process_update(in_group, handle(in_group, 0.0))),
        asyncio.create_task(processor.process_update(private, handle(private, 0.0))),
    ]
    await asyncio.gather(*tasks)
    assert order == [1, 2, 3]
    assert processor.waiting_keys == 0


async def test_a_cancelled_waiting_update_lets_the_next_one_run() -> None:
    processor = PerUserOrderedProcessor(max_concurrent_updates=4)
    done: list[int] = []
    release = asyncio.Event()

    async def handle(update: Update, gate: asyncio.Event | None) -> None:
        if gate is not None:
            await gate.wait()
        done.append(update.update_id)

    first, second, third = (_update(i, 5, 5) for i in (1, 2, 3))
    running = asyncio.create_task(processor.process_update(first, handle(first, release)))
    waiting_coro = handle(second, None)
    waiting = asyncio.create_task(processor.process_update(second, waiting_coro))
    last = asyncio.create_task(processor.process_update(third, handle(third, None)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    waiting_coro.close()  # never started: close it so no "never awaited" warning
    release.set()
    await asyncio.gather(running, last)
    assert done == [1, 3]
    assert processor.waiting_keys == 0


def test_one_at_a_time_is_python_telegram_bots_own_sequential_mode() -> None:
    assert PerUserOrderedProcessor(1).max_concurrent_updates == 1
    assert PerUserOrderedProcessor(8).max_concurrent_updates > 1
