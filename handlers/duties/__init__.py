"""Duties: the "124" boarding check-in and leave, the admins' marks, unannounced inspections and
their rounds.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.features import FeatureHandlers
from handlers.ui.presses import stale_button

PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """/inspect, then its buttons pressed after it ended; the "124" boarding duty (check-in,
    leave) and the admins' marks for both duties."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.duties import checkin, inspect, leave, marks, rounds, texts

    private = filters.ChatType.PRIVATE
    return FeatureHandlers(
        conversations=[
            inspect.build(),
            CallbackQueryHandler(stale_button, pattern=inspect.PATTERN),
        ],
        routes=[
            CommandHandler("checkin", checkin.check_in, filters=private),
            CallbackQueryHandler(checkin.on_button, pattern=texts.CALLBACK_PATTERN),
            MessageHandler(filters.LOCATION & private, checkin.on_location),
            CommandHandler("leave", leave.request_leave, filters=private),
            CallbackQueryHandler(leave.on_button, pattern=leave.CALLBACK_PATTERN),
            CommandHandler("boarding", marks.boarding),
            CommandHandler("cadre", marks.cadres),
            CommandHandler("inspector", marks.inspectors),
            CommandHandler("round", rounds.show_rounds),
            CallbackQueryHandler(marks.on_button, pattern=marks.CALLBACK_PATTERN),
        ],
    )
