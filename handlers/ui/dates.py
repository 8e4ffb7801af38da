"""The campaign's local day, for handlers: the rule is domain's, the clock and zone the bot's."""

from __future__ import annotations

from datetime import date

from domain.ledger import deadlines
from handlers.context import BotContext


def local_today(context: BotContext) -> date:
    """Today in the campaign's time zone, by the injected clock."""
    services = context.services
    return deadlines.local_today(services.clock.now(), services.settings.timezone)
