"""The draft of a `/report` in `user_data`, the conversation's state names, and what every
step shares: finding the draft, acknowledging a button, showing the summary card."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from telegram import Message, Update

from domain.cases.reports import ReportDraft
from handlers.context import BotContext, Viewer, viewer
from handlers.report.views import confirm_keyboard, summary_card
from handlers.ui.keyboards import close_keyboard
from storage.membership import units

CATEGORY = "report:category"
UNIT = "report:unit"
DESCRIBE = "report:describe"
OCCURRED = "report:occurred"
EVIDENCE = "report:evidence"
CONFIDENTIAL = "report:confidential"
CONFIRM = "report:confirm"
EDIT = "report:edit"

DRAFT_KEY = "report:draft"
EDITING_KEY = "report:editing"  # set while one field is changed from the summary card


def draft_of(context: BotContext) -> ReportDraft | None:
    data = context.user_data
    found = data.get(DRAFT_KEY) if data is not None else None
    return found if isinstance(found, ReportDraft) else None


async def who_and_draft(
    update: Update, context: BotContext
) -> tuple[Viewer, ReportDraft, Message] | None:
    who = await viewer(update, context)
    draft = draft_of(context)
    message = update.effective_message
    if who is None or draft is None or message is None:
        return None
    return who, draft, message


async def answer_button(update: Update, choice: str | None = None) -> None:
    """Acknowledge a press and show the choice in place of the buttons."""
    query = update.callback_query
    if query is None:
        return
    # Both at once: one round trip to Telegram instead of two before the next question.
    shown = query.edit_message_text(choice) if choice is not None else close_keyboard(update)
    await asyncio.gather(query.answer(), shown)


async def answer_then(update: Update, step: Awaitable[str], choice: str | None = None) -> str:
    """Acknowledge a press, show the choice, and ask the next question (`step`, which sends it
    and returns the next state) all at once: they do not depend on each other, so a button step
    costs one round trip to Telegram instead of two."""
    _, state = await asyncio.gather(answer_button(update, choice), step)
    return state


# -- the summary card ---------------------------------------------------------------------


async def show_summary(message: Message, who: Viewer, context: BotContext) -> str:
    """Send the summary card with submit / edit / cancel."""
    draft = draft_of(context)
    assert draft is not None and draft.unit_id is not None
    if context.user_data is not None:
        context.user_data.pop(EDITING_KEY, None)
    unit = await units.by_id(context.services.db, draft.unit_id)
    card = summary_card(who.t, context.services.settings.campaign, draft, unit.name if unit else "")
    await message.reply_text(card, reply_markup=confirm_keyboard(who.t, draft.token))
    return CONFIRM


def editing(context: BotContext) -> bool:
    return bool(context.user_data and context.user_data.get(EDITING_KEY))
