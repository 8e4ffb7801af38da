"""The forms' part of the reminder engine: a rule source the sweep asks for the forms' due
reminders (the ladder before a period's due day and the late notice to those who have not
answered, the missing list to the staff chat, staff chases) and for their words. Its rows go
through the same outbox and paced sender as every reminder: durable, keyed, sent once."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from bot.reminders import engine_of
from domain.campaign import Campaign
from domain.forms.definitions import FormCatalog
from domain.forms.rules import form_reminders
from domain.reminders.calendar import WorkCalendar
from domain.reminders.digest import Pending
from domain.reminders.due import Due, Rule
from domain.reminders.timing import Policy, local_day
from handlers.context import SERVICES_KEY, BotApplication, Services
from handlers.forms import texts
from handlers.i18n import Translator
from storage.db import Database
from storage.forms import chases


class FormSource:
    """The forms' rules, fed into the reminder engine."""

    rules = frozenset({Rule.FORM_DUE.value, Rule.FORM_MISSING.value, Rule.FORM_CHASE.value})

    def __init__(
        self,
        *,
        db: Database,
        forms: FormCatalog,
        campaign: Campaign,
        policy: Policy,
        calendar: WorkCalendar,
        staff: bool,
    ) -> None:
        self.db, self.forms, self.campaign = db, forms, campaign
        self.policy, self.calendar, self.staff = policy, calendar, staff

    async def due(self, now: datetime) -> list[Due]:
        today = local_day(now, self.policy)
        facts = await chases.facts(self.db, self.forms, today=today, campaign=self.campaign)
        return form_reminders(
            facts, now=now, policy=self.policy, cal=self.calendar, staff=self.staff
        )

    def compose(
        self, t: Translator, row: Pending, *, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        return texts.compose(t, row, today=today, forms=self.forms)


def start(app: BotApplication) -> FormSource | None:
    """Give the engine the forms' rules (none configured: nothing to add)."""
    services: Services = app.bot_data[SERVICES_KEY]
    settings = services.settings
    if not settings.forms.forms:
        return None
    engine = engine_of(app)
    source = FormSource(
        db=engine.db,
        forms=settings.forms,
        campaign=settings.campaign,
        policy=engine.policy,
        calendar=engine.calendar,
        staff=engine.staff_chat is not None,
    )
    engine.sources.append(source)
    return source
