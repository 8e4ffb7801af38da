"""The opted-in push to a complainant: a notice without content ("there is news, read it with
/status"), sent to the chat sealed on the complaint. Kept apart from the staff card so that the
desk can tell a complainant without importing the card (which imports the desk's closing)."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from domain.hotline.rules import unseal_chat
from handlers.context import BotContext

log = logging.getLogger(__name__)


async def notify_author(context: BotContext, case_id: int, sealed: bytes | None) -> None:
    """Send the opted-in notice (no content: the complainant reads it with /status)."""
    if sealed is None:
        return
    chat = unseal_chat(context.services.settings.hotline.pepper, case_id, sealed)
    if chat is None:
        return
    t = context.services.catalogs.get(None)  # the staff's language: the notice names nobody
    try:
        await context.bot.send_message(
            chat,
            t.gettext(
                "There is news about your complaint. Send /status with your receipt to read it."
            ),
        )
    except TelegramError as error:
        log.warning("push notice not delivered: %s", type(error).__name__)
