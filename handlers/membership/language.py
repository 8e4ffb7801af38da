"""/language: switch between Simplified Chinese and English; the choice is kept for members
(and used for their reminders), and for the session of anyone else."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers.context import LANGUAGE_KEY, BotContext, viewer
from handlers.i18n import LANGUAGES
from handlers.ui import menu
from handlers.ui.callbacks import Route, pressed
from handlers.ui.labels import LANGUAGE_NAMES
from handlers.ui.presses import neutral
from storage.membership import members

ROUTE = Route("lang")
CALLBACK_PATTERN = ROUTE.pattern


async def ask_language(update: Update, context: BotContext) -> None:
    """Offer the languages as buttons."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    buttons = [ROUTE.button(LANGUAGE_NAMES[code], "set", code) for code in LANGUAGES]
    await update.effective_message.reply_text(
        who.t.gettext("Choose your language:"), reply_markup=InlineKeyboardMarkup([buttons])
    )


async def choose_language(update: Update, context: BotContext) -> None:
    """Store the chosen language and confirm in it."""
    query, press = update.callback_query, pressed(update)
    if query is None:
        return
    svc = context.services
    code = press.value if press is not None and press.action == "set" else ""
    if code not in LANGUAGES:  # callback data is never trusted: an old or forged button
        who = await viewer(update, context)
        await query.answer(neutral(who.t) if who else None)
        return
    is_member = await members.set_language(
        svc.db, telegram_user_id=query.from_user.id, language=code, now=svc.clock.now()
    )
    if not is_member and context.user_data is not None:
        context.user_data[LANGUAGE_KEY] = code
    t = svc.catalogs.get(code)
    await menu.refresh_own(update, context)
    await query.answer()
    await query.edit_message_text(
        t.gettext("Language set: {language}.", language=LANGUAGE_NAMES[code])
    )
