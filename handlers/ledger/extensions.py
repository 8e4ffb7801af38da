"""Extensions (延期) in the chat: why a request cannot be made, telling whoever decides it (with
approve / refuse buttons), their press, and telling the unit head the decision.

The decision buttons carry only the request's id; each press re-reads the request, its item
and the case it came from, and checks the presser is the one who decides (the case owner, or
the superior set in config for the unit). A second press, or a replay by anyone else,
changes nothing and reveals nothing of the item.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.ledger.extensions import ExtensionProblem, ExtensionStatus
from handlers.context import BotContext, viewer
from handlers.i18n import Catalogs, Translator, escape
from handlers.ledger.views import cut
from handlers.ui.callbacks import Route, pressed
from storage.ledger import extensions as store
from storage.ledger.extensions import Asked, Decided

log = logging.getLogger(__name__)
ROUTE = Route("ext")
PATTERN = ROUTE.pattern
DESCRIPTION_CHARS = 60


def extension_problem(t: Translator, problem: ExtensionProblem) -> str:
    match problem:
        case ExtensionProblem.NO_DEADLINE:
            return t.gettext("This item has no deadline to extend.")
        case ExtensionProblem.PASSED:
            return t.gettext("The deadline has passed: an extension must be asked for before it.")
        case ExtensionProblem.PENDING:
            return t.gettext("An extension for this item is already awaiting a decision.")
        case ExtensionProblem.NOT_LATER:
            return t.gettext("Ask for a day after the current deadline.")
        case ExtensionProblem.AFTER_CAMPAIGN:
            return t.gettext("That day is after the end of the campaign.")
        case ExtensionProblem.NOT_ALLOWED:
            return t.gettext("Only the unit's head can ask for more time on this item.")


def decision_keyboard(t: Translator, extension_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                ROUTE.button(t.gettext("✅ Approve"), "ok", extension_id),
                ROUTE.button(t.gettext("✖ Refuse"), "no", extension_id),
            ]
        ]
    )


async def tell_decider(context: BotContext, asked: Asked) -> bool:
    """Send the request to whoever decides it; False when nobody could be told."""
    ext, item = asked.extension, asked.item
    if asked.decider_chat is None or ext is None or item is None or ext.id is None:
        return False
    t = context.services.catalogs.get(asked.decider_language)
    text = t.gettext(
        "⏳ {unit} asks for more time on item {seq} ({description}): from {old} to {new}.\n"
        "Reason: {reason}",
        unit=asked.unit_name,
        seq=item.seq,
        description=cut(item.description, DESCRIPTION_CHARS),
        old=t.date(ext.from_deadline),
        new=t.date(ext.to_deadline),
        reason=escape(ext.reason),
    )
    try:
        await context.bot.send_message(
            asked.decider_chat, text, reply_markup=decision_keyboard(t, ext.id)
        )
    except TelegramError as error:
        log.info("extension %s not delivered: %s", ext.id, type(error).__name__)
        return False
    return True


async def on_button(update: Update, context: BotContext) -> None:
    """Approve or refuse, pressed by whoever was asked (re-checked)."""
    query = update.callback_query
    press = pressed(update)
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t = who.t
    number = press.number() if press is not None else None
    if press is None or press.action not in ("ok", "no") or number is None:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    svc = context.services
    member_id = who.membership.member.id if who.membership is not None else None
    decided = await store.decide(
        svc.db,
        number,
        approve=press.action == "ok",
        member_id=member_id,
        telegram_user_id=who.telegram_user_id,
        superiors=svc.settings.superiors,
        now=svc.clock.now(),
    )
    if decided.outcome in (Outcome.GONE, Outcome.REFUSED):
        await query.answer(t.gettext("Only whoever decides this extension can do this."))
        return
    if decided.outcome is not Outcome.OK:
        await query.answer(t.gettext("This extension has been decided already."))
        return
    await query.answer()
    summary = _decided_text(t, decided)
    try:
        await query.edit_message_text(summary)
    except TelegramError as error:
        log.info("extension message not edited: %s", type(error).__name__)
    await _tell_requester(context.services.catalogs, context, decided)


def _decided_text(t: Translator, decided: Decided) -> str:
    ext, item = decided.extension, decided.item
    assert ext is not None and item is not None
    values = {
        "unit": decided.unit_name,
        "seq": item.seq,
        "old": t.date(ext.from_deadline),
        "new": t.date(ext.to_deadline),
    }
    if ext.status == ExtensionStatus.APPROVED:
        return t.gettext(
            "Extension approved: {unit}, item {seq}, now due {new} (was {old}).", **values
        )
    return t.gettext(
        "Extension refused: {unit}, item {seq} stays due {old} (asked {new}).", **values
    )


async def _tell_requester(catalogs: Catalogs, context: BotContext, decided: Decided) -> None:
    if decided.requester_chat is None:
        return
    t = catalogs.get(decided.requester_language)
    try:
        await context.bot.send_message(decided.requester_chat, _decided_text(t, decided))
    except TelegramError as error:
        log.info("extension decision not delivered: %s", type(error).__name__)
