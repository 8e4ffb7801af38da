"""退单: the head of the unit a case was dispatched to sends it back to the desk, with a reason.

The ledger card's "return" button (`desk:v1:rt:<item>.<version>`) asks for the reason with a 📌
prompt; the answer is checked (1 to RETURN_REASON_MAX characters), stored in one transaction
against the version the button carried (a double press returns once), and the case's owner is
told in private with the reason.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message, Update
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.desk.followup import RETURN_REASON_MAX, ReturnFacts, return_refusal, text_problem
from domain.hotline.rules import clean_text
from handlers.context import BotContext, Viewer
from handlers.desk.followups.common import (
    PROMPT_MARK,
    ask,
    forget_prompt,
    press_refusal,
    refresh_staff_card,
    refusal_text,
    too_long,
)
from handlers.i18n import Catalogs
from handlers.ledger.views import actor_of
from handlers.ui.presses import neutral
from storage.desk import returns as desk_returns
from storage.desk.returns import ReturnResult
from storage.ledger import queries as ledger_queries

log = logging.getLogger(__name__)
RETURN = "return"


async def ask_reason(
    update: Update, context: BotContext, who: Viewer, item_id: int, version: int
) -> None:
    """The return button: check it applies now, then ask for the reason."""
    query = update.callback_query
    assert query is not None
    t = who.t
    card = await ledger_queries.item_card(context.services.db, item_id)
    if card is None:
        await query.answer(neutral(t))
        return
    item = card.item
    facts = ReturnFacts(item.unit_id, item.status, item.source_case_id, "in_progress")
    refused = return_refusal(actor_of(who), facts)
    if refused is not None:
        await query.answer(press_refusal(t, refused), show_alert=True)
        return
    if item.version != version:
        await query.answer(t.gettext("This item has changed since; open it again."))
        return
    await query.answer()
    assert isinstance(query.message, Message)
    text = t.gettext(
        "{mark} Item {seq}: reply to this message with the reason for returning the case to "
        "the campaign office (at most {limit} characters).",
        mark=PROMPT_MARK,
        seq=item.seq,
        limit=RETURN_REASON_MAX,
    )
    await ask(context, query.message, text, (RETURN, item_id, version))


async def store_return(
    update: Update, context: BotContext, who: Viewer, item_id: int, version: int
) -> None:
    """The reason was given: return the item, tell its case's owner."""
    message = update.effective_message
    assert message is not None
    t, svc = who.t, context.services
    reason = clean_text(message.text or "")
    problem = text_problem(reason, RETURN_REASON_MAX)
    if problem is not None:
        await message.reply_text(too_long(t, problem, RETURN_REASON_MAX))
        return
    result = await desk_returns.return_item(
        svc.db, item_id, version, actor_of(who), reason, now=svc.clock.now()
    )
    forget_prompt(context, message)
    if result.outcome is Outcome.REFUSED:
        await message.reply_text(refusal_text(t, result.refusal))
        return
    if result.outcome is not Outcome.OK or result.case_id is None:
        await message.reply_text(
            t.gettext("This item has changed since (it may be returned already). Open it again.")
        )
        return
    told = await tell_owner(context.bot, svc.catalogs, result, reason)
    await message.reply_text(
        t.gettext(
            "{number} is returned to the campaign office and off your list.", number=result.number
        )
        + ("" if told else "\n" + t.gettext("Nobody at the office could be told just now."))
    )
    await refresh_staff_card(context, result.case_id)


async def tell_owner(bot: Bot, catalogs: Catalogs, result: ReturnResult, reason: str) -> bool:
    """The owner learns in private that the unit sent the case back, and why."""
    owner = result.owner
    if owner is None:
        return False
    t = catalogs.get(owner.language)
    text = t.gettext(
        "{unit} returned {number} to the desk (退单). Reason: {reason}\n"
        "It is back with you: open it from /inbox to dispatch it again or handle it.",
        unit=result.unit_name or "—",
        number=result.number,
        reason=reason,
    )
    try:
        await bot.send_message(owner.telegram_user_id, text)
    except TelegramError as error:
        log.info("return notice for %s not delivered: %s", result.case_id, type(error).__name__)
        return False
    return True
