"""Conversations and commands: thin translators between Telegram and the campaign's storage.

`build_handlers()` lists every handler in the order it must be tried. Each feature module
exports its callbacks; nothing here decides a rule.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import cancel, groups, help_menu, language, pending, start
from handlers.context import BotContext

Handler = BaseHandler[Any, BotContext, Any]


def build_handlers() -> list[tuple[int, Handler]]:
    """(group, handler) pairs; within a group the first match wins, in this order."""
    private = filters.ChatType.PRIVATE
    in_group = filters.ChatType.GROUPS
    ordered: list[Handler] = [
        # 1. Group housekeeping first: a migration notice carries no command.
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.follow_migration),
        # 2. Everyone's commands.
        CommandHandler("start", start.start),
        CommandHandler("help", help_menu.show_help),
        CommandHandler("language", language.ask_language),
        CallbackQueryHandler(language.choose_language, pattern=language.CALLBACK_PATTERN),
        CommandHandler("bindgroup", groups.bind_group),
        # 3. Reports and complaints are never collected in a group.
        CommandHandler(list(pending.FEATURE_PAYLOADS), pending.private_only, filters=in_group),
        # 4. Features still to come say so plainly (each later issue replaces its entry).
        CommandHandler(list(pending.PENDING_COMMANDS), pending.not_available_yet),
        # 5. Conversations' own /cancel fallbacks come before this catch-all.
        CommandHandler("cancel", cancel.nothing_to_cancel),
        MessageHandler(filters.COMMAND & private, cancel.unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, cancel.stray_text),
    ]
    return [(0, handler) for handler in ordered]
