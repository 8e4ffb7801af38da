"""Statistics: /stats with its charts, /export."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.features import FeatureHandlers

PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """/stats and /export, with their buttons."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.stats import export, papers, show

    return FeatureHandlers(
        routes=[
            CommandHandler("stats", show.show_stats),
            CallbackQueryHandler(show.on_button, pattern=show.CALLBACK_PATTERN),
            CommandHandler("export", export.offer_export),
            CallbackQueryHandler(export.on_button, pattern=export.CALLBACK_PATTERN),
            CallbackQueryHandler(papers.on_button, pattern=papers.CALLBACK_PATTERN),
        ]
    )
