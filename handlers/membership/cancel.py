"""/cancel outside any conversation: nothing is running, and the person is told so.

Each conversation has its own /cancel fallback, registered before this one."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext, viewer


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """Say that there was nothing to stop."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    await update.effective_message.reply_text(who.t.gettext("Nothing to cancel."))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    await update.effective_message.reply_text(
        who.t.gettext("I don't know that command. Send /help to see what you can do.")
    )


async def stray_text(update: Update, context: BotContext) -> None:
    """Text outside any conversation: point to /help instead of silently dropping it."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    await update.effective_message.reply_text(
        who.t.gettext("I only understand commands here. Send /help to see what you can do.")
    )
