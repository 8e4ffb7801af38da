"""What the inbox's actions tell people after the commit: the reporter gets the owner's
reply in their language, a complainant the hotline's content-free notice (they read the reply
with /status and their receipt); a handler gets the case transferred to them; the unit's heads
a dispatched case. And the presser is told why an action was refused."""

from __future__ import annotations

import logging
from datetime import date

from telegram import Bot
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.desk.rules import Action, Refusal
from handlers.context import BotContext, Viewer
from handlers.desk.dispatch import tell_unit_heads
from handlers.hotline.push import notify_author
from handlers.i18n import Catalogs, Translator, escape
from handlers.report.notify import notify_reporter
from handlers.ui.outcomes import Noun, outcome_text
from storage.desk.actions import DeskResult

log = logging.getLogger(__name__)


async def send_reply_to_reporter(
    bot: Bot, catalogs: Catalogs, result: DeskResult, body: str
) -> bool:
    """The owner's answer, in the reporter's language; False when it could not be sent."""
    change = result.change
    if change is None or change.reporter_telegram_id is None:
        return False
    t = catalogs.get(change.reporter_language)
    text = (
        t.gettext("Reply to your report {number}:", number=change.number)
        + "\n\n"
        + escape(body)
        + "\n\n"
        + t.gettext("Send /mine to see all your reports.")
    )
    try:
        await bot.send_message(change.reporter_telegram_id, text)
    except TelegramError as error:
        log.info("reply on case %s not delivered: %s", change.case_id, type(error).__name__)
        return False
    return True


async def tell_new_owner(
    bot: Bot, catalogs: Catalogs, result: DeskResult, who: Viewer, reason: str
) -> None:
    owner, change = result.new_owner, result.change
    if owner is None or change is None:
        return
    t = catalogs.get(owner.language)
    name = who.membership.member.display_name if who.membership is not None else ""
    text = t.gettext(
        "{name} transferred {number} to you. Reason: {reason}\nOpen it from /inbox (Mine).",
        name=name,
        number=change.number,
        reason=reason,
    )
    try:
        await bot.send_message(owner.telegram_user_id, text)
    except TelegramError as error:
        log.info("transfer notice for %s not delivered: %s", change.case_id, type(error).__name__)


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
    """A refused desk action: the rule's own reason, else what the outcome says."""
    if result.outcome is Outcome.REFUSED and result.refusal not in (None, Refusal.WRONG_STATUS):
        return refusal_text(t, result.refusal)
    outcome = Outcome.INVALID if result.outcome is Outcome.REFUSED else result.outcome
    noun = Noun.COMPLAINT if result.kind == "complaint" else Noun.CASE
    return outcome_text(t, outcome, noun, status=result.status)


async def tell_after(
    context: BotContext,
    who: Viewer,
    action: Action,
    result: DeskResult,
    text: str,
    deadline: date | None,
) -> str:
    """Tell whom `action` concerns (as the case's kind allows); the presser's confirmation."""
    t, svc = who.t, context.services
    change = result.change
    assert change is not None
    number, complaint = change.number, result.kind == "complaint"
    if complaint and change.case_id and action in (Action.REPLY, Action.CLOSE, Action.ANSWER):
        await notify_author(context, change.case_id, result.sealed_push)
    if action is Action.REPLY:
        if complaint:
            return t.gettext(
                "Reply to {pseudonym} stored; the complainant reads it with /status.",
                pseudonym=number,
            )
        if change.reporter_telegram_id is None:
            return t.gettext("Reply to {number} stored.", number=number)
        if await send_reply_to_reporter(context.bot, svc.catalogs, result, text):
            return t.gettext("Reply to {number} stored and sent to the reporter.", number=number)
        return t.gettext(
            "Reply to {number} stored; the reporter could not be reached just now.", number=number
        )
    if action is Action.TRANSFER and result.new_owner is not None:
        await tell_new_owner(context.bot, svc.catalogs, result, who, text)
        return t.gettext(
            "{number} is now with {name}; they have been told.",
            number=number,
            name=result.new_owner.display_name,
        )
    if action is Action.DISPATCH and deadline is not None:
        await tell_unit_heads(context.bot, svc.catalogs, result, deadline, text)
        await notify_reporter(context.bot, svc.catalogs, change)
        return t.ngettext(
            "{number} is dispatched to the unit; {n} unit head has been told.",
            "{number} is dispatched to the unit; {n} unit heads have been told.",
            len(result.unit_heads),
            number=number,
        )
    if action in (Action.ANSWER, Action.CLOSE) and svc.outbox is not None:
        svc.outbox.kick()  # a report's answer and the question how satisfied (回访)
    if action is Action.ANSWER:
        if complaint:
            return t.gettext(
                "{number} is answered and closed; the complainant reads the answer with /status.",
                number=number,
            )
        return t.gettext(
            "{number} is answered and closed; the reporter gets the answer and is asked to rate "
            "the handling.",
            number=number,
        )
    return t.gettext("{number} is closed.", number=number)
