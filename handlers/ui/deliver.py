"""After the commit: telling the person what was stored, without ever telling them otherwise.

Once a filing is committed, a refused send must not turn into the error handler's apology
(the person would file again, or believe nothing was kept), nor end the update before the
conversation ends (the conversation would stay open around a draft that is already stored).
`confirm` retries the confirmation a few times within the update (a 5xx, a timeout, a short
429) and says whether Telegram took it; `quietly` runs a cosmetic step (answering the press,
taking the buttons off) whose failure changes nothing. Neither logs any text: only what was
being confirmed and the error's type.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

log = logging.getLogger(__name__)

ATTEMPTS = 3
PAUSES = (0.3, 1.0)  # between attempts; the person is waiting for this answer
LONGEST_WAIT = 5.0  # a 429 asking for longer is not waited for inside an update
# True around sends that are not an answer to what someone just did (a staff card and its
# edits): the bot's one pacer (bot/reminders/pacer.py) lets them wait their turn, behind
# every answer. Set with `in_bulk()`.
BULK: ContextVar[bool] = ContextVar("bulk_send", default=False)


@contextmanager
def in_bulk() -> Iterator[None]:
    """The sends made inside wait like bulk sends, never ahead of a person's answer."""
    token = BULK.set(True)
    try:
        yield
    finally:
        BULK.reset(token)


async def confirm(
    send: Callable[[], Awaitable[object]], *, what: str, attempts: int = ATTEMPTS
) -> bool:
    """Call `send` until Telegram takes it (at most `attempts` times); whether it did.

    Retried: network errors, 5xx and timeouts (a timed-out send may have arrived: the person
    may see it twice, never not at all), and a 429 asking for at most `LONGEST_WAIT` seconds.
    Not retried: Telegram's refusals that a retry cannot change (400, 403, a moved chat).
    """
    for attempt in range(attempts):
        try:
            await send()
            return True
        except RetryAfter as error:
            wait = retry_seconds(error)
            if wait > LONGEST_WAIT:
                break
            await asyncio.sleep(wait)
            continue
        except BadRequest as error:  # a subclass of NetworkError: refused for good
            log.warning("%s: confirmation refused (%s)", what, type(error).__name__)
            return False
        except NetworkError as error:
            failed = type(error).__name__
            log.info("%s: confirmation attempt %d failed (%s)", what, attempt + 1, failed)
        except TelegramError as error:  # blocked by the person, chat moved …
            log.warning("%s: confirmation refused (%s)", what, type(error).__name__)
            return False
        if attempt + 1 < attempts:
            await asyncio.sleep(PAUSES[min(attempt, len(PAUSES) - 1)])
    log.warning("%s: confirmation not delivered after %d attempts", what, attempts)
    return False


async def quietly(step: Awaitable[object], *, what: str) -> None:
    """A cosmetic step after the commit (answer the press, close a keyboard): its failure is
    logged and otherwise ignored."""
    try:
        await step
    except TelegramError as error:
        log.info("%s: %s", what, type(error).__name__)


def retry_seconds(error: RetryAfter) -> float:
    """How long a 429 asks to wait, in seconds."""
    with warnings.catch_warnings():  # PTB 22.2+ warns on reading it unless PTB_TIMEDELTA is set
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
