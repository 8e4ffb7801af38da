"""The rating job: when a campaign phase has ended, every unit's rating at its last day is
stored (`phase_ratings`), once, so later edits of the ledger do not rewrite history.

It runs daily just after local midnight (a phase ends at the end of its last day). The
database, not the scheduler, is the memory: each run stores the ended phases that have no
ratings yet, so a run missed while the bot was down is caught up by the next one, and a phase
is never rated twice (the phase key is the table's key). Until then `/stats` computes the
same rating on the spot. The job reads the injected clock; tests call `store_once` after
travelling.
"""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import ContextTypes

from bot.config import Config
from domain.duties.checkin import DutyPolicy
from handlers.context import SERVICES_KEY, BotApplication, Services
from handlers.stats.rating import store_ended_phases

log = logging.getLogger(__name__)
JOB_NAME = "phase-ratings"
RUN_AT = time(0, 20)  # local time: the night after a phase's last day


async def store_once(services: Services, policy: DutyPolicy) -> list[str]:
    """Store the ratings of the phases that ended and have none yet; the phases stored."""
    stored = await store_ended_phases(services, policy, now=services.clock.now())
    if stored:
        log.info("phase ratings stored: %s", ", ".join(stored))
    return stored


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    policy = context.job.data if context.job is not None else None
    if isinstance(policy, DutyPolicy):
        await store_once(context.application.bot_data[SERVICES_KEY], policy)


def start(app: BotApplication, config: Config) -> None:
    """Register the job on the job queue (once, by name)."""
    queue = app.job_queue
    if queue is None or queue.get_jobs_by_name(JOB_NAME):
        return
    queue.run_daily(
        _job,
        time=RUN_AT.replace(tzinfo=config.campaign.tz),
        name=JOB_NAME,
        data=config.checkin.policy(config.campaign.tz),
        job_kwargs={"misfire_grace_time": 12 * 3600, "coalesce": True},
    )
