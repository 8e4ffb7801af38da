"""Conversations and commands: thin translators between Telegram and the campaign's storage.

`build_handlers()` lists every handler in the order it must be tried. Each feature module
exports its callbacks; nothing here decides a rule.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    cancel,
    complain,
    complaint_card,
    export,
    groups,
    help_menu,
    hotline_common,
    inbox,
    inbox_actions,
    language,
    ledger,
    ledger_flow,
    ledger_view,
    mine,
    overdue,
    pending,
    report,
    start,
    stats,
    status,
)
from handlers.context import BotContext
from handlers.conversation import OneConversationAtATime

Handler = BaseHandler[Any, BotContext, Any]


def build_handlers() -> list[tuple[int, Handler]]:
    """(group, handler) pairs; within a group the first match wins, in this order."""
    private = filters.ChatType.PRIVATE
    in_group = filters.ChatType.GROUPS
    conversations = [
        report.build_conversation(),
        ledger_flow.build(),
        complain.build(),
        status.build(),
    ]
    ordered: list[Handler] = [
        # 1. Group housekeeping first: a migration notice carries no command.
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.follow_migration),
        # 1b. Conversations: while one is open it answers everything its person sends
        # (before /start, so that the deep link `/start report` opens the report).
        conversations[0],
        report.stale_handler(),
        conversations[1],
        conversations[2],
        conversations[3],
        CallbackQueryHandler(complain.stale_button, pattern=r"^complain:"),
        CallbackQueryHandler(status.stale_button, pattern=r"^status:"),
        # The hotline's staff card: its buttons and the answers to its prompts.
        CallbackQueryHandler(complaint_card.on_button, pattern=r"^hotline:v1:"),
        MessageHandler(
            complaint_card.PROMPT_REPLY & filters.TEXT & in_group, complaint_card.on_prompt_reply
        ),
        # The staff desk: /inbox, its buttons and the answers to its prompts.
        CommandHandler("inbox", inbox.show_inbox),
        CallbackQueryHandler(inbox_actions.on_button, pattern=inbox.CALLBACK_PATTERN),
        MessageHandler(
            inbox_actions.PROMPT_REPLY & filters.TEXT & private, inbox_actions.on_prompt_reply
        ),
        # 2. Everyone's commands.
        CommandHandler("start", start.start),
        CommandHandler("help", help_menu.show_help),
        CommandHandler("language", language.ask_language),
        CallbackQueryHandler(language.choose_language, pattern=language.CALLBACK_PATTERN),
        CommandHandler("bindgroup", groups.bind_group),
        CommandHandler("mine", mine.show_mine, filters=private),
        CallbackQueryHandler(mine.turn_reports_page, pattern=mine.CALLBACK_PATTERN),
        CommandHandler("ledger", ledger.show_ledger),
        CallbackQueryHandler(ledger.on_button, pattern=ledger_view.PATTERN),
        CommandHandler("overdue", overdue.show_overdue),
        CallbackQueryHandler(overdue.on_button, pattern=overdue.CALLBACK_PATTERN),
        CommandHandler("stats", stats.show_stats),
        CallbackQueryHandler(stats.on_button, pattern=stats.CALLBACK_PATTERN),
        CommandHandler("export", export.offer_export),
        CallbackQueryHandler(export.on_button, pattern=export.CALLBACK_PATTERN),
        # 3. Reports and complaints are never collected in a group.
        CommandHandler(list(pending.FEATURE_PAYLOADS), pending.private_only, filters=in_group),
        # 4. Features still to come say so plainly (each later issue replaces its entry).
        CommandHandler(list(pending.PENDING_COMMANDS), pending.not_available_yet),
        # 5. Conversations' own /cancel fallbacks come before this catch-all.
        CommandHandler("cancel", cancel.nothing_to_cancel),
        MessageHandler(filters.COMMAND & private, cancel.unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, cancel.stray_text),
    ]
    # After every handler: forget empty per-user dicts (no user id kept without a reason).
    cleanup: Handler = TypeHandler(Update, hotline_common.forget_empty)
    # Before everything: nobody opens a second conversation beside the one they are in.
    guard: Handler = OneConversationAtATime(conversations)
    return [(-1, guard)] + [(0, handler) for handler in ordered] + [(1, cleanup)]
