"""The error handler: the bot keeps running, the person gets a short apology in their language,
and the log gets the exception and an opaque update id — never names, usernames or texts.

An exception's message can carry user text (a database error quotes its parameters), so only
Telegram's own error messages are logged; for anything else the log has the type and the
stack, which name code, not people.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext, viewer

log = logging.getLogger(__name__)


def redacted(error: BaseException) -> str:
    """The exception as it may appear in the log."""
    stack = "".join(traceback.format_tb(error.__traceback__)) if error.__traceback__ else ""
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    shown = f"{kind}: {error}" if isinstance(error, TelegramError) else kind
    cause = error.__cause__ or error.__context__
    if cause is not None and cause is not error:
        shown += f" (caused by {type(cause).__module__}.{type(cause).__qualname__})"
    return f"{shown}\n{stack}".rstrip()


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure without personal data and apologise to the person."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, redacted(error) if error else "unknown error")
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        who = await viewer(update, context)
    except Exception:  # the database itself may be what failed
        who = None
    t = who.t if who is not None else context.services.catalogs.get(None)
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            t.gettext("Sorry, something went wrong on our side. Please try again in a moment."),
        )
    except TelegramError as failure:
        log.warning("update %s: apology not delivered: %s", update_id, redacted(failure))
