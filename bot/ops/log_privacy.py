"""Keep update contents out of the log at every level the bot can be set to.

python-telegram-bot logs whole updates and API answers at DEBUG (names, usernames, user ids,
message texts); SQLAlchemy logs query parameters at INFO and aiosqlite at DEBUG (a Telegram
user id is one when the bot looks a person up); httpx/httpcore log URLs carrying the token.
For an anonymous hotline any of these would unmask a complainant. A filter drops those
libraries' records below a floor, whatever level their loggers are set to: it sits on each of
their loggers and on every handler of the root logger (for loggers created later).

Some of python-telegram-bot's records at INFO and above carry what Telegram sent as well:
"Error while parsing updates! Received data was [...]" (CRITICAL, the whole getUpdates batch),
the webhook handler's "Received data was: ..." (CRITICAL), "Can not load invalid JSON data"
(ERROR, a whole answer), "Error while building CallbackContext for update ..." (CRITICAL,
the update). Whatever their level, the same filter withholds them: such a record keeps its
words, its logger and its level, but its values are replaced by `WITHHELD` and its traceback
(whose last line may quote a value) by the exception's type.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import TelegramObject

FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "apscheduler": logging.INFO,
}


# python-telegram-bot's records whose values are received data (format strings' beginnings).
CARRIERS = (
    "Error while parsing updates!",
    "Something went wrong processing the data received from Telegram",
    "Can not load invalid JSON data",
    "Error while building CallbackContext for update",
)
WITHHELD = "<withheld by log_privacy>"


class LibraryFloor(logging.Filter):
    """Drops a record of a listed library below that library's floor; withholds the values
    of a python-telegram-bot record that carries received data, at any level."""

    def filter(self, record: logging.LogRecord) -> bool:
        library = record.name.split(".", 1)[0]
        floor = FLOORS.get(library)
        if floor is not None and record.levelno < floor:
            return False
        if library == "telegram" and _carries_data(record):
            _withhold(record)
        return True


def _carries_data(record: logging.LogRecord) -> bool:
    if isinstance(record.msg, str) and record.msg.startswith(CARRIERS):
        return True
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    return any(isinstance(a, TelegramObject | Mapping | list | tuple | set | bytes) for a in args)


def _withhold(record: logging.LogRecord) -> None:
    """Replace the values and the traceback (idempotent: the record may pass two filters)."""
    if isinstance(record.args, Mapping):
        record.args = {key: WITHHELD for key in record.args}
    elif record.args:
        record.args = tuple(WITHHELD for _ in record.args)
    if record.exc_info:
        kind = record.exc_info[0]
        record.msg = f"{record.msg} [{kind.__name__ if kind else 'exception'}; traceback withheld]"
        record.exc_info = None
    record.exc_text = None
    record.stack_info = None


def install() -> None:
    """Put the filter on the libraries' existing loggers and on the root's handlers."""
    names = [*FLOORS, *list(logging.root.manager.loggerDict)]
    targets: list[logging.Filterer] = [
        logging.getLogger(name) for name in names if name.split(".", 1)[0] in FLOORS
    ]
    targets.extend(logging.root.handlers)
    for target in targets:
        if not any(isinstance(f, LibraryFloor) for f in target.filters):
            target.addFilter(LibraryFloor())
