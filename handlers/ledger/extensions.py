"""Extensions (延期) in the chat: why a request cannot be made, the words of the notices that
tell whoever decides it (with approve / refuse buttons) and the unit head the decision (written
into the outbox by `storage.ledger.extensions`, sent by the one paced sender), and the press.

The decision buttons carry only the request's id; each press re-reads the request, its item
and the case it came from, and checks the presser is the one who decides (the case owner, or
the superior set in config for the unit). A second press, or a replay by anyone else,
changes nothing and reveals nothing of the item.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from domain.cases.loop import Notice
from domain.cases.outcome import Outcome
from domain.ledger.extensions import ExtensionProblem, ExtensionStatus
from handlers.context import BotContext, viewer
from handlers.i18n import Translator
from handlers.ledger.views import cut
from handlers.ui.callbacks import Route, pressed
from handlers.ui.presses import neutral
from storage.ledger import extensions as store
from storage.ledger.extensions import Decided

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


def compose_extension_notice(
    t: Translator, payload: Mapping[str, object]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The words of an extension's notice from its outbox payload: the request, with approve /
    refuse, to whoever decides it; the decision to the unit head who asked."""
    values = {
        "unit": payload.get("unit", ""),
        "seq": payload.get("seq", ""),
        "old": t.date(date.fromisoformat(str(payload.get("old")))),
        "new": t.date(date.fromisoformat(str(payload.get("new")))),
    }
    if payload.get("notice") == Notice.EXTENSION_ASKED:
        text = t.gettext(
            "⏳ {unit} asks for more time on item {seq} ({description}): from {old} to {new}.\n"
            "Reason: {reason}",
            description=cut(str(payload.get("description", "")), DESCRIPTION_CHARS),
            reason=str(payload.get("reason", "")),
            **values,
        )
        return text, decision_keyboard(t, int(str(payload.get("extension_id") or 0)))
    return _decided_words(t, str(payload.get("status")), values), None


def kick_outbox(context: BotContext) -> None:
    """The notice a request or decision wrote goes out now, not at the sweep's next tick."""
    if context.services.outbox is not None:
        context.services.outbox.kick()


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
        await query.answer(neutral(t))
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
        await query.answer(neutral(t))
        return
    if decided.outcome is not Outcome.OK:
        await query.answer(t.gettext("This extension has been decided already."))
        return
    await query.answer()
    kick_outbox(context)
    summary = _decided_text(t, decided)
    try:
        await query.edit_message_text(summary)
    except TelegramError as error:
        log.info("extension message not edited: %s", type(error).__name__)


def _decided_text(t: Translator, decided: Decided) -> str:
    ext, item = decided.extension, decided.item
    assert ext is not None and item is not None
    values = {
        "unit": decided.unit_name,
        "seq": item.seq,
        "old": t.date(ext.from_deadline),
        "new": t.date(ext.to_deadline),
    }
    return _decided_words(t, ext.status, values)


def _decided_words(t: Translator, status: str, values: Mapping[str, object]) -> str:
    if status == ExtensionStatus.APPROVED:
        return t.gettext(
            "Extension approved: {unit}, item {seq}, now due {new} (was {old}).", **values
        )
    return t.gettext(
        "Extension refused: {unit}, item {seq} stays due {old} (asked {new}).", **values
    )
