"""Telling a reporter that their report's status changed (called by the staff desk after
`storage.cases.reports.set_status` committed a move)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from handlers.i18n import Catalogs
from handlers.ui.labels import status_label
from storage.cases.reports import StatusChange

log = logging.getLogger(__name__)


async def notify_reporter(bot: Bot, catalogs: Catalogs, change: StatusChange) -> bool:
    """Send "your report R-… is now …" in the reporter's language; False if not sent."""
    if not change.changed or change.reporter_telegram_id is None:
        return False
    t = catalogs.get(change.reporter_language)
    text = (
        t.gettext(
            "Your report {number} is now: {status}.",
            number=change.number,
            status=status_label(t, change.to_status),
        )
        + "\n"
        + t.gettext("Send /mine to see all your reports.")
    )
    try:
        await bot.send_message(change.reporter_telegram_id, text)
    except Forbidden:
        log.info("report status notice for case %s: reporter blocked the bot", change.case_id)
        return False
    except TelegramError as exc:
        log.warning(
            "report status notice for case %s failed: %s", change.case_id, type(exc).__name__
        )
        return False
    return True
