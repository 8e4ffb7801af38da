"""The staff desk's scheduled work: the card job posts the staff chat cards of new cases and
retries the posts and edits Telegram refused for a while (`handlers.desk.cards.sweep`).

The job reads the injected clock, so tests call `sweep_once` after travelling; the database
(`desk_cards`), not the scheduler, remembers what is owed.

At start-up a staff chat recorded as upgraded to a supergroup (`groups.moved_to`) is followed:
the running bot and the reminder engine use the new id, and a WARNING asks the operator to
update the config.
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.reminders import ENGINE_KEY
from handlers.context import SERVICES_KEY, BotApplication, Services
from handlers.desk import cards as staff_cards
from storage.membership import groups

log = logging.getLogger(__name__)

JOB_NAME = "desk-cards"
EVERY_SECONDS = 20


async def sweep_once(app: BotApplication) -> int:
    return await staff_cards.sweep(app.bot, app.bot_data[SERVICES_KEY], app.bot_data)


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    data = context.application.bot_data
    await staff_cards.sweep(context.bot, data[SERVICES_KEY], data)


async def follow_moved_staff_chat(app: BotApplication) -> int | None:
    """Use the staff chat's recorded new id, if it moved; returns it."""
    svc: Services = app.bot_data[SERVICES_KEY]
    configured = svc.settings.staff_chat
    moved = None if configured is None else await groups.moved_to(svc.db, configured)
    if configured is None or moved is None:
        return None
    staff_cards.follow_staff_chat(app.bot_data, moved)
    engine = app.bot_data.get(ENGINE_KEY)
    if engine is not None:
        engine.staff_chat = moved
    log.warning(
        "the staff chat %s became a supergroup with the id %s; the bot uses %s. Set"
        " [access] staff_chat = %s in the config.",
        configured,
        moved,
        moved,
        moved,
    )
    return moved


async def start(app: BotApplication) -> None:
    """Follow a moved staff chat; register the card job on the job queue (once, by name)."""
    await follow_moved_staff_chat(app)
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
