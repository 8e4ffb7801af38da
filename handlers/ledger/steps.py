"""The steps that adding an item and changing one share: the deadline (quick choice or typed,
then a reason when it changes), the responsible person (a member or a typed name) and the
optional evidence; each ends by saving through `ledger_add` or `ledger.*` with the version
first seen."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from domain.cases.outcome import Outcome
from domain.ledger import rules
from domain.ledger.deadlines import DeadlineProblem, local_today, quick_choices, read_deadline
from domain.ledger.extensions import REASON_MAX, day_problem
from domain.ledger.rules import LedgerStatus
from handlers.context import BotContext, Viewer, viewer
from handlers.ledger.add import save_add
from handlers.ledger.changes import finish, refused, send, still_allowed
from handlers.ledger.extensions import extension_problem, kick_outbox
from handlers.ledger.pickers import (
    DEADLINE,
    DEADLINE_REASON,
    EVIDENCE,
    NOT_ON_TELEGRAM,
    RESPONSIBLE,
    RESPONSIBLE_NAME,
    deadline_problem,
    draft,
    end_draft,
    evidence_of,
    evidence_prompt,
    read_text,
    responsible_prompt,
)
from handlers.ledger.views import actor_of, parse_cb
from handlers.ui.callbacks import pressed
from handlers.ui.deliver import confirm
from handlers.ui.presses import neutral
from storage.ledger import extensions as extension_store
from storage.ledger import items as ledger
from storage.ledger import queries as ledger_queries
from storage.membership import members

END = ConversationHandler.END


async def on_deadline_button(update: Update, context: BotContext) -> str | int:
    """A quick choice: end of this phase (1) or in 30 days (2), recomputed for today."""
    query = update.callback_query
    who = await viewer(update, context)
    parsed = parse_cb(query.data if query else None)
    if query is None or who is None:
        return END
    svc = context.services
    today = local_today(svc.clock.now(), svc.settings.timezone)
    choices = quick_choices(today, svc.settings.campaign)
    index = parsed[1][0] if parsed and len(parsed[1]) == 1 else 0
    day = choices[index - 1] if index in (1, 2) else None
    if day is None:
        await query.answer(who.t.gettext("This choice is no longer possible. Type a date."))
        return DEADLINE
    await query.answer()
    await query.edit_message_text(who.t.gettext("Deadline: {day}", day=who.t.date(day)))
    return await _deadline_chosen(update, context, who, day)


async def on_deadline_text(update: Update, context: BotContext) -> str | int:
    """A typed deadline, read in the usual forms and checked against today and the campaign."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return END
    svc = context.services
    today = local_today(svc.clock.now(), svc.settings.timezone)
    found = read_deadline((message.text or "")[:40], today, svc.settings.campaign)
    if isinstance(found, DeadlineProblem):
        await message.reply_text(deadline_problem(who.t, found, svc.settings.campaign))
        return DEADLINE
    return await _deadline_chosen(update, context, who, found)


async def _deadline_chosen(
    update: Update, context: BotContext, who: Viewer, day: date
) -> str | int:
    data, t = draft(context), who.t
    data["deadline"] = day
    if data.get("mode") == "add":
        people = await members.in_unit(context.services.db, data["unit_id"])
        text, markup = responsible_prompt(t, people)
        await send(update, text, markup)
        return RESPONSIBLE
    if data.get("mode") == "extend":
        return await _extension_day(update, context, who, day)
    await send(
        update,
        t.gettext(
            "Why does the deadline change to {day}? The old deadline stays visible. "
            "At most {limit} characters.",
            day=t.date(day),
            limit=rules.REASON_MAX,
        ),
    )
    return DEADLINE_REASON


async def _extension_day(update: Update, context: BotContext, who: Viewer, day: date) -> str | int:
    """The day asked for must be after the current deadline and within the campaign."""
    t, svc = who.t, context.services
    card = await ledger_queries.item_card(svc.db, draft(context).get("item_id") or 0)
    if card is None or card.item.deadline is None:
        return await refused(update, context, who)
    problem = day_problem(card.item.deadline, day, svc.settings.campaign.end)
    if problem is not None:
        await send(update, extension_problem(t, problem))
        return DEADLINE
    await send(
        update,
        t.gettext(
            "Why do you need until {day}? Whoever decides reads it. At most {limit} characters.",
            day=t.date(day),
            limit=REASON_MAX,
        ),
    )
    return DEADLINE_REASON


async def _ask_extension(
    update: Update, context: BotContext, who: Viewer, reason: str
) -> str | int:
    """Store the request, tell whoever decides it, and tell the unit head what happens next."""
    data, svc, t = draft(context), context.services, who.t
    end_draft(context)
    now = svc.clock.now()
    asked = await extension_store.request(
        svc.db,
        item_id=data["item_id"],
        expected_version=data["version"],
        actor=actor_of(who),
        to_deadline=data["deadline"],
        reason=reason,
        superiors=svc.settings.superiors,
        campaign_end=svc.settings.campaign.end,
        today=local_today(now, svc.settings.timezone),
        now=now,
    )
    if asked.outcome is Outcome.REFUSED and asked.problem is not None:
        await send(update, extension_problem(t, asked.problem))
        return END
    if asked.outcome is not Outcome.OK:
        await send(update, t.gettext("This item has changed since you started; nothing was saved."))
        return END
    kick_outbox(context)
    if asked.decider_chat is not None:
        text = t.gettext("Your request is sent; you will be told the decision.")
    else:
        text = t.gettext(
            "Your request is recorded, but nobody to decide it could be reached; "
            "please tell the bureau office."
        )
    # Stored: a refused confirmation is retried, never an apology; the conversation ends.
    await confirm(lambda: send(update, text), what=f"extension of item {data['item_id']}")
    return END


async def got_deadline_reason(update: Update, context: BotContext) -> str | int:
    """Save the new deadline with its reason (or, for an extension, ask for it)."""
    who = await viewer(update, context)
    if who is None:
        return END
    reason = await read_text(update, who.t, rules.REASON_MAX)
    if reason is None:
        return DEADLINE_REASON
    if draft(context).get("mode") == "extend":
        return await _ask_extension(update, context, who, reason)
    if not await still_allowed(context, who, "deadline"):
        return await refused(update, context, who)
    data, svc = draft(context), context.services
    change = await ledger.change_deadline(
        svc.db,
        item_id=data["item_id"],
        expected_version=data["version"],
        new_deadline=data["deadline"],
        reason=reason,
        actor_member_id=actor_of(who).member_id,
        now=svc.clock.now(),
        bureau=rules.sets_bureau_deadline(actor_of(who)),
    )
    return await finish(update, context, who, change)


async def on_responsible_button(update: Update, context: BotContext) -> str | int:
    """A member of the unit, or `not on Telegram` (then the name is typed)."""
    query = update.callback_query
    who = await viewer(update, context)
    parsed = parse_cb(query.data if query else None)
    if query is None or who is None:
        return END
    if parsed is None or len(parsed[1]) != 1:  # an old or forged button: the step stays
        await query.answer(neutral(who.t))
        return RESPONSIBLE
    data, t = draft(context), who.t
    if parsed[1][0] == NOT_ON_TELEGRAM:
        await query.answer()
        await query.edit_message_text(
            t.gettext(
                "Type the person's name (at most {limit} characters).",
                limit=rules.RESPONSIBLE_NAME_MAX,
            )
        )
        return RESPONSIBLE_NAME
    member = await ledger_queries.member_in_unit(
        context.services.db, parsed[1][0], data.get("unit_id") or 0
    )
    if member is None:
        await query.answer(t.gettext("That person is no longer a member of this unit."))
        return RESPONSIBLE
    await query.answer()
    await query.edit_message_text(t.gettext("Responsible: {who}", who=member.display_name))
    data["resp_member"], data["resp_name"] = member.id, None
    return await _responsible_chosen(update, context, who)


async def got_responsible_name(update: Update, context: BotContext) -> str | int:
    who = await viewer(update, context)
    if who is None:
        return END
    name = await read_text(update, who.t, rules.RESPONSIBLE_NAME_MAX)
    if name is None:
        return RESPONSIBLE_NAME
    data = draft(context)
    data["resp_member"], data["resp_name"] = None, name
    return await _responsible_chosen(update, context, who)


async def _responsible_chosen(update: Update, context: BotContext, who: Viewer) -> str | int:
    data = draft(context)
    if data.get("mode") == "add":
        text, markup = evidence_prompt(who.t, 0)
        await send(update, text, markup)
        return EVIDENCE
    if not await still_allowed(context, who, "resp"):
        return await refused(update, context, who)
    svc = context.services
    change = await ledger.set_responsible(
        svc.db,
        item_id=data["item_id"],
        expected_version=data["version"],
        member_id=data.get("resp_member"),
        name=data.get("resp_name"),
        actor_member_id=actor_of(who).member_id,
        now=svc.clock.now(),
    )
    return await finish(update, context, who, change)


async def on_file(update: Update, context: BotContext) -> str | int:
    """A photo or file as evidence (each kept once; at most EVIDENCE_MAX)."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return END
    found = evidence_of(message)
    files: list[Any] = draft(context).setdefault("evidence", [])
    if found is None:
        await message.reply_text(who.t.gettext("Send a photo or a file, or press Done."))
        return EVIDENCE
    if len(files) >= rules.EVIDENCE_MAX:
        await message.reply_text(
            who.t.gettext("At most {limit} files; press Done.", limit=rules.EVIDENCE_MAX)
        )
        return EVIDENCE
    if all(f.telegram_file_id != found.telegram_file_id for f in files):
        files.append(found)
    text, markup = evidence_prompt(who.t, len(files))
    await message.reply_text(text, reply_markup=markup)
    return EVIDENCE


async def on_done(update: Update, context: BotContext) -> str | int | None:
    """Evidence finished: save the new item, or the rectification. The button carries the
    number of files it was shown with: any other value is an older or forged button."""
    who = await viewer(update, context)
    data = draft(context)
    if who is None:
        return END
    query, press = update.callback_query, pressed(update)
    if query is not None and (press is None or press.number() != len(data.get("evidence", []))):
        await query.answer(neutral(who.t))
        return None
    if data.get("mode") == "add":
        return await save_add(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not await still_allowed(context, who, "rect"):
        return await refused(update, context, who)
    svc = context.services
    now = svc.clock.now()
    change = await ledger.move_status(
        svc.db,
        item_id=data["item_id"],
        expected_version=data["version"],
        target=LedgerStatus.RECTIFIED,
        actor_member_id=actor_of(who).member_id,
        note=data.get("note"),
        now=now,
        today=local_today(now, svc.settings.timezone),
        evidence=data.get("evidence", []),
    )
    return await finish(update, context, who, change)
