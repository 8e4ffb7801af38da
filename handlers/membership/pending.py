"""Commands whose features are not built yet, and the rule that reports and complaints are
never collected in a group: there the bot offers a private chat instead."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from handlers.context import BotContext, viewer

# Features still to come; each later issue removes its command from here.
PENDING_COMMANDS: tuple[str, ...] = ()
# Start payloads that open a feature in the private chat (deep links from groups).
FEATURE_PAYLOADS: tuple[str, ...] = ("report", "complain")


async def not_available_yet(update: Update, context: BotContext) -> None:
    """Say plainly that the feature does not exist yet."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return
    await update.effective_message.reply_text(
        who.t.gettext("This feature is not available yet. Send /help to see what works now.")
    )


async def private_only(update: Update, context: BotContext) -> None:
    """In a group: never collect a report or complaint; offer a private chat instead."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    payload = command if command in FEATURE_PAYLOADS else "start"
    link = f"https://t.me/{context.bot.username}?start={payload}"
    t = who.t
    if command == "complain":
        text = t.gettext(
            "Complaints are never taken in a group: everyone here could see them. "
            "Open a private chat with me; your complaint is anonymous there."
        )
    else:
        text = t.gettext("Reports are taken in a private chat with me, not in the group.")
    button = InlineKeyboardButton(t.gettext("Open a private chat"), url=link)
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([[button]]))


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
