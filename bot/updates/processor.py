"""Per-user ordered concurrency: updates of different people are handled at the same time, while
each user's and each chat's updates keep their order.

python-telegram-bot's `ConversationHandler` assumes one update at a time per conversation key
(chat, user). Every update takes a ticket in the queue of its user and of its chat the moment
it arrives, and runs when it is first in all of them: so each user's and each chat's updates
run one at a time in arrival order (also across chats: a user's private message never
overtakes their earlier group message), and nobody waits for anyone else's API calls.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Key = tuple[str, int]


class _Ticket:
    __slots__ = ("keys", "ready")

    def __init__(self, keys: list[Key]) -> None:
        self.keys = keys
        self.ready = asyncio.Event()


class _KeyedQueues:
    """One FIFO of tickets per user and per chat, created on demand and dropped when empty.

    A ticket runs when it is at the head of each of its queues. The earliest waiting ticket
    always is, so this never deadlocks, and no queue outlives its last ticket.
    """

    def __init__(self) -> None:
        self._queues: dict[Key, deque[_Ticket]] = {}

    def __len__(self) -> int:
        return len(self._queues)

    def __contains__(self, key: object) -> bool:
        return key in self._queues

    def enter(self, keys: list[Key]) -> _Ticket:
        """Join every queue of `keys` at once (no await: arrival order is kept)."""
        ticket = _Ticket(keys)
        for key in keys:
            self._queues.setdefault(key, deque()).append(ticket)
        self._wake(ticket)
        return ticket

    def leave(self, ticket: _Ticket) -> None:
        """Leave every queue (done or cancelled) and wake whoever is now first everywhere."""
        heads: list[_Ticket] = []
        for key in ticket.keys:
            queue = self._queues[key]
            queue.remove(ticket)  # the head when done; anywhere when cancelled while waiting
            if queue:
                heads.append(queue[0])
            else:
                del self._queues[key]
        for head in heads:
            self._wake(head)

    def _wake(self, ticket: _Ticket) -> None:
        if all(self._queues[key][0] is ticket for key in ticket.keys):
            ticket.ready.set()


def ordering_keys(update: object) -> list[Key]:
    """The user and chat an update belongs to (none for anything that is not an Update)."""
    if not isinstance(update, Update):
        return []
    keys: set[Key] = set()
    if update.effective_user is not None:
        keys.add(("user", update.effective_user.id))
    if update.effective_chat is not None:
        keys.add(("chat", update.effective_chat.id))
    return sorted(keys)


class PerUserOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across users and chats (up to `max_concurrent_updates` handled at once),
    ordered within each.

    The base class's semaphore (taken first, and final) only bounds how many updates may be
    waiting; the real bound is applied once an update is first in its queues, so one busy
    user's queued updates never occupy the slots that other users need. With
    `max_concurrent_updates=1` python-telegram-bot handles updates one by one, inline, exactly
    as without a processor (the sequential reference of the benchmarks).
    """

    __slots__ = ("_active", "_queues")

    def __init__(self, max_concurrent_updates: int = 64, *, max_waiting: int = 4096) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        super().__init__(max_waiting if max_concurrent_updates > 1 else 1)
        self._active = asyncio.Semaphore(max_concurrent_updates)
        self._queues = _KeyedQueues()

    @property
    def waiting_keys(self) -> int:
        """How many user/chat queues exist now (0 when idle: nothing leaks)."""
        return len(self._queues)

    def user_is_idle(self, user_id: int) -> bool:
        """Whether no update of this user is queued or being handled."""
        return ("user", user_id) not in self._queues

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        ticket = self._queues.enter(ordering_keys(update))
        try:
            await ticket.ready.wait()
            async with self._active:
                await coroutine
        finally:
            self._queues.leave(ticket)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
