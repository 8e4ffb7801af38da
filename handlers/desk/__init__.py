"""The staff desk: /inbox, /intake (cases from other channels), the case card and its actions
(accept, reply, close, transfer, dispatch), follow-ups (退单, notes, files, questions) and the
staff-chat cards.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters  # `filters` here is the desk's module of them

from handlers.features import FeatureHandlers
from handlers.ui.presses import stale_button

PERSISTENT_KEYS: tuple[str, ...] = ()


def handlers() -> FeatureHandlers:
    """/inbox, its buttons and the answers to its prompts; then, after the publishing commands
    (a /publish sent in answer to a follow-up's prompt stays a command), the follow-ups:
    returns (退单), notes, files, questions, status changes."""
    # Imported when called: other features import this package's modules, which runs this
    # file first; importing them all at its top would make loops between features.
    from handlers.desk import actions, closing, inbox, intake, prompts
    from handlers.desk import filters as inbox_filters
    from handlers.desk.followups import common, owner, router

    private = tg_filters.ChatType.PRIVATE
    return FeatureHandlers(
        # /intake (a case from another channel), then its buttons pressed after it ended.
        conversations=[
            intake.build(),
            CallbackQueryHandler(stale_button, pattern=intake.ROUTE.pattern),
        ],
        routes=[
            # Closing a case (desk or complaint card): the finding and 问责, and its prompt.
            CallbackQueryHandler(closing.on_button, pattern=closing.PATTERN),
            MessageHandler(closing.PROMPT_REPLY & tg_filters.TEXT, closing.on_parties),
            CommandHandler("inbox", inbox_filters.show_inbox),
            CallbackQueryHandler(actions.on_button, pattern=inbox.CALLBACK_PATTERN),
            MessageHandler(
                prompts.PROMPT_REPLY & tg_filters.TEXT & private, prompts.on_prompt_reply
            ),
        ],
        follow_ups=[
            CallbackQueryHandler(router.on_button, pattern=common.CALLBACK_PATTERN),
            MessageHandler(
                common.PROMPT_REPLY
                & (tg_filters.TEXT | tg_filters.PHOTO | tg_filters.Document.ALL)
                & private,
                router.on_prompt_reply,
            ),
            MessageHandler(
                common.QUESTION_REPLY & tg_filters.TEXT & private, owner.on_reporter_answer
            ),
        ],
    )
