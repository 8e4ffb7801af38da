"""Logging set-up: one format, and the libraries that would leak secrets kept quiet."""

from __future__ import annotations

import logging

from bot.ops import log_privacy

# httpx logs every request URL at INFO, and the URL carries the bot token.
QUIET = ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio", "alembic")


def configure(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    quiet_libraries()


def quiet_libraries() -> None:
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    log_privacy.install()  # update contents never reach the log, whatever the level
