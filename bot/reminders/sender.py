"""The flood-aware sender: every message that is not a direct answer goes through here.

Telegram allows about 30 messages/s overall, 20/min in one group and about 1/s in one private
chat. Each chat has its own queue (one task), so a 429 in one chat is waited out there while
the others go on; the overall rate is shared. Failures are recorded on the outbox rows:
a network error or a 5xx is retried later with back-off, then ends `undeliverable` with the
reason; a user who blocked the bot is marked unreachable and their unit head told once.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.reminders.pacer import BULK, GROUP_FIRST, Pacer
from domain.clock import Clock
from domain.reminders.digest import Pending
from handlers.ui.deliver import retry_seconds
from storage.db import Database
from storage.membership import groups
from storage.reminders import outbox

log = logging.getLogger(__name__)

Send = Callable[[int, str, InlineKeyboardMarkup | None], Awaitable[int]]
# Pictures with a caption (the weekly brief): chat id, 1-10 PNGs (one picture, or an album
# with the caption on its first), caption ("" for none) -> the first message's id.
SendPictures = Callable[[int, Sequence[bytes], str], Awaitable[int]]
ALBUM = 10  # Telegram's most pictures in one album (sendMediaGroup takes 2-10)


def albums(pictures: Sequence[bytes]) -> list[tuple[bytes, ...]]:
    """The pictures cut into as few sends as Telegram takes, in order, none left out: one
    picture alone; 2-10 in one album; more in albums of even size (never one of a single
    picture, which sendMediaGroup refuses)."""
    if not pictures:
        return []
    count = math.ceil(len(pictures) / ALBUM)
    size, extra = divmod(len(pictures), count)
    out: list[tuple[bytes, ...]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(tuple(pictures[start:end]))
        start = end
    return out


@dataclass(frozen=True)
class Outgoing:
    """One message: the outbox rows it carries, where it goes and what it says."""

    rows: tuple[Pending, ...]
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    private: bool
    member_id: int | None = None
    digest_day: date | None = None
    # Sent as pictures (one, or albums) with `text` as the first one's caption.
    photos: tuple[bytes, ...] = ()


@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    undeliverable: int = 0
    blocked: list[int] = field(default_factory=list)  # member ids that blocked the bot


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1, 2, 4 ... minutes, at most 1 h."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


class Sender:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        send: Send,
        pacer: Pacer,
        max_attempts: int,
        inline_wait_max: float = 10.0,
        concurrency: int = 16,
        send_pictures: SendPictures | None = None,
    ) -> None:
        self.db, self.clock, self._send, self.pacer = db, clock, send, pacer
        self._send_pictures = send_pictures
        self.max_attempts = max_attempts
        self.inline_wait_max = inline_wait_max
        self._slots = asyncio.Semaphore(concurrency)

    async def deliver(
        self,
        messages: Sequence[Outgoing],
        *,
        progress: Callable[[Outcome, int], None] | None = None,
    ) -> Outcome:
        """Send every message, each chat in its own queue; record each outcome.

        The order given is the order of urgency: when the overall rate is the limit, earlier
        messages go first. `progress(outcome so far, total)` is called after each message.
        """
        outcome = Outcome()
        by_chat: dict[int, list[Outgoing]] = {}
        for message in messages:
            by_chat.setdefault(message.chat_id, []).append(message)
        total = len(messages)

        async def chat_queue(queue: list[Outgoing]) -> None:
            for message in queue:
                await self._one(message, outcome)
                if progress is not None:
                    progress(outcome, total)

        await asyncio.gather(*(chat_queue(q) for q in by_chat.values()))
        return outcome

    async def _one(self, message: Outgoing, outcome: Outcome) -> None:
        ids = [row.id for row in message.rows]
        chat_id, waited_429 = message.chat_id, 0
        parts = albums(message.photos) if self._send_pictures is not None else []
        sent: list[int] = []  # the first message of each album sent (a wait resumes after)
        while True:
            # A group takes at most 20 a minute: letting its few sends go first starts that
            # slow lane early instead of after every private message.
            priority = BULK if message.private else GROUP_FIRST
            try:
                if not parts:
                    async with (
                        self.pacer.sending(chat_id, private=message.private, priority=priority),
                        self._slots,  # bounds requests in flight
                    ):
                        message_id = await self._send(chat_id, message.text, message.markup)
                for part in parts[len(sent) :]:
                    async with (
                        self.pacer.sending(
                            chat_id, private=message.private, priority=priority, messages=len(part)
                        ),
                        self._slots,
                    ):
                        assert self._send_pictures is not None
                        caption = "" if sent else message.text
                        sent.append(await self._send_pictures(chat_id, part, caption))
                    message_id = sent[0]
            except RetryAfter as error:
                seconds = retry_seconds(error)
                waited_429 += 1
                if seconds <= self.inline_wait_max and waited_429 <= 5:
                    await asyncio.sleep(seconds)  # only this chat's queue waits
                    continue
                until = self.clock.now() + timedelta(seconds=seconds)
                await outbox.mark_failed(
                    self.db,
                    ids,
                    error=f"429 retry after {seconds}s",
                    retry_at=until,
                    count_attempt=False,
                )
                outcome.retrying += len(ids)
                return
            except ChatMigrated as error:
                new_id = int(error.new_chat_id)
                await groups.migrate(
                    self.db, old_chat_id=chat_id, new_chat_id=new_id, now=self.clock.now()
                )
                await outbox.retarget_chat(self.db, old_chat_id=chat_id, new_chat_id=new_id)
                log.info("reminder: a bound group became a supergroup; binding moved")
                chat_id = new_id
                continue
            except Forbidden as error:
                await outbox.mark_failed(
                    self.db, ids, error=f"forbidden: {error.message}", retry_at=None
                )
                outcome.undeliverable += len(ids)
                if message.member_id is not None:
                    outcome.blocked.append(message.member_id)
                return
            except BadRequest as error:
                await outbox.mark_failed(
                    self.db, ids, error=f"bad request: {error.message}", retry_at=None
                )
                outcome.undeliverable += len(ids)
                log.warning("reminder undeliverable: %s", error.message)
                return
            except TelegramError as error:  # network errors, timeouts, 5xx
                tries = max(row.attempts for row in message.rows) + 1
                reason = f"{type(error).__name__}: {error.message}"
                retry_at = None if tries >= self.max_attempts else self.clock.now() + backoff(tries)
                await outbox.mark_failed(self.db, ids, error=reason, retry_at=retry_at)
                if retry_at is None:
                    outcome.undeliverable += len(ids)
                    log.warning("reminder undeliverable after %s tries: %s", tries, reason)
                else:
                    outcome.retrying += len(ids)
                return
            await outbox.mark_sent(
                self.db,
                ids,
                now=self.clock.now(),
                chat_id=chat_id,
                message_id=message_id,
                digest_day=message.digest_day,
            )
            outcome.sent += len(ids)
            return


__all__ = [
    "BULK",
    "GROUP_FIRST",
    "Outcome",
    "Outgoing",
    "Pacer",
    "SendPictures",
    "Sender",
    "albums",
    "backoff",
]
