"""The inbox's actions that need a text: reply to the author, close with a summary, transfer
with a reason, dispatch with a deadline and a requirement (handlers/desk/dispatch.py asks for
the deadline first). Texts are asked for with a ForceReply prompt in the private chat; which
prompt asks for what lives in the handler's `user_data` (staff only, never an author's
identity). Each answer is re-checked against the presser's role and the case's current state;
after the commit the people concerned are told (handlers/desk/notices.py) and the private
card and the staff chat card are edited in place.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.desk.rules import Action, refusal
from domain.hotline.rules import clean_text
from handlers.context import BotContext, Viewer
from handlers.conversation import RepliesTo
from handlers.desk.cards import ROUTE, refresh_staff_card
from handlers.desk.closing_record import drop, record_of
from handlers.desk.dispatch import REQUIREMENT_MAX_CHARS, dispatch_deadline
from handlers.desk.inbox import PROMPT_MARK, actor_of, case_card, desk_person
from handlers.desk.loop import prepared_answer
from handlers.desk.notices import outcome_notice, refusal_text, tell_after
from handlers.i18n import Translator, escape
from handlers.ui.dates import local_today
from handlers.ui.keyboards import close_keyboard
from storage.cases.loop import answer_facts
from storage.desk import actions as desk
from storage.desk.actions import DeskCase

log = logging.getLogger(__name__)
PROMPTS_KEY = "inbox:prompts"
MAX_OPEN_PROMPTS = 20
SUMMARY_MAX_CHARS = 1000


def _question(
    who: Viewer,
    context: BotContext,
    action: Action,
    found: DeskCase,
    target: tuple[int, str] | None,
) -> str:
    t = who.t
    values = {"mark": PROMPT_MARK, "number": found.number}
    if action is Action.REPLY and found.kind == "complaint":
        return t.gettext(
            "{mark} {number}: reply to this message with your answer to the complainant "
            "(at most {limit} characters; they read it with /status).",
            limit=context.services.settings.text_max_chars,
            **values,
        )
    if action is Action.REPLY:
        return t.gettext(
            "{mark} {number}: reply to this message with your answer to the reporter "
            "(at most {limit} characters).",
            limit=context.services.settings.text_max_chars,
            **values,
        )
    if action is Action.TRANSFER and target is not None:
        return t.gettext(
            "{mark} {number}: reply to this message with the reason for handing the case "
            "to {name} (at most {limit} characters).",
            name=target[1],
            limit=SUMMARY_MAX_CHARS,
            **values,
        )
    if action is Action.DISPATCH:
        return t.gettext(
            "{mark} {number}: reply to this message with the deadline for the unit "
            "(for example 5月20日 or 2027-05-20).",
            **values,
        )
    if action is Action.ANSWER:
        return t.gettext(
            "{mark} {number}: or reply to this message with your own answer to the person "
            "(at most {limit} characters); the case is then closed.",
            limit=context.services.settings.text_max_chars,
            **values,
        )
    return t.gettext(
        "{mark} {number}: reply to this message with the closing summary "
        "(at most {limit} characters).",
        limit=SUMMARY_MAX_CHARS,
        **values,
    )


async def prompt(
    update: Update,
    context: BotContext,
    who: Viewer,
    action: Action,
    case_id: int,
    target: tuple[int, str] | None = None,
    *,
    answered: bool = False,
) -> None:
    """Check the action is allowed now, then ask for its text (`answered`: the press was
    answered already, by the closing step)."""
    query = update.callback_query
    assert query is not None
    t = who.t
    found = await desk.desk_case(context.services.db, case_id)
    if found is None:
        await query.answer(t.gettext("This case no longer exists."))
        return
    refused = refusal(action, actor_of(who), found.facts)
    if refused is not None:
        await query.answer(refusal_text(t, refused), show_alert=True)
        return
    if not answered:
        await query.answer()
    assert isinstance(query.message, Message)
    if action is Action.ANSWER:
        await _show_prepared(who, context, query.message, found)
    asked = await query.message.reply_text(
        _question(who, context, action, found, target), reply_markup=ForceReply(selective=False)
    )
    if context.user_data is not None:
        prompts = context.user_data.setdefault(PROMPTS_KEY, {})
        target_id = target[0] if target is not None else 0
        prompts[asked.message_id] = (action.value, case_id, query.message.message_id, target_id)
        for stale in sorted(prompts)[:-MAX_OPEN_PROMPTS]:
            prompts.pop(stale, None)


async def _prepared(who: Viewer, context: BotContext, case_id: int) -> str | None:
    facts = await answer_facts(context.services.db, case_id)
    return prepared_answer(who.t, facts) if facts is not None else None


async def _show_prepared(
    who: Viewer, context: BotContext, message: Message, found: DeskCase
) -> None:
    """The prepared answer, with the button that sends it unedited."""
    text = await _prepared(who, context, found.case_id)
    if text is None:
        return
    t = who.t
    await message.reply_text(
        t.gettext("Prepared answer to {number}:", number=found.number) + "\n\n" + escape(text),
        reply_markup=InlineKeyboardMarkup(
            [[ROUTE.button(t.gettext("Send this answer and close"), "asis", found.case_id)]]
        ),
    )


def _record_first(t: Translator, action: Action) -> str:
    if action is Action.ANSWER:
        return t.gettext(
            "Record what the case was found to be first: press Answer and close again."
        )
    return t.gettext("Record what the case was found to be first: press Close again.")


async def answer_as_prepared(
    update: Update, context: BotContext, who: Viewer, case_id: int
) -> None:
    """答复办结 with the prepared answer as it is (re-checked: the owner, a verified case)."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    t, svc = who.t, context.services
    found = await desk.desk_case(svc.db, case_id)
    refused = refusal(Action.ANSWER, actor_of(who), found.facts) if found is not None else None
    text = await _prepared(who, context, case_id) if found is not None else None
    if found is None or text is None:
        await query.answer(t.gettext("This case no longer exists."))
        return
    if refused is not None:
        await query.answer(refusal_text(t, refused), show_alert=True)
        return
    record = record_of(context, case_id)
    if record is None:  # the finding is recorded first (handlers/desk/closing.py)
        await query.answer(_record_first(t, Action.ANSWER), show_alert=True)
        return
    now, today = svc.clock.now(), local_today(context)
    result = await desk.answer(
        svc.db, case_id, actor_of(who), text, today=today, now=now, record=record
    )
    if result.outcome is Outcome.OK:
        drop(context, case_id)
    if result.outcome is not Outcome.OK or result.change is None:
        await query.answer(outcome_notice(t, result), show_alert=True)
        return
    await query.answer()
    await close_keyboard(update)
    await query.message.reply_text(
        await tell_after(context, who, Action.ANSWER, result, text, None)
    )
    await refresh_staff_card(context, case_id)


PROMPT_REPLY = RepliesTo(PROMPT_MARK)


async def on_prompt_reply(update: Update, context: BotContext) -> None:
    """The handler answered a prompt: carry out the action with that text."""
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
    answers = action in (Action.REPLY, Action.ANSWER)
    limit = svc.settings.text_max_chars if answers else SUMMARY_MAX_CHARS
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
    deadline: date | None = None
    if action is Action.REPLY:
        result = await desk.reply(svc.db, case_id, actor, text, today=today, now=now)
    elif action is Action.DISPATCH:
        deadline = date.fromordinal(target_id)
        result = await desk.dispatch(svc.db, case_id, actor, deadline, text, today=today, now=now)
    elif action is Action.TRANSFER:
        result = await desk.transfer(svc.db, case_id, actor, target_id, text, today=today, now=now)
    else:
        record = record_of(context, case_id)
        if record is None:  # the finding is recorded first (handlers/desk/closing.py)
            await message.reply_text(_record_first(t, action))
            return
        close = desk.answer if action is Action.ANSWER else desk.close
        result = await close(svc.db, case_id, actor, text, today=today, now=now, record=record)
        if result.outcome is Outcome.OK:
            drop(context, case_id)
    prompts.pop(message.reply_to_message.message_id, None)
    if result.outcome is not Outcome.OK or result.change is None:
        await message.reply_text(outcome_notice(t, result))
        return
    await message.reply_text(await tell_after(context, who, action, result, text, deadline))
    await refresh_staff_card(context, case_id)
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
