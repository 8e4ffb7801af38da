"""The inbox's buttons: the list and its filters (handlers/desk/filters.py), opening a card,
accepting a case (谁受理谁负责), choosing whom to transfer it to, and "open in private chat"
from the staff chat card. Actions that need a text (reply, close, transfer's reason,
dispatch) ask for it in handlers/desk/prompts.py.

Each press is re-checked against the presser's role and the case's current state in storage;
the reporter is told only after the commit, and the case's staff chat card is edited.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.desk.rules import Action, Refusal, refusal
from handlers.context import BotContext, Viewer
from handlers.desk import closing, loop
from handlers.desk.cards import ROUTE, refresh_staff_card
from handlers.desk.filters import LIST_ACTIONS, on_list_button
from handlers.desk.inbox import (
    STAFF_CHAT_ACTIONS,
    actor_of,
    case_card,
    desk_person,
    in_staff_chat,
    open_case,
)
from handlers.desk.notices import outcome_notice, refusal_text
from handlers.desk.prompts import answer_as_prepared, prompt
from handlers.report.notify import notify_reporter
from handlers.ui.callbacks import number, numbers, press_value
from handlers.ui.dates import local_today
from handlers.ui.presses import neutral
from handlers.ui.text import shorten
from storage.desk import actions as desk

log = logging.getLogger(__name__)
AS_PREPARED = "asis"  # answer and close with the prepared answer, unedited
CASE_ACTIONS: tuple[str, ...] = ("open", "card", "pm", AS_PREPARED, *(a.value for a in Action))


def _case_id(value: str) -> int | None:
    """A case id (a complaint's is negative and random, see `anonymous_row_id`)."""
    return number(value, negative=True)


async def on_button(update: Update, context: BotContext) -> None:
    """Any `inbox:v1:` button."""
    query = update.callback_query
    if query is None:
        return
    action, value = press_value(update, "action"), press_value(update)
    staff_chat_ok = action in STAFF_CHAT_ACTIONS and in_staff_chat(update, context)
    who = await desk_person(update, context, staff_chat_ok=staff_chat_ok)
    if who is None:
        return
    t = who.t
    if action in LIST_ACTIONS:
        await on_list_button(update, context, who, action, value)
        return
    if action == "to":
        await _to_colleague(update, context, who, value)
        return
    if action in (loop.QUEUE_ACTION, loop.PAGE_ACTION):
        page = number(value)
        if page is None:
            await query.answer(neutral(t))
            return
        await loop.on_queue_button(update, context, who, action, page)
        return
    case_id = _case_id(value)
    if case_id is None or action not in CASE_ACTIONS:
        await query.answer(neutral(t))
        return
    if action == "open":
        await open_case(update, context, who, case_id)
    elif action == "card":
        await refresh_private_card(update, context, who, case_id)
    elif action == "pm":
        await _to_private(update, context, who, case_id)
    elif action == Action.TRANSFER:
        await _pick_colleague(update, context, who, case_id)
    elif action == Action.ACCEPT:
        await _accept(update, context, who, case_id, staff_chat_ok)
    elif action == Action.CLOSE:  # the finding and 问责 first, then the summary
        await closing.start(update, context, who, case_id, closing.DESK)
    elif action == Action.ANSWER:  # the finding and 问责 first, then the answer
        await closing.start(update, context, who, case_id, closing.ANSWER)
    elif action == AS_PREPARED:
        await answer_as_prepared(update, context, who, case_id)
    else:
        await prompt(update, context, who, Action(action), case_id)


async def refresh_private_card(
    update: Update, context: BotContext, who: Viewer, case_id: int, *, answer: bool = True
) -> None:
    """Edit the pressed card to show the case's current state and buttons (answering the
    press unless the caller did)."""
    query = update.callback_query
    card = await case_card(who, context, case_id)
    if query is None:
        return
    if card is None:  # gone, or not this person's to see: the same words either way
        if answer:
            await query.answer(neutral(who.t))
        return
    if answer:
        await query.answer()
    text, markup = card
    await query.edit_message_text(text, reply_markup=markup if markup.inline_keyboard else None)


async def _accept(
    update: Update, context: BotContext, who: Viewer, case_id: int, from_staff_chat: bool
) -> None:
    query = update.callback_query
    assert query is not None
    svc = context.services
    result = await desk.accept(
        svc.db, case_id, actor_of(who), today=local_today(context), now=svc.clock.now()
    )
    t = who.t
    if result.outcome is not Outcome.OK or result.change is None:
        await query.answer(outcome_notice(t, result), show_alert=True)
        return
    await query.answer(
        t.gettext("You accepted {number}; you are responsible for it.", number=result.change.number)
    )
    if not from_staff_chat:
        await refresh_private_card(update, context, who, case_id, answer=False)
    await refresh_staff_card(context, case_id)
    await notify_reporter(context.bot, svc.catalogs, result.change)


async def _to_private(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    """The staff chat card's "open in private chat": the full card in the presser's chat."""
    query = update.callback_query
    assert query is not None
    t = who.t
    card = await case_card(who, context, case_id)
    if card is None:
        await query.answer(t.gettext("This case no longer exists."))
        return
    text, markup = card
    try:
        await context.bot.send_message(
            who.telegram_user_id, text, reply_markup=markup if markup.inline_keyboard else None
        )
    except TelegramError as error:
        log.info("case card not sent in private: %s", type(error).__name__)
        await query.answer(
            t.gettext("Start a private chat with me first, then press again."), show_alert=True
        )
        return
    await query.answer(t.gettext("Sent to our private chat."))


async def _pick_colleague(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    """Transfer: show the other handlers on the card, one button each."""
    query = update.callback_query
    assert query is not None
    t = who.t
    found = await desk.desk_case(context.services.db, case_id)
    if found is None:
        await query.answer(t.gettext("This case no longer exists."))
        return
    refused = refusal(Action.TRANSFER, actor_of(who), found.facts)
    if refused is not None:
        await query.answer(refusal_text(t, refused), show_alert=True)
        return
    colleagues = await desk.officers_besides(context.services.db, actor_of(who).member_id)
    if not colleagues:
        await query.answer(t.gettext("There is no other case handler to transfer to."))
        return
    await query.answer()
    rows = [
        [ROUTE.button(shorten(f"{c.name} · {c.unit_name}", 40), "to", f"{case_id}.{c.member_id}")]
        for c in colleagues[:20]
    ]
    rows.append([ROUTE.button(t.gettext("« Back to the case"), "card", case_id)])
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


async def _to_colleague(update: Update, context: BotContext, who: Viewer, value: str) -> None:
    query = update.callback_query
    assert query is not None
    pair = numbers(value, 2, negative=True)
    if pair is None:
        await query.answer(neutral(who.t))
        return
    case_id, member_id = pair
    colleagues = await desk.officers_besides(context.services.db, actor_of(who).member_id)
    target = next((c for c in colleagues if c.member_id == member_id), None)
    if target is None:
        await query.answer(refusal_text(who.t, Refusal.BAD_TARGET), show_alert=True)
        return
    await prompt(update, context, who, Action.TRANSFER, case_id, (target.member_id, target.name))
