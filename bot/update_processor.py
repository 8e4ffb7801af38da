"""Per-user ordered concurrency: updates of different people are handled at the same time, while
each user's and each chat's updates keep their order.

python-telegram-bot's `ConversationHandler` assumes one update at a time per conversation key
(chat, user); holding a lock per user and per chat for the whole handling of an update gives it
exactly that, without making every user wait for everyone else's API calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class _KeyedLocks:
    """Locks created on demand and dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}
        self._users: dict[tuple[str, int], int] = {}

    def __len__(self) -> int:
        return len(self._locks)

    async def acquire(self, key: tuple[str, int]) -> None:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            await lock.acquire()
        except BaseException:
            self._forget(key)
            raise

    def release(self, key: tuple[str, int]) -> None:
        self._locks[key].release()
        self._forget(key)

    def _forget(self, key: tuple[str, int]) -> None:
        self._users[key] -= 1
        if self._users[key] == 0:
            del self._users[key]
            del self._locks[key]


def ordering_keys(update: object) -> list[tuple[str, int]]:
    """The user and chat an update belongs to, in a global order (so locks never deadlock)."""
    if not isinstance(update, Update):
        return []
    keys: set[tuple[str, int]] = set()
    if update.effective_user is not None:
        keys.add(("user", update.effective_user.id))
    if update.effective_chat is not None:
        keys.add(("chat", update.effective_chat.id))
    return sorted(keys)


class PerUserOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across users and chats (up to `max_concurrent_updates` handled at once),
    ordered within each.

    The base class's semaphore (taken first, and final) only bounds how many updates may be
    waiting; the real bound is applied after an update holds its user and chat locks, so one
    busy user's queued updates never occupy the slots that other users need.
    """

    __slots__ = ("_active", "_keyed")

    def __init__(self, max_concurrent_updates: int = 64, *, max_waiting: int = 4096) -> None:
        super().__init__(max_waiting)
        self._active = asyncio.Semaphore(max_concurrent_updates)
        self._keyed = _KeyedLocks()

    @property
    def waiting_keys(self) -> int:
        """How many user/chat locks exist now (0 when idle: nothing leaks)."""
        return len(self._keyed)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = ordering_keys(update)
        taken: list[tuple[str, int]] = []
        try:
            for key in keys:
                await self._keyed.acquire(key)
                taken.append(key)
            async with self._active:
                await coroutine
        finally:
            for key in reversed(taken):
                self._keyed.release(key)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
