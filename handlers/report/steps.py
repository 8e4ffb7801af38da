"""Steps 1 to 3 of `/report`: category, unit, what happened and when/where; how the
conversation moves from one step to the next; each step's answer to wrong input.

The draft lives in `user_data` until it is submitted (handlers/report/flow.py); nothing here is
stored in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from domain.cases.reports import too_long
from handlers.context import BotContext, Viewer, viewer
from handlers.report.draft import (
    CATEGORY,
    CONFIDENTIAL,
    DESCRIBE,
    EVIDENCE,
    OCCURRED,
    UNIT,
    answer_then,
    draft_of,
    editing,
    show_summary,
    who_and_draft,
)
from handlers.report.evidence import (
    ask_confidential,
    ask_evidence,
    confidential_keyboard,
    evidence_keyboard,
)
from handlers.report.views import ROUTE, UNITS, category_keyboard, category_prompt
from handlers.ui.callbacks import press_value
from handlers.ui.presses import neutral


async def _next(step: str, message: Message, who: Viewer, context: BotContext) -> str:
    """After a step: back to the summary when one field was being changed, else onwards."""
    if editing(context):
        return await show_summary(message, who, context)
    return await ASKERS[step](message, who, context)


# -- 1. category --------------------------------------------------------------------------------


async def ask_category(message: Message, who: Viewer, context: BotContext) -> str:
    campaign = context.services.settings.campaign
    await message.reply_text(
        category_prompt(who.t, campaign), reply_markup=category_keyboard(campaign, who.t.language)
    )
    return CATEGORY


async def choose_category(update: Update, context: BotContext) -> str | None:
    """Keep the chosen category (checked against the campaign's, never trusted)."""
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    category = context.services.settings.campaign.category(press_value(update))
    if category is None:  # a forged or foreign value: a notice, the question stays as it is
        if update.callback_query is not None:
            await update.callback_query.answer(neutral(who.t))
            return None
        return await ask_category(message, who, context)
    draft.category_key = category.key
    return await answer_then(
        update,
        _next(UNIT, message, who, context),
        who.t.gettext("Category: {name}", name=category.name),
    )


# -- 2. unit ------------------------------------------------------------------------------------


async def ask_unit(message: Message, who: Viewer, context: BotContext) -> str:
    t = who.t
    own = who.membership.unit if who.membership else None
    buttons = [UNITS.button(own, with_code=False)] if own is not None else []
    text = t.gettext(
        "Step 2 of 5. Which unit is the problem in? Press your own unit, or type part of "
        "another unit's name or code to search for it."
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([buttons]))
    return UNIT


async def search_unit(update: Update, context: BotContext) -> str | None:
    """Offer the units matching the typed name or code."""
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, _draft, message = found
    t, text = who.t, (message.text or "").strip()
    limit = context.services.settings.name_max_chars
    length = too_long(text, limit)
    if length is not None:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; a unit search takes at most {limit}. "
                "Type part of the unit's name or its code.",
                count=length,
                limit=limit,
            )
        )
        return None
    await UNITS.offer(message, t, context.services.db, text)
    return None


async def choose_unit(update: Update, context: BotContext) -> str | None:
    """Keep the chosen unit after checking it still exists."""
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    unit = await UNITS.chosen(update, context.services.db)
    if unit is None or unit.id is None:
        query = update.callback_query
        if query is not None:
            await query.answer(who.t.gettext("That unit no longer exists. Search again."))
        return None
    draft.unit_id = unit.id
    return await answer_then(
        update,
        _next(DESCRIBE, message, who, context),
        who.t.gettext("Unit concerned: {unit}", unit=unit.name),
    )


# -- 3. what happened, and when/where ----------------------------------------------------------


async def ask_description(message: Message, who: Viewer, context: BotContext) -> str:
    limit = context.services.settings.text_max_chars
    await message.reply_text(
        who.t.gettext(
            "Step 3 of 5. Describe what happened, in one message of at most {limit} "
            "characters: who, what, and what you saw or know.",
            limit=limit,
        )
    )
    return DESCRIBE


async def take_description(update: Update, context: BotContext) -> str | None:
    """Keep the description, or refuse it with its length when it is too long."""
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    text = (message.text or "").strip()
    limit = context.services.settings.text_max_chars
    length = too_long(text, limit)
    if length is not None:
        await message.reply_text(
            who.t.gettext(
                "Your description has {count} characters; the limit is {limit}. "
                "Please shorten it and send it again.",
                count=length,
                limit=limit,
            )
        )
        return None
    draft.description = text
    return await _next(OCCURRED, message, who, context)


async def ask_occurred(message: Message, who: Viewer, context: BotContext) -> str:
    t = who.t
    await message.reply_text(
        t.gettext(
            "When and where did it happen? One short message (at most {limit} characters), "
            "or press Skip.",
            limit=context.services.settings.occurred_max_chars,
        ),
        reply_markup=InlineKeyboardMarkup([[ROUTE.button(t.gettext("Skip"), "skip", "occurred")]]),
    )
    return OCCURRED


async def take_occurred(update: Update, context: BotContext) -> str | None:
    """Keep the optional when/where note."""
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    text = (message.text or "").strip()
    limit = context.services.settings.occurred_max_chars
    length = too_long(text, limit)
    if length is not None:
        await message.reply_text(
            who.t.gettext(
                "That note has {count} characters; the limit is {limit}. "
                "Please shorten it and send it again, or press Skip.",
                count=length,
                limit=limit,
            )
        )
        return None
    draft.occurred = text
    return await _next(EVIDENCE, message, who, context)


async def skip_occurred(update: Update, context: BotContext) -> str | None:
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    draft.occurred = None
    return await answer_then(update, _next(EVIDENCE, message, who, context))


ASKERS = {
    CATEGORY: ask_category,
    UNIT: ask_unit,
    DESCRIBE: ask_description,
    OCCURRED: ask_occurred,
    EVIDENCE: ask_evidence,
    CONFIDENTIAL: ask_confidential,
}


# -- wrong input, per step ----------------------------------------------------------------------


def wrong_input(state: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A callback that says what `state` expects instead of what was sent; the step stays."""

    async def answer(update: Update, context: BotContext) -> None:
        who = await viewer(update, context)
        message = update.effective_message
        if who is None or message is None:
            return
        t = who.t
        if state in (DESCRIBE, OCCURRED):
            text = t.gettext(
                "Please type this as text. Photos and documents can be attached in a later step."
            )
        elif state == UNIT:
            text = t.gettext("Please press a unit button, or type part of a unit's name or code.")
        elif state == EVIDENCE:
            text = t.gettext(
                "Only photos and documents can be attached. Send one, or press Done / Skip."
            )
        else:
            text = t.gettext("Please use the buttons above.")
        await message.reply_text(
            text + "\n" + t.gettext("Send /cancel to stop."),
            reply_markup=_keyboard(state, who, context),
        )

    return answer


def _keyboard(state: str, who: Viewer, context: BotContext) -> InlineKeyboardMarkup | None:
    """The step's buttons again: the question that carried them may never have arrived (its
    send failed after the previous step's buttons were closed)."""
    draft = draft_of(context)
    if state == CATEGORY:
        return category_keyboard(context.services.settings.campaign, who.t.language)
    if state == EVIDENCE and draft is not None:
        return evidence_keyboard(who.t, draft)
    if state == CONFIDENTIAL:
        return confidential_keyboard(who.t)
    return None
