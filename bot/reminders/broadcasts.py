"""Admins' broadcasts in the reminder engine, as one more rule source (`ReminderEngine.sources`):
confirming a broadcast wrote one outbox row per recipient; each sweep reports the rows still
unsent as due (so they are never cancelled as stale) and words each as a message of its own —
the announcement as the admin wrote it, under a one-line header in the recipient's language.

`EngineKick` is `Services.outbox`: a handler asks for a sweep now instead of at the next tick.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import Application

from domain.publish import broadcast as rules
from domain.reminders.digest import Pending
from domain.reminders.due import Due
from handlers.i18n import Translator
from storage.db import Database
from storage.publish import broadcasts

log = logging.getLogger(__name__)
ENGINE_KEY = "reminders"  # bot.reminders.ENGINE_KEY (not imported: that package imports this)


class BroadcastSource:
    """The broadcast rows for the sweep (see `bot.reminders.sweep.RuleSource`)."""

    rules: frozenset[str] = frozenset({rules.RULE})

    def __init__(self, db: Database) -> None:
        self.db = db
        self._texts: dict[int, str] = {}

    async def due(self, now: datetime) -> list[Due]:
        dues, self._texts = await broadcasts.unsent(self.db)
        return dues

    def compose(
        self, t: Translator, row: Pending, *, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        text = self._texts.get(rules.broadcast_of(row.subject) or 0, "")
        return t.gettext("📣 Announcement from the campaign office\n\n{text}", text=text), None


def attach(app: Application[Any, Any, Any, Any, Any, Any], db: Database) -> None:
    """Add the broadcast source to the started engine (bot/runtime.py, after reminders)."""
    engine = app.bot_data.get(ENGINE_KEY)
    if engine is not None:
        engine.sources.append(BroadcastSource(db))


class EngineKick:
    """Runs one sweep now in the background, tracked by the Application (awaited when it
    stops); the engine's lock keeps it from overlapping the job's sweep."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._app = app

    def kick(self) -> None:
        engine = self._app.bot_data.get(ENGINE_KEY)
        if engine is None:  # the engine is not started: the next tick sends
            return
        self._app.create_task(self._sweep(engine), name="reminder-kick")

    @staticmethod
    async def _sweep(engine: Any) -> None:
        try:
            await engine.sweep_once()
        except Exception:  # the next tick tries again; the outbox keeps what was done
            log.exception("reminder sweep (kicked) failed")
