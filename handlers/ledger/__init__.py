"""The rectification ledger (整改台账): /ledger, adding and changing items, sign-off,
verification."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.features import FeatureHandlers
from handlers.ledger import pickers

# The draft of an item being added or changed survives a restart (the conversation is
# persistent).
PERSISTENT_KEYS: tuple[str, ...] = (pickers.DRAFT_KEY,)


def handlers() -> FeatureHandlers:
    """Adding and changing items (a conversation its buttons open); /ledger and its buttons."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.ledger import board, extensions, flow, views

    return FeatureHandlers(
        conversations=[flow.build()],
        routes=[
            CommandHandler("ledger", board.show_ledger),
            CallbackQueryHandler(board.on_button, pattern=views.PATTERN),
            CallbackQueryHandler(extensions.on_button, pattern=extensions.PATTERN),
        ],
    )
