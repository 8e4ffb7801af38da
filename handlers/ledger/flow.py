"""The ledger's one conversation: adding an item and every change that needs text or a
choice. Anything unexpected at a step gets a clear answer and changes nothing: a command
(other than /cancel), a button of another step or item, text where a button is expected, a
photo where text is expected."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.context import BotContext, viewer
from handlers.conversation import one_draft_per_person
from handlers.ledger import add as ledger_add
from handlers.ledger import changes as ledger_input
from handlers.ledger import steps as ledger_steps
from handlers.ledger.pickers import (
    ADD_CATEGORY,
    ADD_DESCRIBE,
    ADD_MEASURE,
    DEADLINE,
    DEADLINE_REASON,
    EVIDENCE,
    NOTE,
    RESPONSIBLE,
    RESPONSIBLE_NAME,
    end_draft,
)
from handlers.ledger.views import ROUTE

END = ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """Stop; the draft is dropped and nothing is saved."""
    end_draft(context)
    who = await viewer(update, context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(who.t.gettext("Stopped. Nothing was saved."))
    return END


async def busy_command(update: Update, context: BotContext) -> None:
    """A command in the middle of a step: finish or cancel first."""
    who = await viewer(update, context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext("You are in the middle of a ledger entry. Finish it, or send /cancel.")
        )


async def busy_button(update: Update, context: BotContext) -> None:
    """A ledger button that does not belong to the current step."""
    who = await viewer(update, context)
    if who is not None and update.callback_query is not None:
        await update.callback_query.answer(
            who.t.gettext("Finish what you are doing first, or send /cancel.")
        )


async def expect_button(update: Update, context: BotContext) -> None:
    """Something typed or sent where a button is expected."""
    who = await viewer(update, context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext("Please choose with the buttons above (or send /cancel).")
        )


def _route(action: str) -> str:
    return ROUTE.action_pattern(action)


def build() -> ConversationHandler[BotContext]:
    """The conversation, for `handlers.build_handlers` (before the catch-alls)."""
    said = filters.UpdateType.MESSAGE & ~filters.COMMAND & filters.ChatType.PRIVATE
    with one_draft_per_person():
        return _conversation(said)


def _conversation(said: filters.BaseFilter) -> ConversationHandler[BotContext]:
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(ledger_add.start_add, pattern=_route("add")),
            CallbackQueryHandler(
                ledger_input.start_change, pattern=_route("(rc|pn|rj|em|ed|er|xr)")
            ),
        ],
        states={
            ADD_CATEGORY: [
                CallbackQueryHandler(ledger_add.pick_category, pattern=_route("cat")),
                MessageHandler(said, expect_button),
            ],
            ADD_DESCRIBE: [MessageHandler(said, ledger_add.got_description)],
            ADD_MEASURE: [MessageHandler(said, ledger_add.got_measure)],
            DEADLINE: [
                CallbackQueryHandler(ledger_steps.on_deadline_button, pattern=_route("dl")),
                MessageHandler(said, ledger_steps.on_deadline_text),
            ],
            DEADLINE_REASON: [MessageHandler(said, ledger_steps.got_deadline_reason)],
            RESPONSIBLE: [
                CallbackQueryHandler(ledger_steps.on_responsible_button, pattern=_route("who")),
                MessageHandler(said, expect_button),
            ],
            RESPONSIBLE_NAME: [MessageHandler(said, ledger_steps.got_responsible_name)],
            EVIDENCE: [
                CallbackQueryHandler(ledger_steps.on_done, pattern=_route("done")),
                MessageHandler(said, ledger_steps.on_file),
            ],
            NOTE: [MessageHandler(said, ledger_input.got_note)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.COMMAND, busy_command),
            CallbackQueryHandler(busy_button, pattern=ROUTE.pattern),
        ],
        name="ledger",
        per_message=False,
        persistent=True,  # survives a restart (bot/persistence.py)
    )
