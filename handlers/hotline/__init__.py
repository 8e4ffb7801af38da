"""The anonymous complaint hotline (投诉): /complain, /status with the receipt, the staff card of a
complaint.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.features import FeatureHandlers
from handlers.ui.presses import stale_button

# Nothing: a complaint's draft lives in chat_data, which is never stored, and its conversation
# is not persistent, so no row ties a complainant to anything.
PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """/complain and /status, then their buttons pressed after they ended (a complaint form lost
    to a restart says so; otherwise "no longer active"); the staff card of a complaint: its
    buttons and the answers to its prompts."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.hotline import card, complain, restart, status

    return FeatureHandlers(
        conversations=[
            complain.build(),
            status.build(),
            CallbackQueryHandler(restart.complaint_button, pattern=r"^complain:"),
            CallbackQueryHandler(stale_button, pattern=r"^status:"),
        ],
        routes=[
            CallbackQueryHandler(card.on_button, pattern=r"^hotline:v1:"),
            MessageHandler(
                card.PROMPT_REPLY & filters.TEXT & filters.ChatType.GROUPS, card.on_prompt_reply
            ),
        ],
    )
