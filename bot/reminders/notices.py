"""The loop's notices in the reminder engine, as one more rule source (`ReminderEngine.sources`):
each step of a case's loop wrote its notices into the outbox in its own transaction
(`storage.cases.loop`); they stand until sent (a sweep that evaluated before their commit
does not cancel them) and each is worded in its recipient's language (`handlers.desk.loop`).
A district head's chase of a school (`storage.ledger.chases`) is such a notice too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import Application

from domain.reminders.digest import Pending
from domain.reminders.due import Due, Rule
from handlers.desk.loop import compose_notice
from handlers.i18n import Translator
from handlers.ledger.chase import compose_chase

ENGINE_KEY = "reminders"  # bot.reminders.ENGINE_KEY (not imported: that package imports this)


class NoticeSource:
    """The loop's notice rows for the sweep (see `bot.reminders.sweep.RuleSource`)."""

    rules: frozenset[str] = frozenset({Rule.CASE_NOTICE.value, Rule.DISTRICT_CHASE.value})
    standing = True  # written with the step they tell of; a sweep never cancels them

    async def due(self, now: datetime) -> list[Due]:
        return []  # nothing to decide: the steps wrote their rows already

    def compose(
        self, t: Translator, row: Pending, *, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        if row.rule == Rule.DISTRICT_CHASE:
            return compose_chase(t, row, today=today)
        return compose_notice(t, row)


def attach(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the notice source to the started engine (bot/runtime.py, after reminders)."""
    engine = app.bot_data.get(ENGINE_KEY)
    if engine is not None:
        engine.sources.append(NoticeSource())
