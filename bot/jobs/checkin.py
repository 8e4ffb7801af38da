"""The "124" duty's part of the reminder engine: a rule source the sweep asks for the duty's
due reminders (evening calls, the next morning's missing list, the weekly summary) and for
their words. Its rows go through the same outbox and sender as every reminder: durable,
keyed, sent once. `start` also hands the duty policy to the handlers (`bot_data`)."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from bot.config import Config
from bot.reminders import engine_of
from domain.duties.checkin import DutyPolicy, duty_reminders, facts_window
from domain.reminders.calendar import WorkCalendar
from domain.reminders.digest import Pending
from domain.reminders.due import Due, Rule
from handlers.context import BotApplication
from handlers.duties import texts as checkin_texts
from handlers.duties.common import POLICY_KEY
from handlers.i18n import Translator
from storage.db import Database
from storage.duties import checkins


class DutySource:
    """The duty's rules, fed into the reminder engine."""

    rules = frozenset({Rule.CHECKIN.value, Rule.CHECKIN_MISSING.value, Rule.CHECKIN_WEEKLY.value})

    def __init__(
        self, *, db: Database, policy: DutyPolicy, calendar: WorkCalendar, staff: bool
    ) -> None:
        self.db, self.policy, self.calendar, self.staff = db, policy, calendar, staff

    async def due(self, now: datetime) -> list[Due]:
        first, last = facts_window(now, self.policy)
        facts = await checkins.duty_facts(self.db, first, last, tz=self.policy.timezone)
        return duty_reminders(
            facts, now=now, policy=self.policy, cal=self.calendar, staff=self.staff
        )

    def compose(
        self, t: Translator, row: Pending, *, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        return checkin_texts.compose(t, row, today=today)


def start(app: BotApplication, config: Config) -> DutySource:
    """Give the handlers the duty policy and the engine the duty's rules."""
    engine = engine_of(app)
    policy = config.checkin.policy(config.campaign.tz)
    app.bot_data[POLICY_KEY] = policy
    source = DutySource(
        db=engine.db, policy=policy, calendar=engine.calendar, staff=engine.staff_chat is not None
    )
    engine.sources.append(source)
    return source
