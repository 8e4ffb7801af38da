"""Running the bot: migrations, start-up, polling, and a clean stop — one path shared by
`python -m bot run`, the demo and the end-to-end tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import evidence as evidence_copy
from bot import keyring, leadership, menu, persistence, reminders
from bot.app import build_application
from bot.config import Config
from bot.jobs import brief as brief_jobs
from bot.jobs import checkin as checkin_jobs
from bot.jobs import desk as desk_jobs
from bot.jobs import forms as forms_jobs
from bot.jobs import hotline as hotline_jobs
from bot.jobs import rating as rating_jobs
from bot.ops import logs, reach
from bot.reminders import broadcasts, notices
from bot.updates import webhook
from domain.clock import Clock
from handlers.context import SERVICES_KEY, BotApplication, Services
from storage import migrate
from storage.db import Database
from storage.ops import processed_updates

log = logging.getLogger(__name__)


@asynccontextmanager
async def running(
    config: Config,
    *,
    clock: Clock,
    db: Database | None = None,
    poll_timeout: int = 10,
) -> AsyncIterator[BotApplication]:
    """Migrate the database, start the bot and poll until the block ends."""
    logs.quiet_libraries()
    own_db = db is None
    database = db or Database(config.storage.url)
    wait = None if config.ha.enabled else config.storage.connect_wait_seconds
    lease = leadership.Lease(database, config.ha, connect_wait=wait)
    try:
        await lease.acquire()  # a standby waits here; only the active process goes on
        before, after = await migrate.upgrade(database)
        if before != after:
            log.info("database migrated from %s to %s", before or "empty", after)
        app = build_application(config, db=database, clock=clock)
        await keyring.attach(database, config, app.bot_data[SERVICES_KEY].settings.hotline)
        evidence_copy.attach(database, config)
        # A restart is a start after a bot handled updates here (not after a bare migration).
        used_before = before is not None and await processed_updates.any_handled(database)
        persistence.on_start(app, clock, used_before=used_before)
        await reach.initialize(app, config.telegram)  # retried while Telegram is away
        try:
            services: Services = app.bot_data[SERVICES_KEY]
            await menu.publish(app.bot, services.catalogs, services.db, services.settings.admins)
            await app.start()
            await reminders.start(app, config)
            checkin_jobs.start(app, config)
            forms_jobs.start(app)
            brief_jobs.start(app, config.brief.policy(config.campaign.tz))
            broadcasts.attach(app, database)
            notices.attach(app)
            await hotline_jobs.start(app, config)
            await desk_jobs.start(app)
            rating_jobs.start(app, config)
            evidence_copy.start(app, config)
            try:
                async with (
                    webhook.http_server(app, config),
                    webhook.receiving(app, config, poll_timeout=poll_timeout) as mode,
                ):
                    log.info(
                        "ready: @%s %s, database %s at migration %s",
                        app.bot.username,
                        mode,
                        database.dialect,
                        after,
                    )
                    lease.guard(app)  # losing the lock stops the updates at once
                    yield app
            finally:
                if app.running:
                    await app.stop()
        finally:
            await app.shutdown()
    finally:
        database.files = None
        await keyring.detach(database)
        await lease.release()
        if own_db:
            await database.dispose()
