"""Polling that confirms an update only once it was handled (at-least-once).

python-telegram-bot's `Updater` confirms a batch (the next `getUpdates` offset) as soon as it
has queued it, before it is handled: a process killed mid-update loses that update. This
poller takes its place (`app.updater`, so whatever stops "the updater" stops it) and confirms
by a watermark instead:

- every update fetched is handed to the Application's update processor at once, as python-
  telegram-bot does (per-user order and concurrency are the processor's:
  `bot.updates.processor.PerUserOrderedProcessor`);
- the offset sent to Telegram is the lowest id still being handled (or one past the highest
  fetched when none is): an update is confirmed only when it and every earlier one are done;
- Telegram therefore sends the unfinished ones again with each `getUpdates`; ids at or below
  the highest fetched are known and dropped here (in memory). Because of that, while updates
  are in flight the poller does not long-poll (Telegram would answer at once anyway) but asks
  again after a pause that grows with the number in flight (`GAP_PER_UPDATE` each, between
  `MIN_GAP` and `MAX_GAP`): an answer repeats every update in flight, so with few in flight
  asking often is cheap and a new update waits at most `MIN_GAP`; with a hundred in flight
  each answer carries a hundred repeats, and asking less often saves that work while the
  steps wait in line anyway. The re-sent ones are dropped from the answer, decoded once
  (`FreshUpdatesRequest`, the Application's getUpdates request), before python-telegram-bot
  builds its objects, which would otherwise cost ~0.1 ms per update each time.

An update python-telegram-bot cannot read (a malformed one, or one a later Bot API shaped
differently) would make it fail the whole batch, log the batch (everyone's names and texts) at
CRITICAL, and the same batch would come back forever: nobody would be answered. So the
getUpdates request parses the answer update by update (`FreshUpdatesRequest`) and sets an
unreadable one aside; the good ones go on. The poller holds the offset at an unreadable update
for `POISON_ATTEMPTS` fetches (parsing is deterministic, so these cost only ~0.1 s; they guard
against a one-off failure), then skips it (`Poison`): its id and the exception's type are logged
for the operator, never its contents, and the offset moves past it.

A kill leaves the unfinished updates (and the finished ones after them) with Telegram, which
delivers them to the next process; `bot.persistence.skip_seen` drops those recorded as handled.
A clean stop stops asking, lets the updates in flight finish (`STOP_SECONDS`), and confirms
what is done; whatever did not finish stays unconfirmed.

An update handled again may be a button press the killed process had already answered (and
whose message it had already edited); Telegram then refuses the second answer ("query is too
old") and the same edit ("message is not modified"). `ReplayTolerantRequest` (the
Application's request) takes those refusals as done, so the step goes on instead of failing
with an apology.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, Updater

from bot.updates.transport import FreshUpdatesRequest

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]

MIN_GAP = 0.02  # seconds between two asks while updates are in flight, at least
MAX_GAP = 0.05  # ... and at most: how long a new update may wait behind slow ones
GAP_PER_UPDATE = 0.0005  # the pause grows by this much for each update in flight
STOP_SECONDS = 10.0  # how long a clean stop waits for the updates in flight
# An update still running after this long stops holding the offset back (logged): one hung
# handler must not stop the bot from seeing new updates (getUpdates returns 100 at most).
HOLD_MAX = 120.0
MAX_BACKOFF = 30.0  # after repeated errors, as python-telegram-bot's network loop
POISON_ATTEMPTS = 3  # fetches of an update python-telegram-bot cannot read, then it is skipped


class Watermark:
    """Which updates were fetched, which are still being handled, and the offset that
    confirms exactly the finished prefix. Pure bookkeeping (no I/O): unit-tested alone."""

    def __init__(self) -> None:
        self.highest: int | None = None  # the highest id handed over for handling
        self.unfinished: dict[int, float] = {}  # id -> when it was taken

    def fresh(self, update_ids: Sequence[int], *, now: float = 0.0) -> list[int]:
        """The ids not seen before (Telegram sends the unconfirmed ones again), noted as
        taken at `now`; in the order given."""
        new: list[int] = []
        for uid in update_ids:
            if self.highest is None or uid > self.highest:
                new.append(uid)
                self.highest = uid
                self.unfinished[uid] = now
        return new

    def finish(self, update_id: int) -> None:
        self.unfinished.pop(update_id, None)

    def release_taken_before(self, cutoff: float) -> list[int]:
        """Stop holding the offset for updates taken before `cutoff` (they may still run)."""
        old = [uid for uid, at in self.unfinished.items() if at < cutoff]
        for uid in old:
            del self.unfinished[uid]
        return old

    @property
    def offset(self) -> int | None:
        """The `getUpdates` offset: everything below it is handled (None before any update)."""
        if self.unfinished:
            return min(self.unfinished)
        return None if self.highest is None else self.highest + 1


class Poison:
    """Updates python-telegram-bot could not read: how often each was tried, and the ids
    skipped. Shared by polling and the webhook; in memory (a restart tries again, bounded
    the same way)."""

    def __init__(self, attempts: int = POISON_ATTEMPTS) -> None:
        self.attempts = attempts
        self.tries: dict[int, int] = {}
        self.skipped: list[int] = []

    def failed(self, update_id: int, reason: str) -> bool:
        """Note one failed attempt; True when the update is now skipped (and logged)."""
        tries = self.tries[update_id] = self.tries.get(update_id, 0) + 1
        if tries < self.attempts:
            return False
        del self.tries[update_id]
        self.skipped.append(update_id)
        log.error(
            "update %s skipped: python-telegram-bot could not read it (%s) in %s attempts;"
            " its contents are not logged",
            update_id,
            reason,
            tries,
        )
        return True


class AtLeastOncePoller(Updater):
    """An `Updater` whose polling confirms only handled updates (see the module)."""

    def __init__(self, app: AnyApp) -> None:
        super().__init__(bot=app.bot, update_queue=app.update_queue)
        self._app = app
        self._marks = Watermark()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._timeout = 10
        self._allowed: Sequence[str] | None = None
        self._fresh: FreshUpdatesRequest | None = None
        requests = getattr(app.bot, "_request", None)  # (getUpdates request, the others)
        if isinstance(requests, tuple) and isinstance(requests[0], FreshUpdatesRequest):
            self._fresh = requests[0]
            self._fresh.bot = app.bot  # parses as python-telegram-bot will (defaults, time zone)
        self._seen_again = 0
        self.poison = Poison()

    @property
    def redelivered(self) -> int:
        """Copies of updates in flight (or handled, not yet confirmed) Telegram sent again."""
        return self._seen_again + (self._fresh.dropped if self._fresh is not None else 0)

    async def start_polling(  # type: ignore[override]
        self,
        poll_interval: float = 0.0,
        timeout: int = 10,  # noqa: ASYNC109 (the Updater's signature)
        bootstrap_retries: int = 0,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        error_callback: Callable[[TelegramError], None] | None = None,
    ) -> asyncio.Queue[object]:
        """Delete any webhook (as python-telegram-bot does), then poll in the background."""
        if self._running:
            raise RuntimeError("This Updater is already running!")
        if not self._initialized:
            raise RuntimeError("This Updater was not initialized via `Updater.initialize`!")
        self._running = True
        try:
            await self._bootstrap_delete(bootstrap_retries, drop_pending_updates)
        except BaseException:
            self._running = False
            raise
        self._timeout, self._allowed = timeout, allowed_updates
        self._loop_task = asyncio.create_task(self._poll_forever(), name="polling:loop")
        return self.update_queue

    async def _bootstrap_delete(self, retries: int, drop: bool | None) -> None:
        attempt = 0
        while True:
            try:
                await self.bot.delete_webhook(drop_pending_updates=drop)
                return
            except InvalidToken:
                raise
            except TelegramError:
                attempt += 1
                if 0 <= retries < attempt:
                    raise
                log.warning("deleting the webhook failed; retrying in 1 s", exc_info=True)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        """Stop asking; let the updates in flight finish (bounded); confirm what is done."""
        if not self._running:
            raise RuntimeError("This Updater is not running!")
        self._running = False
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, InvalidToken):
                await self._loop_task
            self._loop_task = None
        pending = [t for t in self._tasks.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=STOP_SECONDS)
        offset = self._marks.offset  # before cancelling: a cancelled update is not done
        left = [t for t in self._tasks.values() if not t.done()]
        for task in left:
            task.cancel()
        if left:
            log.warning("stopped with %s update(s) unfinished; Telegram keeps them", len(left))
            await asyncio.wait(left, timeout=STOP_SECONDS)
        if offset is not None:
            try:
                await self.bot.get_updates(
                    offset=offset, timeout=0, limit=1, allowed_updates=self._allowed
                )
            except TelegramError as error:  # they come again next time, and are skipped then
                log.warning("could not confirm the handled updates on stop: %s", error)

    # -- the loop -------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        interval = 0.0
        asked = 0.0
        while self._running:
            if self._marks.unfinished:
                await self._pause_while_busy(asked)
            asked = time.monotonic()
            for uid in self._marks.release_taken_before(asked - HOLD_MAX):
                log.error("update %s still running after %.0f s; confirming past it", uid, HOLD_MAX)
            if self._fresh is not None:
                self._fresh.after = self._marks.highest
            try:
                updates = await self.bot.get_updates(
                    offset=self._marks.offset,
                    timeout=0 if self._marks.unfinished else self._timeout,
                    allowed_updates=self._allowed,
                )
            except RetryAfter as error:
                interval = 0.5 + _seconds(error.retry_after)
                log.warning("getUpdates: %s; waiting %.1f s", error, interval)
            except TimedOut:
                interval = 0.0  # as python-telegram-bot: ask again at once
            except InvalidToken:
                log.critical("getUpdates: invalid token; polling stops")
                raise
            except TelegramError as error:  # Conflict, NetworkError, BadRequest, 5xx
                interval = 1.0 if interval == 0 else min(MAX_BACKOFF, 1.5 * interval)
                log.error("getUpdates failed (%s); asking again in %.1f s", error, interval)
            except Exception as error:  # an answer that is not updates: nothing taken, ask again
                interval = 1.0 if interval == 0 else min(MAX_BACKOFF, 1.5 * interval)
                # Only the type: the message of a parsing error may quote what people wrote.
                log.error("getUpdates: an answer that could not be read (%s)", type(error).__name__)
            else:
                interval = 0.0
                self._take(updates)
            if interval:
                await asyncio.sleep(interval)

    async def _pause_while_busy(self, asked: float) -> None:
        """Until `gap(n)` after the last ask, n the updates in flight: each answer repeats
        them all."""
        wait = gap(len(self._marks.unfinished)) - (time.monotonic() - asked)
        if wait > 0:
            await asyncio.sleep(wait)

    def _take(self, updates: Sequence[Update]) -> None:
        by_id = {u.update_id: u for u in updates}
        unreadable = self._fresh.take_unreadable() if self._fresh is not None else {}
        # An unreadable update holds the offset like one being handled, until it is skipped.
        fresh = self._marks.fresh(sorted({*by_id, *unreadable}), now=time.monotonic())
        self._seen_again += len(set(by_id) - set(fresh))
        for uid in fresh:
            if uid in by_id:
                task = asyncio.create_task(self._handle(by_id[uid]), name=f"polling:update:{uid}")
                self._tasks[uid] = task
        for uid, reason in unreadable.items():
            self._unreadable(uid, reason)

    def _unreadable(self, uid: int, reason: str) -> None:
        assert self._fresh is not None
        if uid not in self._marks.unfinished:  # skipped before, or released: nothing held
            self._fresh.retrying.discard(uid)
            return
        if not self.poison.failed(uid, reason):
            self._fresh.retrying.add(uid)  # Telegram sends it again; let it through again
            return
        self._fresh.retrying.discard(uid)
        self._marks.finish(uid)

    async def _handle(self, update: Update) -> None:
        app, uid = self._app, update.update_id
        handling = app.process_update(update)
        try:
            await app.update_processor.process_update(update, handling)
        except asyncio.CancelledError:
            handling.close()  # it may not have started (waiting its turn)
            self._tasks.pop(uid, None)  # not finished: stays unconfirmed
            raise
        except Exception:  # handler errors went to the error handler; this is anything else
            log.exception("update %s could not be handled", uid)
        self._tasks.pop(uid, None)
        self._marks.finish(uid)


def gap(in_flight: int) -> float:
    """Seconds between two asks while `in_flight` updates are being handled."""
    return min(MAX_GAP, max(MIN_GAP, in_flight * GAP_PER_UPDATE))


def _seconds(retry_after: object) -> float:
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]


async def install(app: AnyApp) -> AtLeastOncePoller:
    """Put the poller in the Application's `updater` place (the Application is initialised;
    python-telegram-bot's own Updater is never started)."""
    poller = AtLeastOncePoller(app)
    await poller.initialize()
    app.updater = poller
    return poller
