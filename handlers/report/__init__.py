"""Named reports (问题反映): the /report conversation, its summary card and views, /mine."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.features import FeatureHandlers
from handlers.report import draft

# The report's draft and the field being changed survive a restart (the conversation is
# persistent).
PERSISTENT_KEYS: tuple[str, ...] = (draft.DRAFT_KEY, draft.EDITING_KEY)


def handlers() -> FeatureHandlers:
    """/report (and the deep link `/start report`), then its buttons pressed after it ended
    (e.g. a second Submit); /mine and its pages; the rating of an answered report (回访)."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.report import flow, mine, rating

    return FeatureHandlers(
        conversations=[flow.build_conversation(), flow.stale_handler()],
        routes=[
            CommandHandler("mine", mine.show_mine, filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(mine.turn_reports_page, pattern=mine.CALLBACK_PATTERN),
            # 回访: the reporter rates an answered report; dissatisfied says why (重办).
            CallbackQueryHandler(rating.on_button, pattern=rating.CALLBACK_PATTERN),
            MessageHandler(
                rating.PROMPT_REPLY & filters.TEXT & filters.ChatType.PRIVATE, rating.on_reason
            ),
        ],
    )
