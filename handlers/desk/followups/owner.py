"""The owner asks the reporter a question (the case then waits for the answer; the reporter
answers by replying to the ❓ message) or changes the case's status by hand (in progress, or
not accepted with a reason the reporter reads). Named reports only; every step re-checked."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.desk.followup import (
    ANSWER_MAX,
    QUESTION_MAX,
    RETURN_REASON_MAX,
    FollowRefusal,
    OwnerAct,
    explicit_targets,
    needs_reason,
    owner_refusal,
    text_problem,
)
from domain.hotline.rules import clean_text
from handlers.context import BotContext, Viewer, viewer
from handlers.desk.followups.common import (
    PROMPT_MARK,
    QUESTION_MARK,
    ROUTE,
    ask,
    forget_prompt,
    press_refusal,
    refresh_staff_card,
    refusal_text,
    too_long,
)
from handlers.desk.inbox import actor_of, desk_person
from handlers.i18n import escape
from handlers.report.notify import notify_reporter
from handlers.ui.dates import local_today
from handlers.ui.labels import status_label
from storage.desk import notes as desk_notes
from storage.desk import owner as desk_owner
from storage.desk.owner import OwnerResult

log = logging.getLogger(__name__)
ACTIONS = ("q", "s", "ss")
PROMPTS = ("question", "reject")
# Button codes of the statuses the owner may set (callback data stays short).
_CODES: dict[int, CaseStatus] = {1: CaseStatus.IN_PROGRESS, 2: CaseStatus.REJECTED}
_NUMBER = re.compile(r"R-\d{4}-\d{4,}")


async def on_button(
    update: Update, context: BotContext, who: Viewer, action: str, case_id: int, code: int
) -> None:
    query = update.callback_query
    assert query is not None
    if await desk_person(update, context) is None:
        return
    t = who.t
    head = await desk_notes.case_head(context.services.db, case_id)
    if head is None:
        await query.answer(t.gettext("This case no longer exists."))
        return
    act = OwnerAct.ASK if action == "q" else OwnerAct.STATUS
    refused = owner_refusal(act, actor_of(who), head.kind, head.facts)
    target = _CODES.get(code)
    if refused is None and action == "ss" and target not in explicit_targets(head.facts.status):
        refused = FollowRefusal.WRONG_STATUS
    if refused is not None:
        await query.answer(press_refusal(t, refused), show_alert=True)
        return
    await query.answer()
    assert isinstance(query.message, Message)
    if action == "q":
        text = t.gettext(
            "{mark} {number}: reply to this message with your question for the reporter "
            "(at most {limit} characters). The case will wait for the answer.",
            mark=PROMPT_MARK,
            number=head.number,
            limit=QUESTION_MAX,
        )
        await ask(context, query.message, text, ("question", case_id))
    elif action == "s":
        rows = [
            [ROUTE.button(status_label(t, s), "ss", case_id, c)]
            for c, s in _CODES.items()
            if s in explicit_targets(head.facts.status)
        ]
        await query.message.reply_text(
            t.gettext(
                "{number} is {status}. Set it to:",
                number=head.number,
                status=status_label(t, head.facts.status),
            ),
            reply_markup=InlineKeyboardMarkup(rows),
        )
    elif target is not None and needs_reason(target):
        text = t.gettext(
            "{mark} {number}: reply to this message with the reason for not accepting the "
            "report; the reporter will read it (at most {limit} characters).",
            mark=PROMPT_MARK,
            number=head.number,
            limit=RETURN_REASON_MAX,
        )
        await ask(context, query.message, text, ("reject", case_id))
    elif target is not None:
        result = await desk_owner.set_status(
            context.services.db,
            case_id,
            actor_of(who),
            target,
            None,
            today=local_today(context),
            now=context.services.clock.now(),
        )
        await _done(context, who, query.message, result)


async def on_answer(
    update: Update, context: BotContext, who: Viewer, what: tuple[Any, ...]
) -> None:
    """The question's or the reason's text."""
    message = update.effective_message
    assert message is not None
    if await desk_person(update, context) is None:
        return
    t, svc = who.t, context.services
    text = clean_text(message.text or "")
    limit = QUESTION_MAX if what[0] == "question" else RETURN_REASON_MAX
    problem = text_problem(text, limit)
    if problem is not None:
        await message.reply_text(too_long(t, problem, limit))
        return
    forget_prompt(context, message)
    case_id, today, now = int(what[1]), local_today(context), svc.clock.now()
    if what[0] == "question":
        result = await desk_owner.ask(svc.db, case_id, actor_of(who), text, today=today, now=now)
    else:
        result = await desk_owner.set_status(
            svc.db, case_id, actor_of(who), CaseStatus.REJECTED, text, today=today, now=now
        )
    await _done(
        context,
        who,
        message,
        result,
        question=text if what[0] == "question" else None,
        reason=text if what[0] == "reject" else None,
    )


async def _done(
    context: BotContext,
    who: Viewer,
    message: Message,
    result: OwnerResult,
    *,
    question: str | None = None,
    reason: str | None = None,
) -> None:
    """Tell the presser, then the reporter, then refresh the staff card."""
    t, change = who.t, result.change
    if result.outcome is not Outcome.OK or change is None:
        await message.reply_text(
            refusal_text(t, result.refusal)
            if result.outcome is Outcome.REFUSED
            else t.gettext("Someone else changed this case just now. Open it again.")
        )
        return
    if question is not None:
        sent = await _send_question(context, result, question)
        said = (
            t.gettext(
                "Question sent; {number} waits for the reporter's answer.", number=change.number
            )
            if sent
            else t.gettext("Question stored; the reporter could not be reached just now.")
        )
    else:
        await notify_reporter(context.bot, context.services.catalogs, change)
        if reason is not None:
            await _send_reason(context, result, reason)
        said = t.gettext(
            "{number} is now: {status}.",
            number=change.number,
            status=status_label(t, change.to_status),
        )
    await message.reply_text(said)
    await refresh_staff_card(context, change.case_id)


async def _send_question(context: BotContext, result: OwnerResult, question: str) -> bool:
    change = result.change
    if change is None or change.reporter_telegram_id is None:
        return False
    t = context.services.catalogs.get(change.reporter_language)
    text = (
        t.gettext(
            "{mark} Question about your report {number}:", mark=QUESTION_MARK, number=change.number
        )
        + "\n\n"
        + escape(question)
        + "\n\n"
        + t.gettext("Reply to this message to answer.")
    )
    try:
        await context.bot.send_message(change.reporter_telegram_id, text)
    except TelegramError as error:
        log.info("question on case %s not delivered: %s", change.case_id, type(error).__name__)
        return False
    return True


async def _send_reason(context: BotContext, result: OwnerResult, reason: str) -> None:
    change = result.change
    if change is None or change.reporter_telegram_id is None:
        return
    t = context.services.catalogs.get(change.reporter_language)
    try:
        await context.bot.send_message(
            change.reporter_telegram_id,
            t.gettext("Reason given for {number}: {reason}", number=change.number, reason=reason),
        )
    except TelegramError as error:
        log.info("reason on case %s not delivered: %s", change.case_id, type(error).__name__)


async def on_reporter_answer(update: Update, context: BotContext) -> None:
    """The reporter replied to a ❓ question: store the answer, tell the owner."""
    message = update.effective_message
    who = await viewer(update, context)
    if message is None or who is None or message.reply_to_message is None:
        return
    t, svc = who.t, context.services
    found = _NUMBER.search(message.reply_to_message.text or "")
    member = who.membership.member if who.membership is not None else None
    body = clean_text(message.text or "")
    if found is None or member is None or member.id is None:
        await message.reply_text(t.gettext("This question is no longer open."))
        return
    problem = text_problem(body, ANSWER_MAX)
    if problem is not None:
        await message.reply_text(too_long(t, problem, ANSWER_MAX))
        return
    result = await desk_owner.answer(
        svc.db, found.group(0), member.id, body, today=local_today(context), now=svc.clock.now()
    )
    if result.outcome is not Outcome.OK or result.change is None:
        await message.reply_text(t.gettext("This question is no longer open."))
        return
    await message.reply_text(t.gettext("Thank you; your answer was passed on."))
    await _tell_owner(context, result, body)
    await refresh_staff_card(context, result.change.case_id)


async def _tell_owner(context: BotContext, result: OwnerResult, body: str) -> None:
    owner, change = result.owner, result.change
    if owner is None or change is None:
        return
    t = context.services.catalogs.get(owner.language)
    text = t.gettext(
        "The reporter answered your question on {number}: {answer}",
        number=change.number,
        answer=body,
    )
    try:
        await context.bot.send_message(owner.telegram_user_id, text)
    except TelegramError as error:
        log.info("answer notice for %s not delivered: %s", change.case_id, type(error).__name__)
