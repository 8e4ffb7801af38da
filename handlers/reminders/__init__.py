"""Reminders' texts and /overdue."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.features import FeatureHandlers

PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """/overdue and its buttons (the reminders themselves are sent by the sweep in bot/)."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.reminders import overdue

    return FeatureHandlers(
        routes=[
            CommandHandler("overdue", overdue.show_overdue),
            CallbackQueryHandler(overdue.on_button, pattern=overdue.CALLBACK_PATTERN),
        ]
    )
