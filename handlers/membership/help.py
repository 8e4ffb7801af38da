"""/help: the commands the person's role allows, each with one line."""

from __future__ import annotations

from telegram import Update

from domain.membership.roles import commands_for
from handlers.context import BotContext, viewer
from handlers.ui.labels import command_description, role_label


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands this person may use."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    t = who.t
    lines = [
        f"/{command} — {command_description(t, command)}" for command in commands_for(who.role)
    ]
    if who.role is None:
        heading = t.gettext("Commands you can use:")
    else:
        heading = t.gettext("Commands you can use as {role}:", role=role_label(t, who.role))
    await update.effective_message.reply_text(heading + "\n" + "\n".join(lines))
