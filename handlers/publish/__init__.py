"""Publishing: the honour roll and exposure board (/publish) and broadcasts."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.features import FeatureHandlers

PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """Admins: the honour roll / exposure board and broadcasts, with the answers to their
    prompts."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.publish import actions, board, broadcast, texts

    private = filters.ChatType.PRIVATE
    return FeatureHandlers(
        routes=[
            CommandHandler("publish", board.show_menu),
            CommandHandler("published", actions.show_published),
            CallbackQueryHandler(actions.on_button, pattern=texts.CALLBACK_PATTERN),
            MessageHandler(board.PROMPT_REPLY & filters.TEXT & private, board.on_summary),
            CommandHandler("broadcast", broadcast.start_broadcast),
            CallbackQueryHandler(broadcast.on_button, pattern=broadcast.CALLBACK_PATTERN),
            MessageHandler(broadcast.PROMPT_REPLY & filters.TEXT & private, broadcast.on_text),
        ]
    )
