"""Running the bot: migrations, start-up, polling, and a clean stop — one path shared by
`python -m bot run`, the demo and the end-to-end tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import hotline_jobs, logs, menu, reminders
from bot.app import build_application
from bot.config import Config
from domain.clock import Clock
from handlers.context import SERVICES_KEY, BotApplication, Services
from storage import migrate
from storage.db import Database

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
    try:
        before, after = await migrate.upgrade(database)
        if before != after:
            log.info("database migrated from %s to %s", before or "empty", after)
        app = build_application(config, db=database, clock=clock)
        await app.initialize()
        try:
            services: Services = app.bot_data[SERVICES_KEY]
            await menu.publish(app.bot, services.catalogs)
            await app.start()
            await reminders.start(app, config)
            await hotline_jobs.start(app, config)
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0, timeout=poll_timeout, drop_pending_updates=False
            )
            log.info(
                "ready: @%s polling, database %s at migration %s",
                app.bot.username,
                database.dialect,
                after,
            )
            try:
                yield app
            finally:
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
        finally:
            await app.shutdown()
    finally:
        if own_db:
            await database.dispose()
