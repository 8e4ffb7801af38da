"""When a message may go: the pacer every bulk send waits on (reminders, broadcasts and,
through the reminder outbox, everything else that is not an answer), and the same pacer as
python-telegram-bot's rate limiter, so answers and bulk sends share one count of Telegram's
limits — one mechanism, not two.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from telegram.ext import BaseRateLimiter

from handlers.ui.deliver import BULK as IN_BULK

ANSWER, GROUP_FIRST, BULK = 0, 1, 2  # who goes first when several wait for the overall rate
# True inside `Pacer.sending()`: the send made there is paced already (`PacedLimiter`).
PACED: ContextVar[bool] = ContextVar("paced", default=False)


def _scaled(speed: float) -> Callable[[], float]:
    """A monotonic clock running `speed` times faster than the real one."""
    return lambda: time.monotonic() * speed


class _Send:
    """One message let go: when, and when its answer came back (if the sender says so)."""

    __slots__ = ("answered", "tracked", "went")

    def __init__(self, went: float, *, tracked: bool) -> None:
        self.went = went
        self.tracked = tracked
        self.answered: float | None = None

    def free_after(self, length: float, margin: float, lead: float) -> float:
        """When a window of `length` seconds that holds this send has surely moved past it
        on Telegram's side; +inf while an awaited answer is still out."""
        bound = self.went + length * (1 + margin)
        if self.tracked:
            if self.answered is None:
                return math.inf
            bound = max(bound, self.answered + length - lead)
        return bound


class Pacer:
    """Decides when each message may go: the one place that knows Telegram's limits.

    - overall: at most `per_second` messages in any second, and no two closer than 90 % of
      the average spacing (no bursts for a strict counter to catch);
    - per chat: `private_interval` between two messages to one person; `group_interval`
      and at most `group_per_minute` in any minute to one group;
    - who goes next when several wait for the overall rate: the lowest `priority`, then
      first come (`ANSWER` for replies to people, then `GROUP_FIRST`, then `BULK`).

    Telegram counts a message when it arrives, somewhere between our sending it and its
    answer coming back; a pacer counting at the sending instant is caught out by any jitter
    (a busy event loop, the network) and draws 429s at exactly the limit. So a send made in
    `sending()` counts until its answer came back, less `lead_share` of the fastest round
    trip seen (the part of it before the message can arrive), and every window is also
    `margin` longer than Telegram's. A chat waiting for its own turn never holds up another.

    `speed`: how many seconds of the limits' clock pass in one real second — 1 against
    Telegram; a simulator whose flood clock runs N times faster (tests, the demo) takes N, so
    the same strict limits are kept in a fraction of the time (nothing is switched off).
    """

    def __init__(
        self,
        *,
        per_second: int = 30,
        private_interval: float = 1.0,
        group_interval: float = 1.0,
        group_per_minute: int = 20,
        margin: float = 0.02,
        lead_share: float = 0.45,
        monotonic: Callable[[], float] | None = None,
        speed: float = 1.0,
    ) -> None:
        if speed <= 0:
            raise ValueError("the pacer's speed must be positive")
        self.per_second = per_second
        self.private_interval = private_interval
        self.group_interval = group_interval
        self.group_per_minute = group_per_minute
        self.margin = margin
        self.lead_share = lead_share
        self.speed = speed
        self._now = monotonic or (time.monotonic if speed == 1 else _scaled(speed))
        self._fastest = math.inf  # the fastest round trip seen
        self._recent: deque[_Send] = deque()  # the last `per_second` sends
        self._last: dict[int, _Send] = {}  # chat -> its last send
        self._group_sends: dict[int, deque[_Send]] = {}  # group -> its last sends
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_users: dict[int, int] = {}
        self._queue: list[tuple[int, int, asyncio.Future[_Send]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self.sent = 0  # messages let go since start (for progress and /metrics)

    @property
    def waiting(self) -> int:
        """Sends waiting for the overall rate now."""
        return sum(1 for _, _, future in self._queue if not future.done())

    @property
    def _lead(self) -> float:
        return 0.0 if math.isinf(self._fastest) else self._fastest * self.lead_share

    @asynccontextmanager
    async def sending(
        self, chat_id: int, *, private: bool, priority: int = BULK, messages: int = 1
    ) -> AsyncIterator[None]:
        """Wait for this chat's turn and the overall rate, then send inside the block: the
        send counts until the block ends (its answer came back, or it failed). An album
        is `messages` messages: each counts overall and in a group (a private chat takes
        it as one burst)."""
        async with self._chat_turn(chat_id):
            sends = await self._take(
                chat_id, private=private, priority=priority, tracked=True, messages=messages
            )
            token = PACED.set(True)  # a rate limiter over this pacer lets this send through
            try:
                yield
            finally:
                PACED.reset(token)
                answered = self._now()
                for send in sends:
                    send.answered = answered
                self._fastest = min(self._fastest, answered - sends[0].went)
                self._release()

    async def wait(self, chat_id: int, *, private: bool, priority: int = BULK) -> None:
        """Return when a message to `chat_id` may be sent (counted from now; prefer
        `sending()`, which also knows when the answer came back)."""
        async with self._chat_turn(chat_id):
            await self._take(chat_id, private=private, priority=priority, tracked=False)

    async def wait_overall(self, *, priority: int = ANSWER) -> None:
        """Take a place in the overall rate only (waiting for it, unlike `count()`)."""
        await self._overall(priority, tracked=False)

    def count(self) -> None:
        """Count a message that does not wait (a direct answer to what someone just did): the
        sends that do wait leave room for it."""
        self._recent.append(_Send(self._now(), tracked=False))
        if len(self._recent) > self.per_second:
            self._recent.popleft()
        self.sent += 1

    @asynccontextmanager
    async def _chat_turn(self, chat_id: int) -> AsyncIterator[None]:
        """One send at a time per chat, in order; the lock is dropped with its last user."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        self._chat_users[chat_id] = self._chat_users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._chat_users[chat_id] -= 1
            if not self._chat_users[chat_id]:
                del self._chat_users[chat_id], self._chat_locks[chat_id]

    async def _take(
        self, chat_id: int, *, private: bool, priority: int, tracked: bool, messages: int = 1
    ) -> list[_Send]:
        count = max(1, min(messages, self.per_second, self.group_per_minute))
        delay = self._chat_ready(chat_id, private=private, messages=count) - self._now()
        if delay > 0:
            await asyncio.sleep(delay / self.speed)
        taken = [await self._overall(priority, tracked=tracked) for _ in range(count)]
        send = taken[-1]
        self._last[chat_id] = send
        if not private:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.extend(taken)
            while len(sends) > self.group_per_minute:
                sends.popleft()
        if len(self._last) > 50_000:
            self._forget_idle(send.went)
        return taken

    async def _overall(self, priority: int, *, tracked: bool) -> _Send:
        future: asyncio.Future[_Send] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (priority, next(self._order), future))
        self._release()
        send = await future
        send.went = max(send.went, self._now())  # a busy loop may resume us late
        send.tracked = tracked
        return send

    def _chat_ready(self, chat_id: int, *, private: bool, messages: int = 1) -> float:
        last = self._last.get(chat_id)
        if last is None:
            return -math.inf
        interval = self.private_interval if private else self.group_interval
        ready = last.free_after(interval, self.margin, self._lead)
        sends = self._group_sends.get(chat_id)
        room = self.group_per_minute - messages  # earlier sends that may stay in the minute
        if not private and sends is not None and len(sends) > room:
            ready = max(
                ready, sends[len(sends) - room - 1].free_after(60.0, self.margin, self._lead)
            )
        return ready

    def _next_free(self) -> float:
        recent = self._recent
        if not recent:
            return -math.inf
        free = recent[-1].went + 0.9 / self.per_second
        if len(recent) >= self.per_second:
            free = max(free, recent[0].free_after(1.0, self.margin, self._lead))
        return free

    def _release(self) -> None:
        """Let go as many waiting sends as the overall rate allows now; time the next (an
        answer coming back calls this again)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._queue:
            now = self._now()
            free = self._next_free()
            if free > now:
                if not math.isinf(free):
                    loop = asyncio.get_running_loop()
                    self._timer = loop.call_later((free - now) / self.speed, self._wake)
                return
            _, _, future = heapq.heappop(self._queue)
            if future.done():  # its waiter was cancelled
                continue
            send = _Send(now, tracked=False)  # tracked once its waiter really has it
            self._recent.append(send)
            if len(self._recent) > self.per_second:
                self._recent.popleft()
            self.sent += 1
            future.set_result(send)

    def _wake(self) -> None:
        self._timer = None
        self._release()

    def _forget_idle(self, now: float) -> None:
        for chat_id in [c for c, s in self._last.items() if s.went <= now - 70.0]:
            del self._last[chat_id]
            self._group_sends.pop(chat_id, None)


# Methods that put a message in a chat (edits and callback answers do not count).
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)
# Edits: Telegram counts an edit in a group like a message there (a staff card edited on every
# change of its case); an edit in a private chat is an answer to a press.
EDITING_METHODS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)


class PacedLimiter(BaseRateLimiter[None]):
    """python-telegram-bot's rate-limiter seam over one `Pacer` (pass it to
    `ApplicationBuilder().rate_limiter(...)`), so every message of the bot counts in it:

    - sends made inside `Pacer.sending()` (the reminder sender) go straight through;
    - a send made inside `handlers.ui.deliver.in_bulk()` (a staff card and its edits) waits
      like a reminder;
    - a message to a group, or an edit there, always waits for the group's turn (20 a minute
      is Telegram's limit for everything a group gets), before bulk sends;
    - an answer in a private chat never waits: it is counted, and bulk sends make room.

    A 429 is not retried here: the caller sees `RetryAfter` and decides (the sender waits in
    that chat only). Nothing ever halts every request of the bot.
    """

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        sending = endpoint in SENDING_METHODS
        if not (sending or endpoint in EDITING_METHODS) or PACED.get():
            return await callback(*args, **kwargs)
        if not isinstance(chat, int | str):  # an inline message's edit: no chat to pace
            return await callback(*args, **kwargs)
        try:
            chat_id = int(chat)
        except ValueError:  # "@channelname": a channel, paced like a group
            chat_id = -abs(hash(chat))
        private = chat_id > 0
        bulk = IN_BULK.get()
        if private and not bulk:
            if sending:
                self.pacer.count()
            return await callback(*args, **kwargs)
        priority = BULK if bulk else ANSWER
        async with self.pacer.sending(chat_id, private=private, priority=priority):
            return await callback(*args, **kwargs)
