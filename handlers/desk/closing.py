"""Closing a case, the accountability step (问责): before the desk's closing summary, before
the answer that closes a verified case (答复办结), or before the complaint card's close, the
staff member records what the case was found to be (属实 / 部分属实 / 不属实 / 无法核实)
and, when it was substantiated, each handling taken (from the configured list) with the
persons or units held accountable and the day it was decided.

The record is written with the close itself (`storage.cases.accountability`, inside
`move_case`), never before: pressing these buttons only fills the presser's own draft. Every
press re-checks that the presser may close the case now; a press by anyone else finds no
draft and changes nothing.
"""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update

from domain.cases.accountability import (
    SUBSTANTIATED,
    Finding,
    Handling,
    PartyProblem,
    parse_parties,
)
from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.desk.rules import Action, refusal
from domain.hotline.rules import clean_text
from domain.membership.roles import Role
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import RepliesTo
from handlers.desk.cards import refresh_staff_card
from handlers.desk.closing_record import begin, draft_of, drop, record_of
from handlers.desk.inbox import actor_of
from handlers.desk.notices import refusal_text
from handlers.desk.prompts import prompt
from handlers.hotline.push import notify_author
from handlers.i18n import Translator, escape
from handlers.ui.callbacks import Route, pressed
from handlers.ui.dates import local_today
from handlers.ui.labels import finding_label, handling_label
from handlers.ui.outcomes import Noun, outcome_text
from handlers.ui.presses import neutral
from storage.cases import complaint_staff
from storage.cases.accountability import unknown_units
from storage.desk import actions as desk

log = logging.getLogger(__name__)
ROUTE = Route("close")
PATTERN = ROUTE.pattern
PROMPT_MARK = "⚖️"
PROMPT_REPLY = RepliesTo(PROMPT_MARK)
DESK, HOTLINE = "desk", "hotline"
ANSWER = "answer"  # 答复办结 of a verified case: the record first, then the answer
PROMPTS_KEY = "closing:prompts"


async def _refusal(
    update: Update, context: BotContext, who: Viewer, case_id: int, where: str
) -> str | None:
    """Why `who` may not close the case here now (None: they may)."""
    t = who.t
    if where == HOTLINE:
        chat = update.effective_chat
        staff = who.role in (Role.CASE_OFFICER, Role.ADMIN)
        if not staff or chat is None or chat.id != context.services.settings.staff_chat:
            return t.gettext("Only case handlers and administrators can do this.")
        found = await desk.desk_case(context.services.db, case_id)
        if found is None or found.kind != "complaint":
            return t.gettext("This complaint no longer exists.")
        if found.facts.status != CaseStatus.ANSWERED:
            return t.gettext("Reply to the complainant before closing the complaint.")
        if found.facts.owner_member_id is None:  # 谁受理谁负责: closing needs someone responsible
            return t.gettext("Accept the complaint first: closing needs someone responsible.")
        return None
    found = await desk.desk_case(context.services.db, case_id)
    if found is None:
        return t.gettext("This case no longer exists.")
    action = Action.ANSWER if where == ANSWER else Action.CLOSE
    refused = refusal(action, actor_of(who), found.facts)
    return refusal_text(t, refused) if refused is not None else None


def _findings_keyboard(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    rows = [[ROUTE.button(finding_label(t, f), "f", case_id, i)] for i, f in enumerate(Finding)]
    rows.append([ROUTE.button(t.gettext("Cancel"), "x", case_id)])
    return InlineKeyboardMarkup(rows)


def _handlings_keyboard(
    t: Translator, handlings: tuple[Handling, ...], case_id: int
) -> InlineKeyboardMarkup:
    rows = [
        [ROUTE.button(h.name_for(t.language), "h", case_id, i)] for i, h in enumerate(handlings)
    ]
    rows.append([ROUTE.button(t.gettext("Done: close the case"), "d", case_id)])
    rows.append([ROUTE.button(t.gettext("Cancel"), "x", case_id)])
    return InlineKeyboardMarkup(rows)


def _so_far(t: Translator, context: BotContext, case_id: int) -> str:
    found = draft_of(context, case_id) or {}
    handlings = context.services.settings.handlings
    lines = [t.gettext("Finding: {finding}", finding=finding_label(t, found["finding"]))]
    for key, name, unit, day in found.get("entries", []):
        lines.append(
            t.gettext(
                "· {handling}: {party} ({day})",
                handling=handling_label(t, handlings, key),
                party=escape(name) if name else "#" + escape(unit or ""),
                day=day,
            )
        )
    lines.append(
        t.gettext("Choose a handling taken to add who was held accountable, or Done to close.")
    )
    return "\n".join(lines)


async def start(update: Update, context: BotContext, who: Viewer, case_id: int, where: str) -> None:
    """Close pressed: check, then ask what the case was found to be."""
    query = update.callback_query
    assert query is not None
    refused = await _refusal(update, context, who, case_id, where)
    if refused is not None:
        await query.answer(refused, show_alert=True)
        return
    begin(context, case_id, where)
    await query.answer()
    assert isinstance(query.message, Message)
    found = await desk.desk_case(context.services.db, case_id)
    number = found.number if found is not None else ""
    await query.message.reply_text(
        who.t.gettext(
            "Closing {number}: what was the complaint or report found to be?", number=number
        ),
        reply_markup=_findings_keyboard(who.t, case_id),
    )


async def on_button(update: Update, context: BotContext) -> None:
    """A finding, a handling, Done or Cancel."""
    query = update.callback_query
    press = pressed(update)
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t = who.t
    values = press.numbers(negative=True) if press is not None else None
    found = draft_of(context, values[0]) if values else None
    if press is None or not values or found is None:
        await query.answer(neutral(t))
        return
    case_id, where = values[0], found["where"]
    refused = await _refusal(update, context, who, case_id, where)
    if refused is not None:
        drop(context, case_id)
        await query.answer(refused, show_alert=True)
        return
    handlings = context.services.settings.handlings
    if press.action == "x":
        drop(context, case_id)
        await query.answer()
        await query.edit_message_text(t.gettext("Closing cancelled; nothing was saved."))
        return
    if press.action == "f" and len(values) == 2 and 0 <= values[1] < len(Finding):
        finding = list(Finding)[values[1]]
        found["finding"], found["entries"] = finding.value, []
        await query.answer()
        if finding in SUBSTANTIATED:
            await query.edit_message_text(
                _so_far(t, context, case_id),
                reply_markup=_handlings_keyboard(t, handlings, case_id),
            )
            return
        await _finish(update, context, who, case_id)
        return
    if found.get("finding") is None:
        await query.answer(neutral(t))
        return
    if press.action == "h" and len(values) == 2 and 0 <= values[1] < len(handlings):
        found["handling"] = handlings[values[1]].key
        await query.answer()
        assert isinstance(query.message, Message)
        asked = await query.message.reply_text(
            t.gettext(
                "{mark} {handling}: reply with who was held accountable, one per line: a "
                "person's name, or # and a unit's code (#SCH001); add the day it was decided "
                "after a space (2027-04-02), or it is today.",
                mark=PROMPT_MARK,
                handling=handling_label(t, handlings, found["handling"]),
            ),
            reply_markup=ForceReply(selective=True),
        )
        if context.user_data is not None:
            context.user_data.setdefault(PROMPTS_KEY, {})[asked.message_id] = (
                case_id,
                query.message.message_id,
            )
        return
    if press.action == "d":
        await query.answer()
        await _finish(update, context, who, case_id)
        return
    await query.answer(neutral(t))


def _party_problem(t: Translator, problem: PartyProblem, line: int) -> str:
    match problem:
        case PartyProblem.EMPTY:
            return t.gettext("Write at least one name or unit code.")
        case PartyProblem.TOO_MANY:
            return t.gettext("At most {n} lines at once.", n=line - 1)
        case PartyProblem.NAME_TOO_LONG:
            return t.gettext("Line {line}: the name is too long.", line=line)
        case PartyProblem.BAD_DATE:
            return t.gettext("Line {line}: I cannot read that day.", line=line)
        case PartyProblem.FUTURE_DATE:
            return t.gettext("Line {line}: the day is in the future.", line=line)


async def on_parties(update: Update, context: BotContext) -> None:
    """The answer to a "who was held accountable" prompt."""
    message = update.effective_message
    who = await viewer(update, context)
    if message is None or message.reply_to_message is None or who is None:
        return
    t = who.t
    prompts = context.user_data.get(PROMPTS_KEY, {}) if context.user_data is not None else {}
    asked = prompts.get(message.reply_to_message.message_id)
    found = draft_of(context, asked[0]) if asked is not None else None
    if asked is None or found is None or found.get("handling") is None:
        await message.reply_text(t.gettext("This prompt has expired. Press Close again."))
        return
    case_id, card_id = asked
    if await _refusal(update, context, who, case_id, found["where"]) is not None:
        drop(context, case_id)
        await message.reply_text(t.gettext("This case can no longer be closed by you."))
        return
    parsed = parse_parties(clean_text(message.text or ""), local_today(context))
    if isinstance(parsed, tuple):
        await message.reply_text(_party_problem(t, *parsed) + "\n" + t.gettext("Reply again."))
        return
    codes = [p.unit_code for p in parsed if p.unit_code is not None]
    unknown = await unknown_units(context.services.db, codes)
    if unknown:
        await message.reply_text(
            t.gettext("No unit has the code {codes}. Reply again.", codes=", ".join(unknown))
        )
        return
    for party in parsed:
        found["entries"].append(
            (found["handling"], party.name, party.unit_code, party.decided_on.isoformat())
        )
    found["handling"] = None
    prompts.pop(message.reply_to_message.message_id, None)
    await context.bot.send_message(
        message.chat_id,
        _so_far(t, context, case_id),
        reply_markup=_handlings_keyboard(t, context.services.settings.handlings, case_id),
    )
    log.debug("closing card %s answered", card_id)


async def _finish(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    """The desk asks for the closing summary next, 答复办结 for the answer (prepared or the
    owner's own); the complaint card closes now. The record is written with that move."""
    found = draft_of(context, case_id)
    assert found is not None
    if found["where"] in (DESK, ANSWER):
        action = Action.ANSWER if found["where"] == ANSWER else Action.CLOSE
        await prompt(update, context, who, action, case_id, answered=True)
        return
    record = record_of(context, case_id)
    svc, t = context.services, who.t
    view = await desk.desk_case(svc.db, case_id)
    result = await complaint_staff.finish(
        svc.db,
        view.number if view is not None else "",
        CaseStatus.CLOSED,
        member_id=actor_of(who).member_id,
        now=svc.clock.now(),
        today=local_today(context),
        record=record,
    )
    drop(context, case_id)
    query = update.callback_query
    assert query is not None
    if result.outcome is Outcome.INVALID:
        await query.edit_message_text(
            t.gettext("Reply to the complainant before closing the complaint.")
        )
        return
    if result.outcome is Outcome.REFUSED:  # 谁受理谁负责: closing needs someone responsible
        await query.edit_message_text(
            t.gettext("Accept the complaint first: closing needs someone responsible.")
        )
        return
    if result.outcome is not Outcome.OK:
        await query.edit_message_text(
            outcome_text(t, result.outcome, Noun.COMPLAINT, status=result.status)
        )
        return
    number = view.number if view is not None else ""
    await query.edit_message_text(t.gettext("{pseudonym} is closed.", pseudonym=number))
    if result.case_id is not None:
        await notify_author(context, result.case_id, result.sealed_push)
        await refresh_staff_card(context, result.case_id)
