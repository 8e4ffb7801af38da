"""Keep update contents out of the log at every level the bot can be set to.

python-telegram-bot logs whole updates and API answers at DEBUG (names, usernames, user ids,
message texts); SQLAlchemy logs query parameters at INFO and aiosqlite at DEBUG (a Telegram
user id is one when the bot looks a person up); httpx/httpcore log URLs carrying the token.
For an anonymous hotline any of these would unmask a complainant. A filter drops those
libraries' records below a floor, whatever level their loggers are set to: it sits on each of
their loggers and on every handler of the root logger (for loggers created later).
"""

from __future__ import annotations

import logging

FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "apscheduler": logging.INFO,
}


class LibraryFloor(logging.Filter):
    """Drops a record of a listed library below that library's floor."""

    def filter(self, record: logging.LogRecord) -> bool:
        floor = FLOORS.get(record.name.split(".", 1)[0])
        return floor is None or record.levelno >= floor


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
