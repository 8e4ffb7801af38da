"""/help: exactly the commands the person's role and duty marks allow, each with one line."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext, viewer
from handlers.ui import menu
from handlers.ui.labels import command_description, role_label


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands this person may use (and put the same ones in their menu)."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    t, svc = who.t, context.services
    standing = await menu.standing(svc.db, svc.settings.admins, who.telegram_user_id)
    lines = [f"/{command} — {command_description(t, command)}" for command in standing.commands()]
    if standing.role is None:
        heading = t.gettext("Commands you can use:")
    else:
        heading = t.gettext("Commands you can use as {role}:", role=role_label(t, standing.role))
    await menu.refresh_own(update, context)
    await update.effective_message.reply_text(heading + "\n" + "\n".join(lines))
