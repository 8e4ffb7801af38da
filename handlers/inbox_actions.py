"""The inbox's buttons: turning pages, opening a card, and the case actions on a named report
— accept (谁受理谁负责), reply to the reporter, close with a summary.

Texts (the reply, the summary) are asked for with a ForceReply prompt in the private chat;
which prompt asks for what lives in the handler's `user_data` (staff only, never a reporter's
identity). Each press and each answer is re-checked against the presser's role and the case's
current state in storage; the reporter is told only after the commit.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import filters

from domain.desk import Action, Refusal, refusal
from domain.hotline import clean_text
from handlers.context import BotContext, Viewer
from handlers.hotline_common import local_today, press_value
from handlers.i18n import Translator
from handlers.inbox import (
    FILTERS,
    PROMPT_MARK,
    actor_of,
    button,
    case_card,
    desk_person,
    inbox_page,
    open_case,
)
from handlers.inbox_dispatch import REQUIREMENT_MAX_CHARS, dispatch_deadline, tell_unit_heads
from handlers.inbox_notices import send_reply_to_reporter, tell_new_owner
from handlers.report_notify import notify_reporter
from handlers.report_views import shorten
from storage import desk
from storage.desk import DeskResult, Outcome

log = logging.getLogger(__name__)
PROMPTS_KEY = "inbox:prompts"
MAX_OPEN_PROMPTS = 20
SUMMARY_MAX_CHARS = 1000


def _case_id(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def refusal_text(t: Translator, refusal: Refusal | None) -> str:
    match refusal:
        case Refusal.NOT_STAFF:
            return t.gettext("Only case handlers and administrators can do this.")
        case Refusal.NO_MEMBER:
            return t.gettext("Only a registered case handler can take a case on.")
        case Refusal.CONFLICT:
            return t.gettext(
                "You belong to the unit concerned, so you cannot accept this case "
                "(conflict of interest). Another handler must take it."
            )
        case Refusal.NOT_OWNER:
            return t.gettext("Only the handler responsible for this case can do this.")
        case Refusal.NO_UNIT:
            return t.gettext("This case names no unit, so it cannot be dispatched.")
        case Refusal.BAD_TARGET:
            return t.gettext("A case can only be transferred to another active case handler.")
    return t.gettext("The case has moved on; this button no longer applies.")


def outcome_notice(t: Translator, result: DeskResult) -> str:
    if result.outcome is Outcome.GONE:
        return t.gettext("This case no longer exists.")
    if result.outcome is Outcome.STALE:
        return t.gettext("Someone else changed this case just now. Open it again.")
    return refusal_text(t, result.refusal)


async def on_button(update: Update, context: BotContext) -> None:
    """Any `inbox:v1:` button."""
    query = update.callback_query
    if query is None:
        return
    who = await desk_person(update, context)
    if who is None:
        return
    t = who.t
    action, value = press_value(update, "action"), press_value(update)
    if action == "list":
        which, _, page = value.partition(".")
        if which not in FILTERS or not page.isdigit() or int(page) > 10_000:
            await query.answer(t.gettext("This button is no longer valid."))
            return
        await query.answer()
        text, markup = await inbox_page(who, context, which, int(page))
        await query.edit_message_text(text, reply_markup=markup)
        return
    if action == "to":
        await _to_colleague(update, context, who, value)
        return
    case_id = _case_id(value)
    if case_id is None or action not in ("open", "card", *(a.value for a in Action)):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    if action == "open":
        await open_case(update, context, who, case_id)
    elif action == "card":
        await query.answer()
        await _refresh_card(update, context, who, case_id)
    elif action == Action.TRANSFER:
        await _pick_colleague(update, context, who, case_id)
    elif action == Action.ACCEPT:
        await _accept(update, context, who, case_id)
    elif action in (Action.REPLY, Action.CLOSE, Action.DISPATCH):
        await _prompt(update, context, who, Action(action), case_id)
    else:
        await query.answer(t.gettext("This button is no longer valid."))


async def _refresh_card(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    """Edit the pressed card to show the case's current state and buttons."""
    query = update.callback_query
    card = await case_card(who, context, case_id)
    if query is None or card is None:
        return
    text, markup = card
    await query.edit_message_text(text, reply_markup=markup if markup.inline_keyboard else None)


async def _accept(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    query = update.callback_query
    assert query is not None
    svc = context.services
    result = await desk.accept(
        svc.db, case_id, actor_of(who), today=local_today(context), now=svc.clock.now()
    )
    t = who.t
    if result.outcome is not Outcome.DONE or result.change is None:
        await query.answer(outcome_notice(t, result), show_alert=True)
        return
    await query.answer(
        t.gettext("You accepted {number}; you are responsible for it.", number=result.change.number)
    )
    await _refresh_card(update, context, who, case_id)
    await notify_reporter(context.bot, svc.catalogs, result.change)


async def _pick_colleague(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    """Transfer: show the other handlers on the card, one button each."""
    query = update.callback_query
    assert query is not None
    t = who.t
    found = await desk.desk_case(context.services.db, case_id)
    if found is None or found.kind != "report":
        await query.answer(t.gettext("This case no longer exists."))
        return
    refused = refusal(Action.TRANSFER, actor_of(who), found.facts)
    if refused is not None:
        await query.answer(refusal_text(t, refused), show_alert=True)
        return
    colleagues = await desk.handlers_besides(context.services.db, actor_of(who).member_id)
    if not colleagues:
        await query.answer(t.gettext("There is no other case handler to transfer to."))
        return
    await query.answer()
    rows = [
        [button(shorten(f"{c.name} · {c.unit_name}", 40), "to", f"{case_id}.{c.member_id}")]
        for c in colleagues[:20]
    ]
    rows.append([button(t.gettext("« Back to the case"), "card", case_id)])
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


async def _to_colleague(update: Update, context: BotContext, who: Viewer, value: str) -> None:
    query = update.callback_query
    assert query is not None
    case_text, _, member_text = value.partition(".")
    case_id, member_id = _case_id(case_text), _case_id(member_text)
    if case_id is None or member_id is None:
        await query.answer(who.t.gettext("This button is no longer valid."))
        return
    colleagues = await desk.handlers_besides(context.services.db, actor_of(who).member_id)
    target = next((c for c in colleagues if c.member_id == member_id), None)
    if target is None:
        await query.answer(refusal_text(who.t, Refusal.BAD_TARGET), show_alert=True)
        return
    await _prompt(update, context, who, Action.TRANSFER, case_id, (target.member_id, target.name))


async def _prompt(
    update: Update,
    context: BotContext,
    who: Viewer,
    action: Action,
    case_id: int,
    target: tuple[int, str] | None = None,
) -> None:
    """Check the action is allowed now, then ask for its text."""
    query = update.callback_query
    assert query is not None
    t = who.t
    found = await desk.desk_case(context.services.db, case_id)
    if found is None or found.kind != "report":
        await query.answer(t.gettext("This case no longer exists."))
        return
    refused = refusal(action, actor_of(who), found.facts)
    if refused is not None:
        await query.answer(refusal_text(t, refused), show_alert=True)
        return
    await query.answer()
    if action is Action.REPLY:
        text = t.gettext(
            "{mark} {number}: reply to this message with your answer to the reporter "
            "(at most {limit} characters).",
            mark=PROMPT_MARK,
            number=found.number,
            limit=context.services.settings.text_max_chars,
        )
    elif action is Action.TRANSFER and target is not None:
        text = t.gettext(
            "{mark} {number}: reply to this message with the reason for handing the case "
            "to {name} (at most {limit} characters).",
            mark=PROMPT_MARK,
            number=found.number,
            name=target[1],
            limit=SUMMARY_MAX_CHARS,
        )
    elif action is Action.DISPATCH:
        text = t.gettext(
            "{mark} {number}: reply to this message with the deadline for the unit "
            "(for example 5月20日 or 2027-05-20).",
            mark=PROMPT_MARK,
            number=found.number,
        )
    else:
        text = t.gettext(
            "{mark} {number}: reply to this message with the closing summary "
            "(at most {limit} characters).",
            mark=PROMPT_MARK,
            number=found.number,
            limit=SUMMARY_MAX_CHARS,
        )
    assert isinstance(query.message, Message)
    prompt = await query.message.reply_text(text, reply_markup=ForceReply(selective=False))
    if context.user_data is not None:
        prompts = context.user_data.setdefault(PROMPTS_KEY, {})
        target_id = target[0] if target is not None else 0
        prompts[prompt.message_id] = (action.value, case_id, query.message.message_id, target_id)
        for stale in sorted(prompts)[:-MAX_OPEN_PROMPTS]:
            prompts.pop(stale, None)


class _PromptReply(filters.MessageFilter):
    """A reply to one of the inbox's 🖊 prompts."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (
            replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and (replied.text or "").startswith(PROMPT_MARK)
        )


PROMPT_REPLY = _PromptReply()


async def on_prompt_reply(update: Update, context: BotContext) -> None:
    """The handler answered a prompt: store the reply or the closing summary."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return
    who = await desk_person(update, context)
    if who is None:
        return
    t = who.t
    prompts = context.user_data.get(PROMPTS_KEY, {}) if context.user_data is not None else {}
    found = prompts.get(message.reply_to_message.message_id)
    if found is None:
        await message.reply_text(
            t.gettext("This prompt has expired. Open the case from /inbox again.")
        )
        return
    action, case_id, card_id, target_id = Action(found[0]), found[1], found[2], found[3]
    if action is Action.DISPATCH and not target_id:
        await dispatch_deadline(update, context, who, prompts, found)
        return
    text = clean_text(message.text or "")
    svc = context.services
    limit = svc.settings.text_max_chars if action is Action.REPLY else SUMMARY_MAX_CHARS
    limit = REQUIREMENT_MAX_CHARS if action is Action.DISPATCH else limit
    if not text or len(text) > limit:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; it must be 1 to {limit}. Reply to the prompt again.",
                count=len(text),
                limit=limit,
            )
        )
        return
    actor, now, today = actor_of(who), svc.clock.now(), local_today(context)
    if action is Action.REPLY:
        result = await desk.reply(svc.db, case_id, actor, text, today=today, now=now)
    elif action is Action.DISPATCH:
        deadline = date.fromordinal(target_id)
        result = await desk.dispatch(svc.db, case_id, actor, deadline, text, today=today, now=now)
    elif action is Action.TRANSFER:
        result = await desk.transfer(svc.db, case_id, actor, target_id, text, today=today, now=now)
    else:
        result = await desk.close(svc.db, case_id, actor, text, today=today, now=now)
    prompts.pop(message.reply_to_message.message_id, None)
    if result.outcome is not Outcome.DONE or result.change is None:
        await message.reply_text(outcome_notice(t, result))
        return
    number = result.change.number
    if action is Action.REPLY:
        sent = await send_reply_to_reporter(context.bot, svc.catalogs, result, text)
        done = (
            t.gettext("Reply to {number} stored and sent to the reporter.", number=number)
            if sent
            else t.gettext(
                "Reply to {number} stored; the reporter could not be reached just now.",
                number=number,
            )
        )
    elif action is Action.TRANSFER and result.new_owner is not None:
        await tell_new_owner(context.bot, svc.catalogs, result, who, text)
        done = t.gettext(
            "{number} is now with {name}; they have been told.",
            number=number,
            name=result.new_owner.display_name,
        )
    elif action is Action.DISPATCH:
        await tell_unit_heads(context.bot, svc.catalogs, result, deadline, text)
        await notify_reporter(context.bot, svc.catalogs, result.change)
        done = t.ngettext(
            "{number} is dispatched to the unit; {n} unit head has been told.",
            "{number} is dispatched to the unit; {n} unit heads have been told.",
            len(result.unit_heads),
            number=number,
        )
    else:
        await notify_reporter(context.bot, svc.catalogs, result.change)
        done = t.gettext("{number} is closed.", number=number)
    await message.reply_text(done)
    card = await case_card(who, context, case_id)
    if card is not None:
        try:  # the card shows the current state (not re-posted)
            await context.bot.edit_message_text(
                card[0],
                chat_id=message.chat_id,
                message_id=card_id,
                reply_markup=card[1] if card[1].inline_keyboard else None,
            )
        except TelegramError as error:
            log.info("inbox card %s not refreshed: %s", case_id, type(error).__name__)
