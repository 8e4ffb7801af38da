"""The hotline's scheduled work: the daily retention purge of closed complaints, and the
throttles' counts and same-text fingerprints of earlier days forgotten.

The job reads the injected clock, so tests call `purge_once` with a travelled clock; the
database, not the scheduler, decides what is due (a missed night is caught up the next).
"""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import ContextTypes

from bot.config import Config
from domain.hotline.rules import purge_cutoff
from handlers.context import SERVICES_KEY, BotApplication, Services
from storage.cases import complaint_staff, throttles
from storage.cases.complaint_staff import PurgeResult

log = logging.getLogger(__name__)
JOB_NAME = "hotline-purge"
PURGE_AT = time(3, 30)  # local time: a quiet hour


async def purge_once(services: Services, *, dry_run: bool = False) -> PurgeResult:
    """Purge what the retention period allows today (or only count it)."""
    policy = services.settings.hotline
    today = services.clock.now().astimezone(services.settings.timezone).date()
    await throttles.forget_before(services.db, today)  # yesterday's counts and fingerprints
    result = await complaint_staff.purge(
        services.db,
        before=purge_cutoff(today, policy.retention_days),
        today=today,
        dry_run=dry_run,
    )
    if result.purged or result.held:
        log.info(
            "hotline purge: %d complaint(s) %s, %d on legal hold",
            result.purged,
            "due" if dry_run else "purged",
            result.held,
        )
    return result


async def _purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await purge_once(context.application.bot_data[SERVICES_KEY])


async def start(app: BotApplication, config: Config) -> None:
    """Register the daily purge on the job queue (once, by name)."""
    queue = app.job_queue
    if queue is None or queue.get_jobs_by_name(JOB_NAME):
        return
    queue.run_daily(
        _purge_job,
        time=PURGE_AT.replace(tzinfo=config.campaign.tz),
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": 6 * 3600, "coalesce": True},
    )
