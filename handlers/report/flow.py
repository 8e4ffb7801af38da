"""/report: a member files a named problem report in a private chat, step by step
(diagram: docs/report.md). The draft lives in `user_data`; the report is stored in one
transaction when the member presses Submit, and only then is its number shown.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.cases.reports import ReportDraft
from handlers.context import BotContext, copy_evidence, viewer
from handlers.conversation import one_draft_per_person, step, write_drafts_now
from handlers.desk.cards import post_staff_card
from handlers.report.draft import (
    CATEGORY,
    CONFIDENTIAL,
    CONFIRM,
    DESCRIBE,
    DRAFT_KEY,
    EDIT,
    EDITING_KEY,
    EVIDENCE,
    OCCURRED,
    UNIT,
    draft_of,
    show_summary,
)
from handlers.report.evidence import (
    ask_confidential,
    ask_evidence,
    choose_confidential,
    clear_evidence,
    finish_evidence,
    take_evidence,
)
from handlers.report.steps import (
    ask_category,
    ask_description,
    ask_occurred,
    ask_unit,
    choose_category,
    choose_unit,
    search_unit,
    skip_occurred,
    take_description,
    take_occurred,
    wrong_input,
)
from handlers.report.views import EDITABLE_FIELDS, ROUTE, edit_keyboard
from handlers.ui.callbacks import press_value, pressed
from handlers.ui.deliver import confirm, quietly
from handlers.ui.keyboards import close_keyboard
from handlers.ui.presses import neutral
from storage.cases import reports

# {draft token: (presser's user id, number)} of the latest filings, to answer a second Submit
# press of the same person. Kept in the bot's memory, not in anyone's user_data; the token alone
# is not enough: a press replayed by anyone else gets the same neutral answer as a stale one.
SUBMITTED_KEY = "report:submitted"
SUBMITTED_KEPT = 4096


def _submitted(context: BotContext) -> OrderedDict[str, tuple[int, str]]:
    found = context.bot_data.get(SUBMITTED_KEY)
    if not isinstance(found, OrderedDict):
        found = context.bot_data[SUBMITTED_KEY] = OrderedDict()
    return found


PATTERN = ROUTE.pattern


async def start_report(update: Update, context: BotContext) -> str | int:
    """Open a fresh draft for a member; anyone else is told who may report."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None or context.user_data is None:
        return ConversationHandler.END
    if who.membership is None:
        await message.reply_text(
            who.t.gettext(
                "Only registered members can file a named report. To complain anonymously, "
                "send /complain."
            )
        )
        return ConversationHandler.END
    context.user_data[DRAFT_KEY] = ReportDraft()
    context.user_data.pop(EDITING_KEY, None)
    return await ask_category(message, who, context)


async def cancel(update: Update, context: BotContext) -> int:
    """Drop the draft; nothing was stored."""
    who = await viewer(update, context)
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)
        context.user_data.pop(EDITING_KEY, None)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await close_keyboard(update)
    message = update.effective_message
    if who is not None and message is not None:
        await message.reply_text(who.t.gettext("Report cancelled. Nothing was saved."))
    return ConversationHandler.END


async def command_midway(update: Update, context: BotContext) -> None:
    """Another command while a report is open: say how to go on or stop."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    await message.reply_text(
        who.t.gettext(
            "You are in the middle of a report. Carry on with the current step, or send "
            "/cancel to stop it first."
        )
    )


async def pressed_again(update: Update, context: BotContext) -> None:
    """A report button from an earlier step or an ended report: the neutral notice
    (`presses`), no change; only a second press on Submit by the one who filed it names the
    report the first press filed (their own)."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    press = pressed(update)
    if press is not None and press.route == "report" and press.action == "submit":
        filed = _submitted(context).get(press.value)
        if filed is not None and filed[0] == query.from_user.id:  # the presser's own filing
            await query.answer(who.t.gettext("Already submitted as {number}.", number=filed[1]))
            return
    await query.answer(neutral(who.t))


async def submit(update: Update, context: BotContext) -> str | int | None:
    """File the draft (once: the draft is taken away before the first await), then show the
    number and what happens next."""
    query = update.callback_query
    draft = draft_of(context)
    if query is None or context.user_data is None:
        return None
    if draft is None or draft.missing() or press_value(update) != draft.token:
        await pressed_again(update, context)  # an ended draft, or the card of an earlier one
        return ConversationHandler.END if draft is None else None
    context.user_data.pop(DRAFT_KEY, None)
    await write_drafts_now(update, context)  # after a crash, a second press finds no draft
    try:
        who = await viewer(update, context)
    except BaseException:
        context.user_data[DRAFT_KEY] = draft  # the database is away: the draft stays
        raise
    if who is None or who.membership is None or who.membership.member.id is None:
        # The person left their unit while the draft was open: rights are re-read here.
        await query.answer(
            who.t.gettext("Only registered members can file a named report.") if who else None
        )
        return ConversationHandler.END
    svc = context.services
    now = svc.clock.now()
    try:
        filed = await reports.submit_report(
            svc.db,
            author_member_id=who.membership.member.id,
            draft=draft,
            year=svc.settings.campaign.start.year,
            today=now.astimezone(svc.settings.timezone).date(),
            now=now,
        )
    except BaseException:
        context.user_data[DRAFT_KEY] = draft  # nothing was stored: the member may press again
        raise
    copy_evidence(svc)
    submitted = _submitted(context)
    submitted[draft.token] = (query.from_user.id, filed.number)
    while len(submitted) > SUBMITTED_KEPT:
        submitted.popitem(last=False)
    # Stored: from here on a refused send is retried or logged, never an apology, and the
    # conversation ends whatever happens (else /mine and /cancel would deny the report).
    t = who.t
    what = f"report case {filed.case_id}"
    sends: list[Awaitable[object]] = [
        quietly(query.answer(), what=what),
        quietly(close_keyboard(update), what=what),
    ]
    message = update.effective_message
    if message is not None:
        text = (
            t.gettext("Your report has been filed as {number}.", number=filed.number)
            + "\n\n"
            + t.gettext(
                "What happens next: campaign staff review it and may accept it, pass it to "
                "the unit concerned, or ask you for more. You will get a message here each "
                "time its status changes. Send /mine to see your reports."
            )
        )
        sends.append(confirm(lambda: message.reply_text(text), what=what))
    # All three at once (one round trip): none depends on another, and the report is stored.
    await asyncio.gather(*sends)
    # The staff chat's card now rather than at the card job's next tick (which retries a
    # refused post; the report is stored either way).
    await post_staff_card(context, filed.case_id)
    return ConversationHandler.END


async def edit(update: Update, context: BotContext) -> str | None:
    """Offer the fields that can be changed."""
    who = await viewer(update, context)
    query = update.callback_query
    if who is None or query is None or draft_of(context) is None:
        return None
    await query.answer()
    await close_keyboard(update)
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext("Which field do you want to change?"), reply_markup=edit_keyboard(who.t)
        )
    return EDIT


async def edit_field(update: Update, context: BotContext) -> str | None:
    """Ask the chosen field again; its answer leads back to the summary card."""
    who = await viewer(update, context)
    query = update.callback_query
    message = update.effective_message
    if who is None or query is None or message is None or context.user_data is None:
        return None
    name = press_value(update)
    askers = {
        "category": ask_category,
        "unit": ask_unit,
        "description": ask_description,
        "occurred": ask_occurred,
        "evidence": ask_evidence,
        "confidential": ask_confidential,
    }
    if name not in (*EDITABLE_FIELDS, "confidential") or draft_of(context) is None:
        await query.answer(neutral(who.t))
        return None
    await query.answer()
    await close_keyboard(update)
    context.user_data[EDITING_KEY] = True
    return await askers[name](message, who, context)


async def back_to_summary(update: Update, context: BotContext) -> str | None:
    who = await viewer(update, context)
    query = update.callback_query
    message = update.effective_message
    if who is None or query is None or message is None or draft_of(context) is None:
        return None
    await query.answer()
    await close_keyboard(update)
    return await show_summary(message, who, context)


Handler = BaseHandler[Any, BotContext, Any]


def build_conversation() -> ConversationHandler[BotContext]:
    """The /report conversation; register it before the catch-all handlers."""
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    files = filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL)
    with one_draft_per_person():
        return _conversation(private, text, files)


def _conversation(
    private: filters.BaseFilter, text: filters.BaseFilter, files: filters.BaseFilter
) -> ConversationHandler[BotContext]:
    return ConversationHandler(
        entry_points=[
            CommandHandler("report", start_report, filters=private),
            CommandHandler(
                "start", start_report, filters=private & filters.Regex(r"^/start\s+report$")
            ),
        ],
        states={
            CATEGORY: step(
                CallbackQueryHandler(choose_category, pattern=ROUTE.action_pattern("cat")),
                otherwise=wrong_input(CATEGORY),
            ),
            UNIT: step(
                CallbackQueryHandler(choose_unit, pattern=ROUTE.action_pattern("unit")),
                MessageHandler(text, search_unit),
                otherwise=wrong_input(UNIT),
            ),
            DESCRIBE: step(MessageHandler(text, take_description), otherwise=wrong_input(DESCRIBE)),
            OCCURRED: step(
                MessageHandler(text, take_occurred),
                CallbackQueryHandler(
                    skip_occurred, pattern=ROUTE.exact_pattern("skip", "occurred")
                ),
                otherwise=wrong_input(OCCURRED),
            ),
            EVIDENCE: step(
                MessageHandler(files, take_evidence),
                CallbackQueryHandler(
                    finish_evidence, pattern=ROUTE.exact_pattern("done", "evidence")
                ),
                CallbackQueryHandler(clear_evidence, pattern=ROUTE.action_pattern("clear")),
                otherwise=wrong_input(EVIDENCE),
            ),
            CONFIDENTIAL: step(
                CallbackQueryHandler(choose_confidential, pattern=ROUTE.action_pattern("conf")),
                otherwise=wrong_input(CONFIDENTIAL),
            ),
            CONFIRM: step(
                CallbackQueryHandler(submit, pattern=ROUTE.action_pattern("submit")),
                CallbackQueryHandler(edit, pattern=ROUTE.exact_pattern("edit")),
                CallbackQueryHandler(cancel, pattern=ROUTE.exact_pattern("cancel")),
                otherwise=wrong_input(CONFIRM),
            ),
            EDIT: step(
                CallbackQueryHandler(edit_field, pattern=ROUTE.action_pattern("field")),
                CallbackQueryHandler(back_to_summary, pattern=ROUTE.action_pattern("back")),
                otherwise=wrong_input(EDIT),
            ),
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.COMMAND, command_midway),
            CallbackQueryHandler(pressed_again, pattern=PATTERN),
        ],
        name="report",
        per_message=False,
        persistent=True,  # survives a restart (bot/persistence.py)
        allow_reentry=False,
    )


def stale_handler() -> Handler:
    """Report buttons pressed after the conversation ended (e.g. a second Submit)."""
    return CallbackQueryHandler(pressed_again, pattern=PATTERN)
