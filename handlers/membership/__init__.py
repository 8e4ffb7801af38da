"""Membership: /start and invites, /help, /language, group binding, people management
(/members, /invite), /cancel and what answers when
nothing else does.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.features import FeatureHandlers

PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """Everyone's commands. The group housekeeping, /cancel and the answers when nothing else
    matches are cross-cutting: `handlers.build_handlers` lists them first and last."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.membership import groups, language, people, start
    from handlers.membership import help as help_menu

    return FeatureHandlers(
        routes=[
            CommandHandler("start", start.start),
            CommandHandler("help", help_menu.show_help),
            CommandHandler("language", language.ask_language),
            CallbackQueryHandler(language.choose_language, pattern=language.CALLBACK_PATTERN),
            CommandHandler("bindgroup", groups.bind_group),
            CommandHandler("members", people.list_members),
            CommandHandler("invite", people.make_invite),
            CallbackQueryHandler(people.on_button, pattern=people.PATTERN),
        ]
    )
