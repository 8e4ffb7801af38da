"""Logging set-up: the level (`--log-level`, env LOG_LEVEL, `[logging] level`, in that order),
text or JSON lines, and the libraries that would leak secrets or people kept quiet."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Literal

from bot.ops import log_privacy

ENV_LEVEL = "LOG_LEVEL"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
Format = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# httpx logs every request URL at INFO, and the URL carries the bot token.
QUIET = ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio", "alembic")


class LevelError(ValueError):
    """A log level that is none of `LEVELS`."""


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message and, if any, the
    exception. Non-ASCII stays as it is (a Chinese message is readable, and a search for a
    name in the log finds it as it would in the text format)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def parse_level(value: str, *, where: str) -> str:
    """`value` as one of `LEVELS` (any case); `LevelError` naming `where` otherwise."""
    level = value.strip().upper()
    if level not in LEVELS:
        raise LevelError(f"{where}: must be one of {', '.join(LEVELS)} (got {value.strip()!r})")
    return level


def chosen_level(
    flag: str | None, configured: str | None, *, env: Mapping[str, str] | None = None
) -> str | None:
    """The level in force: the command line's flag, else env LOG_LEVEL, else the config's."""
    env = os.environ if env is None else env
    if flag:
        return parse_level(flag, where="--log-level")
    if env.get(ENV_LEVEL, "").strip():
        return parse_level(env[ENV_LEVEL], where=f"env {ENV_LEVEL}")
    return configured


def configure(
    level: int | str = logging.INFO, fmt: Format = "text", *, stream: IO[str] | None = None
) -> None:
    """Log to stderr (or `stream`) at `level` in `fmt`; the privacy floor applies at every
    level, DEBUG included (bot/ops/log_privacy.py)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet_libraries()


def quiet_libraries() -> None:
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    log_privacy.install()  # update contents never reach the log, whatever the level
