"""Editing a message the bot sent before: pressing a button twice shows the same text again,
which Telegram refuses with "message is not modified" — that is no error for us."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest

_NOT_MODIFIED = "message is not modified"


def is_not_modified(error: BadRequest) -> bool:
    """Whether Telegram refused an edit only because nothing would change."""
    return str(error).lower().startswith(_NOT_MODIFIED)


async def edit_pressed(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Put `text` in the pressed message; the same text again (a double press) is no error."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if not is_not_modified(error):
            raise
