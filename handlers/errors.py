"""The error handler: the bot keeps running, the person gets a short apology in their language,
and the log gets the exception and an opaque update id — never names, usernames or texts.

When the database is out of reach (a restart, a network cut: `storage.db.is_unavailable`) the
apology says so and asks to send again in a moment; the language then comes from the process
or the person's Telegram app, since the member's choice lives in the database. One apology per
update, however many handler groups failed with it.

An exception's message can carry user text (a database error quotes its parameters), so only
Telegram's own error messages are logged; for anything else the log has the type and the
stack, which name code, not people.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections import deque

from telegram import Update
from telegram.error import TelegramError

from handlers.context import LANGUAGE_KEY, BotContext, viewer
from handlers.i18n import LANGUAGES, Translator
from storage.db import is_unavailable

log = logging.getLogger(__name__)
ANSWERED_KEY = "errors:answered"  # in bot_data: the last updates that got an apology


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
    database_away = (
        error is not None and not isinstance(error, TelegramError) and is_unavailable(error)
    )
    who = None
    if not database_away:
        try:
            who = await viewer(update, context)
        except Exception:  # the database itself may be what failed
            database_away = True
    t = who.t if who is not None else _fallback_translator(update, context)
    if database_away:
        text = t.gettext(
            "The database is briefly out of reach, so this was not done. "
            "Please send it again in a moment."
        )
    else:
        text = t.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    if _answered_before(context, update.update_id):
        return  # a later handler group failed too (the database is away for all of them)
    if database_away and update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # stop the button's spinner
            await update.callback_query.answer()
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as failure:
        log.warning("update %s: apology not delivered: %s", update_id, redacted(failure))


def _answered_before(context: BotContext, update_id: int) -> bool:
    """Whether this update already got its one apology; remembers it if not."""
    answered = context.application.bot_data.setdefault(ANSWERED_KEY, deque(maxlen=512))
    if update_id in answered:
        return True
    answered.append(update_id)
    return False


def _fallback_translator(update: Update, context: BotContext) -> Translator:
    """The person's language without the database: a language chosen in this process, else
    what their Telegram app says (English or Chinese), else the campaign's."""
    catalogs = context.services.catalogs
    chosen = context.user_data.get(LANGUAGE_KEY) if context.user_data is not None else None
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return catalogs.get(chosen)
    user = update.effective_user
    code = (user.language_code or "").lower() if user is not None else ""
    if code.startswith("en"):
        return catalogs.get("en")
    if code.startswith("zh"):
        return catalogs.get("zh_CN")
    return catalogs.get(None)
