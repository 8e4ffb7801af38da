"""The reminder engine's wiring: build it from the config, recover the outbox, warn about
calendar years without data, and schedule the one recurring sweep on python-telegram-bot's
job queue (which runs only after `app.start()`).

`engine_of(app)` gives the engine, so tests and the demo can `await engine.sweep_once()`
after travelling the clock instead of waiting for the job.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram.ext import Application

from bot.reminders.calendar_source import calendar_warnings, campaign_years
from bot.reminders.pacer import PacedLimiter
from bot.reminders.sweep import ReminderEngine, SweepReport, telegram_send, telegram_send_pictures
from handlers.context import SERVICES_KEY, BotApplication, BotContext, Services

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger(__name__)
ENGINE_KEY = "reminders"
JOB_NAME = "reminder-sweep"

__all__ = ["ReminderEngine", "SweepReport", "engine_of", "start"]


def engine_of(app: Application[Any, Any, Any, Any, Any, Any]) -> ReminderEngine:
    engine = app.bot_data[ENGINE_KEY]
    assert isinstance(engine, ReminderEngine)
    return engine


async def _tick(context: BotContext) -> None:
    try:
        report = await engine_of(context.application).sweep_once()
    except Exception:  # the next tick tries again; the outbox keeps what was done
        log.exception("reminder sweep failed")
        return
    if report.recorded or report.sent or report.undeliverable:
        log.info(
            "reminder sweep: %d due, %d new, %d sent, %d retrying, %d undeliverable",
            report.due,
            report.recorded,
            report.sent,
            report.retrying,
            report.undeliverable,
        )


async def start(app: BotApplication, config: Config, *, schedule: bool = True) -> ReminderEngine:
    """Create the engine, put interrupted sends back to due, and schedule the sweep."""
    services: Services = app.bot_data[SERVICES_KEY]
    settings = services.settings
    years = campaign_years(config.campaign.start, config.campaign.end)
    for warning in calendar_warnings(years, settings.calendar):
        log.warning(warning)
    engine = ReminderEngine(
        db=services.db,
        clock=services.clock,
        campaign=settings.campaign,
        policy=settings.reminders,
        calendar=settings.calendar,
        catalogs=services.catalogs,
        staff_chat=settings.staff_chat,
        send=telegram_send(app.bot),
        send_pictures=telegram_send_pictures(app.bot),
        max_attempts=config.reminders.max_send_attempts,
        # The bot's one pacer (bot/app.py): reminders and answers share one count.
        pacer=limiter.pacer if isinstance(limiter := app.bot.rate_limiter, PacedLimiter) else None,
    )
    app.bot_data[ENGINE_KEY] = engine
    recovered = await engine.recover()
    if recovered:
        log.info("reminders: %d interrupted sends back in the queue", recovered)
    if schedule and app.job_queue is not None:
        app.job_queue.run_repeating(
            _tick,
            interval=config.reminders.sweep_interval_seconds,
            first=config.reminders.sweep_interval_seconds,
            name=JOB_NAME,
            # A tick late by up to this much still runs; missed ticks collapse into one
            # (the sweep computes everything due from the data anyway).
            job_kwargs={
                "misfire_grace_time": config.reminders.misfire_grace_seconds,
                "coalesce": True,
                "max_instances": 1,
            },
        )
    return engine
