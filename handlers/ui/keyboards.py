"""Inline keyboards: laying buttons out in rows, and taking them off a pressed message."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update


def rows_of(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> InlineKeyboardMarkup:
    """The buttons, `per_row` to a row."""
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The non-empty rows as a keyboard."""
    return InlineKeyboardMarkup([row for row in rows if row])


async def close_keyboard(update: Update) -> None:
    """Take the buttons off the pressed message, keeping its text.

    (Not `edit_message_reply_markup`: with `Defaults(parse_mode=...)` python-telegram-bot 22
    sends a `parse_mode` that method does not have, which the Bot API simulator refuses.)
    """
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.text is None:
        return
    await query.edit_message_text(message.text_html)
