"""The staff desk's scheduled work: the card job posts the staff chat cards of new cases and
retries the posts and edits Telegram refused for a while (`handlers.desk.cards.sweep`).

The job reads the injected clock, so tests call `sweep_once` after travelling; the database
(`desk_cards`), not the scheduler, remembers what is owed.
"""

from __future__ import annotations

from telegram.ext import ContextTypes

from handlers.context import SERVICES_KEY, BotApplication
from handlers.desk import cards as staff_cards

JOB_NAME = "desk-cards"
EVERY_SECONDS = 20


async def sweep_once(app: BotApplication) -> int:
    return await staff_cards.sweep(app.bot, app.bot_data[SERVICES_KEY])


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await staff_cards.sweep(context.bot, context.application.bot_data[SERVICES_KEY])


async def start(app: BotApplication) -> None:
    """Register the card job on the job queue (once, by name)."""
    queue = app.job_queue
    if queue is None or queue.get_jobs_by_name(JOB_NAME):
        return
    queue.run_repeating(
        _job,
        interval=EVERY_SECONDS,
        first=EVERY_SECONDS,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": EVERY_SECONDS * 3, "coalesce": True},
    )
