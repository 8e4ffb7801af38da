"""The weekly brief's part of the reminder engine: a rule source the sweep asks whether this
week's brief to the staff chat is due (domain/brief.py), with its figures read once; its row
goes through the same outbox and paced sender as every reminder (quiet hours respected), one
row per week, and is sent with its pictures (every unit: one album when they are several)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from bot.reminders import engine_of
from domain.brief import BriefPolicy, brief_due, brief_week
from domain.campaign import Campaign
from domain.reminders.calendar import WorkCalendar
from domain.reminders.digest import Pending
from domain.reminders.due import Due, Rule
from domain.reminders.timing import Policy
from handlers.context import BotApplication
from handlers.i18n import Translator
from handlers.stats.brief import brief_pictures, brief_text
from storage.db import Database
from storage.reminders import outbox
from storage.stats import facts as stats_facts


class BriefSource:
    """The weekly brief, fed into the reminder engine."""

    rules = frozenset({Rule.WEEKLY_BRIEF.value})
    # Its row is written once per week and then left alone (the figures are not read again
    # on every sweep): sent until delivered, never cancelled as "no longer due".
    standing = True

    def __init__(
        self,
        *,
        db: Database,
        brief: BriefPolicy,
        campaign: Campaign,
        policy: Policy,
        calendar: WorkCalendar,
    ) -> None:
        self.db, self.brief, self.campaign = db, brief, campaign
        self.policy, self.calendar = policy, calendar

    async def due(self, now: datetime) -> list[Due]:
        week = brief_week(now, self.brief)
        if week is None:
            return []
        if await outbox.rows(self.db, rule=Rule.WEEKLY_BRIEF.value, slot=week[0]):
            return []  # this week's is written already
        facts = await stats_facts.facts(self.db, unit_id=None)
        return brief_due(
            now=now,
            policy=self.brief,
            campaign=self.campaign,
            cases=facts.cases,
            items=facts.items,
            units={uid: u.name for uid, u in facts.units.items()},
            expected=facts.listing_units,
            clocks=self.policy.case_clocks,
            cal=self.calendar,
        )

    def compose(
        self, t: Translator, row: Pending, *, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        return brief_text(t, row.payload), None

    async def pictures(self, t: Translator, row: Pending) -> tuple[bytes, ...]:
        return await asyncio.to_thread(brief_pictures, t, row.payload)


def start(app: BotApplication, brief: BriefPolicy) -> BriefSource | None:
    """Give the engine the brief's rule (none without a staff chat or when switched off)."""
    engine = engine_of(app)
    if engine.staff_chat is None or not brief.enabled:
        return None
    source = BriefSource(
        db=engine.db,
        brief=brief,
        campaign=engine.campaign,
        policy=engine.policy,
        calendar=engine.calendar,
    )
    engine.sources.append(source)
    return source
