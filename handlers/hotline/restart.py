"""After a restart: the anonymous complaint's draft is gone on purpose (it is never written
anywhere, so nothing ties a complainant to it), and whoever was writing one is told so.

Nothing about the person is kept to know they were complaining: a complaint button pressed on a
message sent before the restart says it plainly; any stray text in the first half hour
after a restart (the complaint form's own timeout) gets the same notice, worded for everyone.
`bot.runtime` puts the `Restart` mark in `bot_data` only when the database was used before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Message, Update

from handlers.context import BotContext, viewer
from handlers.hotline import complain
from handlers.membership import cancel
from handlers.ui.presses import stale_button

RESTART_KEY = "restart"
WINDOW = timedelta(seconds=complain.TIMEOUT_SECONDS)


@dataclass(frozen=True)
class Restart:
    """When this process started: on the campaign clock and on Telegram's (wall) clock."""

    clock_at: datetime
    wall_at: datetime


def _restart(context: BotContext) -> Restart | None:
    found = context.application.bot_data.get(RESTART_KEY)
    return found if isinstance(found, Restart) else None


def _recent(context: BotContext) -> bool:
    mark = _restart(context)
    return mark is not None and context.services.clock.now() - mark.clock_at < WINDOW


async def complaint_button(update: Update, context: BotContext) -> None:
    """A complaint form's button pressed after the form was lost to a restart."""
    query, mark = update.callback_query, _restart(context)
    message = query.message if query is not None else None
    before_restart = (
        mark is not None and isinstance(message, Message) and message.date < mark.wall_at
    )
    who = await viewer(update, context)
    if query is None or who is None or not before_restart:
        await stale_button(update, context)
        return
    text = who.t.gettext(
        "The bot was restarted. Your complaint draft was not kept, for your protection: "
        "nothing of it was stored. Send /complain to start again."
    )
    await query.answer(text, show_alert=True)


async def stray_message(update: Update, context: BotContext) -> None:
    """A message outside any conversation: right after a restart it may belong to a lost
    complaint draft, so say what happened; otherwise answer as usual."""
    message = update.effective_message
    if not _recent(context):
        await cancel.stray_text(update, context)
        return
    who = await viewer(update, context)
    if who is None or message is None:
        return
    await message.reply_text(
        who.t.gettext(
            "The bot was restarted a moment ago. If you were writing an anonymous complaint, "
            "its draft was not kept, for your protection: send /complain to start again. "
            "Otherwise, send /help to see what you can do."
        )
    )
