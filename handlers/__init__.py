"""Conversations and commands: thin translators between Telegram and the campaign's storage.

Each feature package exports one builder, `handlers()` (see `handlers.features`);
`build_handlers()` joins them, with the handlers no feature owns, in the order they must be
tried. Nothing here decides a rule.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    desk,
    duties,
    forms,
    hotline,
    ledger,
    membership,
    publish,
    reminders,
    report,
    stats,
)
from handlers.conversation import OneConversationAtATime
from handlers.features import Feature, Handler
from handlers.hotline import common as hotline_common
from handlers.hotline import held
from handlers.hotline import restart as restart_notice
from handlers.membership import cancel, groups, pending, strays
from handlers.ui.presses import stale_button

# Every feature package, each a `Feature`: its builder and the keys it keeps.
FEATURES: tuple[Feature, ...] = (
    report,
    ledger,
    hotline,
    duties,
    forms,
    desk,
    publish,
    membership,
    reminders,
    stats,
)
# What survives a restart: the user_data keys the features declare (bot/persistence.py writes
# these and nothing else).
PERSISTENT_KEYS = tuple(key for feature in FEATURES for key in feature.PERSISTENT_KEYS)


def build_handlers() -> list[tuple[int, Handler]]:
    """(group, handler) pairs; within a group the first match wins, in this order."""
    private = filters.ChatType.PRIVATE
    report_, ledger_, hotline_, duties_ = (
        report.handlers(),
        ledger.handlers(),
        hotline.handlers(),
        duties.handlers(),
    )
    desk_, publish_, forms_ = desk.handlers(), publish.handlers(), forms.handlers()
    membership_, reminders_, stats_ = membership.handlers(), reminders.handlers(), stats.handlers()
    conversations = [
        *report_.conversations,
        *ledger_.conversations,
        *hotline_.conversations,
        *duties_.conversations,
        *forms_.conversations,
        *desk_.conversations,
    ]
    ordered: list[Handler] = [
        # 1. Group housekeeping first: a migration notice carries no command.
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.follow_migration),
        # An edit of a message already sent is never acted on (a step took the first text).
        MessageHandler(filters.UpdateType.EDITED, strays.edited),
        # 1b. Conversations: while one is open it answers everything its person sends
        # (before /start, so that the deep link `/start report` opens the report); each
        # feature's are followed by the handlers of their buttons pressed after they ended.
        *conversations,
        # 1c. The staff tools: the hotline's card, the desk, publishing. The answers to their
        # prompts take any text, a command too, so this order decides where a command sent as
        # an answer goes: the desk's follow-ups come after the publishing commands, as before.
        *hotline_.routes,
        *desk_.routes,
        *publish_.routes,
        *desk_.follow_ups,
        # 2. Everyone's commands (commands, buttons and a location: none takes text).
        *membership_.routes,
        *report_.routes,
        *ledger_.routes,
        *reminders_.routes,
        *stats_.routes,
        *duties_.routes,
        *forms_.routes,
        # 3. Reports and complaints are never collected in a group.
        CommandHandler(
            list(pending.FEATURE_PAYLOADS), pending.private_only, filters=filters.ChatType.GROUPS
        ),
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
        CallbackQueryHandler(stale_button),
    ]
    # After every handler: forget empty per-user dicts (no user id kept without a reason).
    cleanup: Handler = TypeHandler(Update, hotline_common.forget_empty)
    # Before everything: nobody opens a second conversation beside the one they are in.
    guard: Handler = OneConversationAtATime(
        [c for c in conversations if isinstance(c, ConversationHandler)]
    )
    # Before that: a complaint's receipt Telegram refused earlier goes out first.
    receipt: Handler = TypeHandler(Update, held.resend_held)
    first = [(-2, receipt), (-1, guard)]
    return first + [(0, handler) for handler in ordered] + [(1, cleanup)]
