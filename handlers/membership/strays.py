"""What no feature takes: edited messages and buttons no route knows.

Telegram sends an `edited_message` when a person corrects something they already sent. The
bot acts on what was sent, never on the edit (a draft step already took the first text), so
in a private chat the person is told to send the correction as a new message; in groups
edits are ignored. A button whose data no handler's pattern matches (an old version, a forged
or truncated payload) is still answered, so the person's client stops waiting.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from handlers.context import BotContext, viewer


async def edited(update: Update, context: BotContext) -> None:
    """An edited message: say that edits are not read (private chats only)."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None or chat.type != ChatType.PRIVATE:
        return
    who = await viewer(update, context)
    if who is None:
        return
    await message.reply_text(
        who.t.gettext(
            "I do not read edited messages. Please send the corrected text as a new message."
        )
    )
