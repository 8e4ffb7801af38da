"""Changing an item through a short conversation: marking it rectified (note, then optional
evidence), a progress note, sending it back (reason), a new measure, a new deadline (with its
reason) or a new responsible person. Also the deadline, responsible and evidence steps that
adding an item shares. Each step re-reads the item; the save carries the version first seen,
so a change made meanwhile by someone else is never overwritten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from domain.cases.outcome import Outcome
from domain.ledger import rules
from domain.ledger.deadlines import local_today
from domain.ledger.extensions import ExtensionStatus, may_ask_extension, request_problem
from domain.ledger.rules import Actor, ItemFacts, LedgerStatus
from handlers.context import BotContext, Viewer, viewer
from handlers.desk.loop import after_item_move
from handlers.i18n import Html
from handlers.ledger.board import stale
from handlers.ledger.extensions import extension_problem
from handlers.ledger.pickers import (
    DEADLINE,
    EVIDENCE,
    NOTE,
    RESPONSIBLE,
    deadline_prompt,
    draft,
    end_draft,
    evidence_prompt,
    read_text,
    responsible_prompt,
    start_draft,
)
from handlers.ledger.views import actor_of, card_keyboard, card_text, facts_of, parse_cb
from handlers.ui.outcomes import Noun, outcome_text
from handlers.ui.presses import neutral
from storage.ledger import items as ledger
from storage.ledger import queries as ledger_queries
from storage.ledger.items import Change
from storage.membership import members

END = ConversationHandler.END
Check = Callable[[Actor, ItemFacts], bool]
_LIMITS = {"rect": rules.NOTE_MAX, "note": rules.NOTE_MAX, "reject": rules.REASON_MAX}


def _rectify(actor: Actor, facts: ItemFacts) -> bool:
    return rules.may_mark(actor, facts, LedgerStatus.RECTIFIED)


def _extend(actor: Actor, facts: ItemFacts) -> bool:
    return may_ask_extension(actor, facts, date.max)  # the day is checked at the press


_ENTRIES: dict[str, tuple[str, Check]] = {
    "rc": ("rect", _rectify),
    "pn": ("note", rules.may_post_progress),
    "rj": ("reject", rules.may_verify),
    "em": ("measure", rules.may_edit_item),
    "ed": ("deadline", rules.may_change_deadline),
    "xr": ("extend", _extend),
    "er": ("resp", rules.may_edit_item),
}


async def start_change(update: Update, context: BotContext) -> str | int:
    """A button on an item card that needs text or a choice: check, then ask."""
    query = update.callback_query
    who = await viewer(update, context)
    parsed = parse_cb(query.data if query else None)
    if query is None:
        return END
    if who is None or parsed is None or parsed[0] not in _ENTRIES:  # an old or forged button
        await query.answer(neutral(who.t) if who else None)
        return END
    (action, ids), t, actor = parsed, who.t, actor_of(who)
    mode, check = _ENTRIES[action]
    card = await ledger_queries.item_card(context.services.db, ids[0]) if ids else None
    if card is None or not rules.may_view_item(actor, facts_of(card.item)):
        await query.answer(neutral(t))
        return END
    if len(ids) > 1 and ids[1] != card.item.version:
        await stale(update, context, who, ids[0])
        return END
    facts = facts_of(card.item)
    if mode == "reject" and rules.self_verification(actor, facts):
        await query.answer(
            t.gettext("You marked this item rectified; someone else must verify it."),
            show_alert=True,
        )
        return END
    if not check(actor, facts):
        await query.answer(neutral(t))
        return END
    item, svc = card.item, context.services
    today = local_today(svc.clock.now(), svc.settings.timezone)
    if mode == "extend":
        pending = any(x.status == ExtensionStatus.PENDING for x in card.extensions)
        problem = request_problem(actor, facts, item.deadline, today, pending=pending)
        if problem is not None:
            await query.answer(extension_problem(t, problem), show_alert=True)
            return END
    start_draft(context, mode=mode, item_id=item.id, version=item.version, unit_id=item.unit_id)
    await query.answer()
    bot, chat = query.get_bot(), query.from_user.id
    if mode == "extend":
        assert item.deadline is not None
        text, markup = deadline_prompt(t, today, svc.settings.campaign)
        ask = t.gettext(
            "Item {seq} is due on {day}. Which later day do you ask for? The decision rests "
            "with the case owner or your unit's superior; until approved the deadline stays.",
            seq=item.seq,
            day=t.date(item.deadline),
        )
        await bot.send_message(chat, Html(ask + "\n\n" + text), reply_markup=markup)
        return DEADLINE
    if mode == "deadline":
        text, markup = deadline_prompt(t, today, svc.settings.campaign)
        await bot.send_message(chat, text, reply_markup=markup)
        return DEADLINE
    if mode == "resp":
        text, markup = responsible_prompt(t, await members.in_unit(svc.db, item.unit_id))
        await bot.send_message(chat, text, reply_markup=markup)
        return RESPONSIBLE
    prompts = {
        "rect": t.gettext("What was done to rectify item {seq}? At most {limit} characters."),
        "note": t.gettext("Your progress note on item {seq}? At most {limit} characters."),
        "reject": t.gettext("Why is item {seq} sent back? At most {limit} characters."),
        "measure": t.gettext("The new measure for item {seq}? At most {limit} characters."),
    }
    limit = _LIMITS.get(mode, rules.MEASURE_MAX)
    await bot.send_message(chat, Html(prompts[mode].format(seq=item.seq, limit=limit)))
    return NOTE


async def got_note(update: Update, context: BotContext) -> str | int:
    """The text of a rectification, progress note, rejection or new measure."""
    who = await viewer(update, context)
    data = draft(context)
    if who is None or update.effective_message is None:
        return END
    mode = data.get("mode", "")
    text = await read_text(update, who.t, _LIMITS.get(mode, rules.MEASURE_MAX))
    if text is None:
        return NOTE
    if mode == "rect":
        data["note"] = text
        prompt, markup = evidence_prompt(who.t, 0)
        await update.effective_message.reply_text(prompt, reply_markup=markup)
        return EVIDENCE
    svc, actor = context.services, actor_of(who)
    now = svc.clock.now()
    item_id, version = data["item_id"], data["version"]
    if not await still_allowed(context, who, mode):
        return await refused(update, context, who)
    if mode == "note":
        change = await ledger.add_progress(
            svc.db,
            item_id=item_id,
            note=text,
            actor_member_id=actor.member_id,
            now=now,
            today=local_today(now, svc.settings.timezone),
        )
    elif mode == "reject":
        change = await ledger.move_status(
            svc.db,
            item_id=item_id,
            expected_version=version,
            target=LedgerStatus.IN_PROGRESS,
            actor_member_id=actor.member_id,
            note=text,
            now=now,
            today=local_today(now, svc.settings.timezone),
        )
    else:
        change = await ledger.set_measure(
            svc.db,
            item_id=item_id,
            expected_version=version,
            measure=text,
            actor_member_id=actor.member_id,
            now=now,
        )
    return await finish(update, context, who, change)


async def still_allowed(context: BotContext, who: Viewer, mode: str) -> bool:
    data = draft(context)
    card = await ledger_queries.item_card(context.services.db, data.get("item_id") or 0)
    if card is None:
        return False
    check = next(c for m, c in _ENTRIES.values() if m == mode)
    return check(actor_of(who), facts_of(card.item))


async def refused(update: Update, context: BotContext, who: Viewer) -> int:
    end_draft(context)
    text = who.t.gettext("This item has changed since you started; nothing was saved.")
    await say(update, text)
    return END


async def say(update: Update, text: str) -> None:
    """Reply to a message, or (after a button, already answered) write in the private chat."""
    query = update.callback_query
    if query is not None:
        await query.get_bot().send_message(query.from_user.id, text)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def finish(update: Update, context: BotContext, who: Viewer, change: Change) -> int:
    """After a save: the card as it now stands, or why nothing was saved."""
    end_draft(context)
    if change.result is not Outcome.OK or change.item is None:
        if change.result in (Outcome.OK, Outcome.STALE):
            text = who.t.gettext("This item has changed since you started; nothing was saved.")
        else:
            text = outcome_text(who.t, change.result, Noun.ITEM)
        await say(update, text)
        return END
    svc = context.services
    card = await ledger_queries.item_card(svc.db, change.item.id or 0)
    assert card is not None
    text = card_text(who.t, svc.settings.campaign, card)
    markup = card_keyboard(who.t, actor_of(who), card.item)
    query = update.callback_query
    if query is not None:
        await query.get_bot().send_message(query.from_user.id, text, reply_markup=markup)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)
    await after_item_move(context, who, card.item.source_case_id)
    return END


async def send(update: Update, text: str, markup: Any = None) -> None:
    query = update.callback_query
    if query is not None:
        await query.get_bot().send_message(query.from_user.id, text, reply_markup=markup)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)
