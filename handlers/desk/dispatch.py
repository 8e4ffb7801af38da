"""Dispatching a case (a report, complaint or finding) to its unit (派单) from the inbox: the
deadline is asked first (parsed and checked like the ledger's deadlines), then the
rectification requirement; once stored, the unit's heads are told. The prompts live in the
handler's `user_data`."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from telegram import Bot, ForceReply, Message, Update
from telegram.error import TelegramError

from domain.ledger.deadlines import DeadlineProblem, read_deadline
from handlers.context import BotContext, Viewer
from handlers.desk.inbox import PROMPT_MARK
from handlers.i18n import Catalogs
from handlers.ledger.pickers import deadline_problem
from handlers.ui.dates import local_today
from storage.desk import actions as desk
from storage.desk.actions import DeskResult

log = logging.getLogger(__name__)
REQUIREMENT_MAX_CHARS = 1000


async def dispatch_deadline(
    update: Update,
    context: BotContext,
    who: Viewer,
    prompts: dict[int, Any],
    found: tuple[Any, ...],
) -> None:
    """The answer to the deadline prompt: check it, then ask for the requirement."""
    message = update.effective_message
    assert isinstance(message, Message) and message.reply_to_message is not None
    t, svc = who.t, context.services
    campaign = svc.settings.campaign
    case_id, card_id = int(found[1]), int(found[2])
    deadline = read_deadline(message.text or "", local_today(context), campaign)
    if isinstance(deadline, DeadlineProblem):
        await message.reply_text(
            deadline_problem(t, deadline, campaign) + "\n" + t.gettext("Reply to the prompt again.")
        )
        return
    case = await desk.desk_case(svc.db, case_id)
    if case is None:
        await message.reply_text(t.gettext("This case no longer exists."))
        return
    prompts.pop(message.reply_to_message.message_id, None)
    prompt = await message.reply_text(
        t.gettext(
            "{mark} {number}: deadline {day}. Now reply to this message with the rectification "
            "requirement for the unit (at most {limit} characters).",
            mark=PROMPT_MARK,
            number=case.number,
            day=t.date(deadline),
            limit=REQUIREMENT_MAX_CHARS,
        ),
        reply_markup=ForceReply(selective=False),
    )
    prompts[prompt.message_id] = ("dispatch", case_id, card_id, deadline.toordinal())


async def tell_unit_heads(
    bot: Bot, catalogs: Catalogs, result: DeskResult, deadline: date, requirement: str
) -> None:
    """A message to each active head of the unit: what to rectify and by when."""
    if result.change is None:
        return
    for head in result.unit_heads:
        t = catalogs.get(head.language)
        text = t.gettext(
            "The campaign office dispatched {number} to your unit for rectification by {day}.\n"
            "Requirement: {requirement}\nSet the measure and the person responsible with /ledger.",
            number=result.change.number,
            day=t.date(deadline),
            requirement=requirement,
        )
        try:
            await bot.send_message(head.telegram_user_id, text)
        except TelegramError as error:
            log.info("dispatch notice not delivered: %s", type(error).__name__)
