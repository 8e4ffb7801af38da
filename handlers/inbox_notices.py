"""What the inbox's actions tell people after the commit: the reporter gets the owner's
reply in their language; a handler gets the case transferred to them."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from handlers.context import Viewer
from handlers.i18n import Catalogs, escape
from storage.desk import DeskResult

log = logging.getLogger(__name__)


async def send_reply_to_reporter(
    bot: Bot, catalogs: Catalogs, result: DeskResult, body: str
) -> bool:
    """The owner's answer, in the reporter's language; False when it could not be sent."""
    change = result.change
    if change is None or change.reporter_telegram_id is None:
        return False
    t = catalogs.get(change.reporter_language)
    text = (
        t.gettext("Reply to your report {number}:", number=change.number)
        + "\n\n"
        + escape(body)
        + "\n\n"
        + t.gettext("Send /mine to see all your reports.")
    )
    try:
        await bot.send_message(change.reporter_telegram_id, text)
    except TelegramError as error:
        log.info("reply on case %s not delivered: %s", change.case_id, type(error).__name__)
        return False
    return True


async def tell_new_owner(
    bot: Bot, catalogs: Catalogs, result: DeskResult, who: Viewer, reason: str
) -> None:
    owner, change = result.new_owner, result.change
    if owner is None or change is None:
        return
    t = catalogs.get(owner.language)
    name = who.membership.member.display_name if who.membership is not None else ""
    text = t.gettext(
        "{name} transferred {number} to you. Reason: {reason}\nOpen it from /inbox (Mine).",
        name=name,
        number=change.number,
        reason=reason,
    )
    try:
        await bot.send_message(owner.telegram_user_id, text)
    except TelegramError as error:
        log.info("transfer notice for %s not delivered: %s", change.case_id, type(error).__name__)
