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

from handlers.context import BotContext
from handlers.conversation import OneConversationAtATime
from handlers.desk import actions as inbox_actions
from handlers.desk import common as desk_common
from handlers.desk import filters as inbox_filters
from handlers.desk import inbox
from handlers.desk import owner as desk_owner
from handlers.desk import prompts as inbox_prompts
from handlers.desk import router as desk_router
from handlers.duties import checkin, inspect
from handlers.duties import leave as checkin_leave
from handlers.duties import marks as checkin_marks
from handlers.duties import rounds as round_
from handlers.duties import texts as checkin_texts
from handlers.hotline import card as complaint_card
from handlers.hotline import common as hotline_common
from handlers.hotline import complain, status
from handlers.hotline import restart as restart_notice
from handlers.ledger import board as ledger
from handlers.ledger import flow as ledger_flow
from handlers.ledger import views as ledger_view
from handlers.membership import cancel, groups, language, pending, start, strays
from handlers.membership import help as help_menu
from handlers.publish import actions as publish_actions
from handlers.publish import board as publish
from handlers.publish import broadcast
from handlers.publish import texts as publish_text
from handlers.reminders import overdue
from handlers.report import flow as report
from handlers.report import mine
from handlers.report import rating as report_rating
from handlers.stats import export
from handlers.stats import show as stats

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
        inspect.build(),
    ]
    ordered: list[Handler] = [
        # 1. Group housekeeping first: a migration notice carries no command.
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.follow_migration),
        # An edit of a message already sent is never acted on (a step took the first text).
        MessageHandler(filters.UpdateType.EDITED, strays.edited),
        # 1b. Conversations: while one is open it answers everything its person sends
        # (before /start, so that the deep link `/start report` opens the report).
        conversations[0],
        report.stale_handler(),
        conversations[1],
        conversations[2],
        conversations[3],
        conversations[4],
        CallbackQueryHandler(inspect.stale_button, pattern=inspect.PATTERN),
        # (a complaint form lost to a restart says so; otherwise "no longer active")
        CallbackQueryHandler(restart_notice.complaint_button, pattern=r"^complain:"),
        CallbackQueryHandler(status.stale_button, pattern=r"^status:"),
        # The hotline's staff card: its buttons and the answers to its prompts.
        CallbackQueryHandler(complaint_card.on_button, pattern=r"^hotline:v1:"),
        MessageHandler(
            complaint_card.PROMPT_REPLY & filters.TEXT & in_group, complaint_card.on_prompt_reply
        ),
        # The staff desk: /inbox, its buttons and the answers to its prompts.
        CommandHandler("inbox", inbox_filters.show_inbox),
        CallbackQueryHandler(inbox_actions.on_button, pattern=inbox.CALLBACK_PATTERN),
        MessageHandler(
            inbox_prompts.PROMPT_REPLY & filters.TEXT & private, inbox_prompts.on_prompt_reply
        ),
        # 回访: the reporter rates an answered report; dissatisfied says why (重办).
        CallbackQueryHandler(report_rating.on_button, pattern=report_rating.CALLBACK_PATTERN),
        MessageHandler(
            report_rating.PROMPT_REPLY & filters.TEXT & private, report_rating.on_reason
        ),
        # Admins: the honour roll / exposure board and broadcasts, with their prompts.
        CommandHandler("publish", publish.show_menu),
        CommandHandler("published", publish_actions.show_published),
        CallbackQueryHandler(publish_actions.on_button, pattern=publish_text.CALLBACK_PATTERN),
        MessageHandler(publish.PROMPT_REPLY & filters.TEXT & private, publish.on_summary),
        CommandHandler("broadcast", broadcast.start_broadcast),
        CallbackQueryHandler(broadcast.on_button, pattern=broadcast.CALLBACK_PATTERN),
        MessageHandler(broadcast.PROMPT_REPLY & filters.TEXT & private, broadcast.on_text),
        # The desk's follow-ups: returns (退单), notes, files, questions, status changes.
        CallbackQueryHandler(desk_router.on_button, pattern=desk_common.CALLBACK_PATTERN),
        MessageHandler(
            desk_common.PROMPT_REPLY
            & (filters.TEXT | filters.PHOTO | filters.Document.ALL)
            & private,
            desk_router.on_prompt_reply,
        ),
        MessageHandler(
            desk_common.QUESTION_REPLY & filters.TEXT & private, desk_owner.on_reporter_answer
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
        # The "124" boarding duty (check-in, leave) and the admins' marks for both duties.
        CommandHandler("checkin", checkin.check_in, filters=private),
        CallbackQueryHandler(checkin.on_button, pattern=checkin_texts.CALLBACK_PATTERN),
        MessageHandler(filters.LOCATION & private, checkin.on_location),
        CommandHandler("leave", checkin_leave.request_leave, filters=private),
        CallbackQueryHandler(checkin_leave.on_button, pattern=checkin_leave.CALLBACK_PATTERN),
        CommandHandler("boarding", checkin_marks.boarding),
        CommandHandler("cadre", checkin_marks.cadres),
        CommandHandler("inspector", checkin_marks.inspectors),
        CommandHandler("round", round_.show_rounds),
        CallbackQueryHandler(checkin_marks.on_button, pattern=checkin_marks.CALLBACK_PATTERN),
        # 3. Reports and complaints are never collected in a group.
        CommandHandler(list(pending.FEATURE_PAYLOADS), pending.private_only, filters=in_group),
        # 4. Features still to come say so plainly (each later issue replaces its entry).
        CommandHandler(list(pending.PENDING_COMMANDS), pending.not_available_yet),
        # 5. Conversations' own /cancel fallbacks come before this catch-all.
        CommandHandler("cancel", cancel.nothing_to_cancel),
        MessageHandler(filters.COMMAND & private, cancel.unknown_command),
        # Stray text (right after a restart: what became of a complaint draft).
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, restart_notice.stray_message),
        # Stickers, places, contacts, voice … outside a conversation get the same pointer.
        MessageHandler(
            filters.UpdateType.MESSAGE & private & ~filters.COMMAND, restart_notice.stray_message
        ),
        # A button no route above knows (old version, forged, truncated): still answered.
        # Keep it the last entry: a button handler added after it would never be reached.
        CallbackQueryHandler(strays.unknown_button),
    ]
    # After every handler: forget empty per-user dicts (no user id kept without a reason).
    cleanup: Handler = TypeHandler(Update, hotline_common.forget_empty)
    # Before everything: nobody opens a second conversation beside the one they are in.
    guard: Handler = OneConversationAtATime(conversations)
    return [(-1, guard)] + [(0, handler) for handler in ordered] + [(1, cleanup)]
