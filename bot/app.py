"""The composition root: builds the python-telegram-bot Application from the config, the
database and a clock, registers the handlers in order and the error handler."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import evidence as evidence_copy
from bot.config import Config
from bot.config.forms import catalog as forms_catalog
from bot.config.hotline import hotline_policy
from bot.ops import health, metrics
from bot.persistence import DatabasePersistence, exactly_once_handlers
from bot.reminders.broadcasts import EngineKick
from bot.reminders.calendar_source import campaign_years, working_calendar
from bot.reminders.pacer import PacedLimiter, Pacer
from bot.spec_bot import SpecBot
from bot.updates import transport
from domain import campaign as domain_campaign
from domain.clock import Clock
from handlers import build_handlers
from handlers.context import SERVICES_KEY, BotApplication, BotContext, Services, Settings
from handlers.errors import on_error
from handlers.i18n import Catalogs
from storage.db import Database

# Updates of different users handled at once; each user's and chat's stay in order.
CONCURRENT_UPDATES = 64
# Connections to the Bot API (bot/updates/transport.py). A call finding all in use waits up to
# POOL_WAIT seconds for one instead of failing.
CONNECTIONS = 32
POOL_WAIT = 30.0


def campaign_from(config: Config) -> domain_campaign.Campaign:
    """The campaign as plain data for handlers and rules."""
    c = config.campaign
    return domain_campaign.Campaign(
        name=c.name,
        name_en=c.name_en,
        phases=tuple(
            domain_campaign.Phase(
                key=p.key,
                name=p.name,
                name_en=p.name_en,
                start=p.start,
                end=p.end,
                description=p.description,
                description_en=p.description_en,
            )
            for p in c.phases
        ),
        deadlines=tuple(
            domain_campaign.Deadline(
                key=d.key, name=d.name, name_en=d.name_en, due=d.due, audience=d.audience
            )
            for d in c.deadlines
        ),
        categories=tuple(
            domain_campaign.Category(
                key=k.key,
                name=k.name,
                name_en=k.name_en,
                description=k.description,
                description_en=k.description_en,
                items=tuple(k.items),
                items_en=tuple(k.items_en) if k.items_en else None,
            )
            for k in config.categories
        ),
    )


def settings_from(config: Config) -> Settings:
    """The part of the config that handlers read."""
    return Settings(
        campaign=campaign_from(config),
        admins=frozenset(config.access.admins),
        staff_chat=config.access.staff_chat,
        default_language=config.campaign.language,
        timezone=config.campaign.tz,
        text_max_chars=config.limits.text_max_chars,
        name_max_chars=config.limits.name_max_chars,
        invite_ttl=timedelta(days=config.invites.ttl_days),
        invite_max_uses=config.invites.max_uses,
        evidence=config.reports.evidence_rules(),
        occurred_max_chars=config.reports.occurred_max_chars,
        hotline=hotline_policy(config.hotline),
        reminders=config.reminders.policy(config.campaign.tz),
        calendar=working_calendar(
            campaign_years(config.campaign.start, config.campaign.end),
            config.reminders.calendar_file,
        ),
        unit_rating=config.rating.rules(),
        publication_channel=config.publication.channel,
        private_notes=config.desk.private_notes,
        handlings=config.accountability.domain_handlings(),
        superiors=dict(config.accountability.superiors),
        forms=forms_catalog(config.forms),
    )


def build_application(
    config: Config,
    *,
    db: Database,
    clock: Clock,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> BotApplication:
    """An Application wired to our services, not yet initialised."""
    catalogs = Catalogs(default_language=config.campaign.language, timezone=config.campaign.tz)
    services = Services(db=db, clock=clock, settings=settings_from(config), catalogs=catalogs)
    counters = metrics.Counters()
    proxy = config.telegram.proxy
    bot = SpecBot(
        config.telegram.token.get_secret_value(),
        base_url=config.telegram.base_url,
        base_file_url=config.telegram.base_file_url,
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=config.campaign.tz),
        # Telegram refusing a step done before counts as done (bot/updates/transport.py).
        request=request or transport.application_request(CONNECTIONS, POOL_WAIT, proxy=proxy),
        # Drops updates the poller already took from getUpdates answers (the same module).
        get_updates_request=get_updates_request or transport.updates_request(proxy=proxy),
        # One pacer for every message the bot sends: answers, staff cards and their edits,
        # group messages; the reminder engine sends through the same one (bot/reminders).
        rate_limiter=PacedLimiter(Pacer(speed=config.telegram.pace_speed)),
    )
    builder: Any = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(metrics.CountingProcessor(counters, CONCURRENT_UPDATES))
        .persistence(DatabasePersistence(db, clock))
    )
    app: BotApplication = builder.build()
    # The outbox kick needs the app (its task tracking), so it joins the services here.
    app.bot_data[SERVICES_KEY] = replace(
        services, outbox=EngineKick(app), files=evidence_copy.FilesKick(app)
    )
    for group, handler in [*build_handlers(), *exactly_once_handlers()]:
        app.add_handler(handler, group)
    app.add_error_handler(on_error)
    metrics.install(app, counters)  # after on_error: counts what reached it
    health.install(
        app,
        health.HealthState(
            db=db, db_timeout=config.ops.db_timeout_seconds, mode=config.telegram.mode
        ),
    )
    return app
