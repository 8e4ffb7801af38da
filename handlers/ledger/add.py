"""Adding a problem to a unit's list: category → description → measure → deadline →
responsible person → optional evidence → saved with the next 序号. The deadline, responsible
and evidence steps are shared with editing (`ledger_input`), which hands back here to save."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from domain.ledger import rules
from domain.ledger.deadlines import local_today
from handlers.context import BotContext, copy_evidence, viewer
from handlers.conversation import write_drafts_now
from handlers.ledger.pickers import (
    ADD_CATEGORY,
    ADD_DESCRIBE,
    ADD_MEASURE,
    DEADLINE,
    DRAFT_KEY,
    deadline_prompt,
    draft,
    end_draft,
    read_text,
    start_draft,
)
from handlers.ledger.views import ROUTE, actor_of, card_keyboard, card_text, parse_cb
from handlers.ui.deliver import confirm, quietly
from handlers.ui.labels import category_label
from handlers.ui.presses import neutral
from storage.ledger import items as ledger
from storage.ledger import queries as ledger_queries
from storage.membership import units

END = ConversationHandler.END


async def start_add(update: Update, context: BotContext) -> str | int:
    """Begin a new problem for the unit on the button, if this person may add to it."""
    query = update.callback_query
    who = await viewer(update, context)
    parsed = parse_cb(query.data if query else None)
    if query is None:
        return END
    if who is None or parsed is None or len(parsed[1]) != 1:  # an old or forged button
        await query.answer(neutral(who.t) if who else None)
        return END
    t, unit_id = who.t, parsed[1][0]
    if (
        not rules.may_add(actor_of(who), unit_id)
        or await units.by_id(context.services.db, unit_id) is None
    ):
        await query.answer(neutral(t))
        return END
    start_draft(context, mode="add", unit_id=unit_id)
    await query.answer()
    campaign = context.services.settings.campaign
    rows = [
        [InlineKeyboardButton(category_label(c, t.language), callback_data=ROUTE.data("cat", i))]
        for i, c in enumerate(campaign.categories)
    ]
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id,
            t.gettext("New problem. Which category is it? (/cancel stops)"),
            reply_markup=InlineKeyboardMarkup(rows),
        )
    return ADD_CATEGORY


async def pick_category(update: Update, context: BotContext) -> str | int:
    """Keep the category and ask for the description."""
    query = update.callback_query
    who = await viewer(update, context)
    parsed = parse_cb(query.data if query else None)
    if query is None or who is None:
        return END
    t, categories = who.t, context.services.settings.campaign.categories
    if parsed is None or len(parsed[1]) != 1 or not 0 <= parsed[1][0] < len(categories):
        await query.answer(neutral(t))
        return ADD_CATEGORY
    chosen = categories[parsed[1][0]]
    draft(context)["category"] = chosen.key
    await query.answer()
    await query.edit_message_text(
        t.gettext("Category: {category}", category=chosen.name_for(t.language))
    )
    await query.get_bot().send_message(
        query.from_user.id,
        t.gettext(
            "Describe the problem (at most {limit} characters).", limit=rules.DESCRIPTION_MAX
        ),
    )
    return ADD_DESCRIBE


async def got_description(update: Update, context: BotContext) -> str | int:
    """Keep the description and ask for the measure."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return END
    text = await read_text(update, who.t, rules.DESCRIPTION_MAX)
    if text is None:
        return ADD_DESCRIBE
    draft(context)["description"] = text
    await update.effective_message.reply_text(
        who.t.gettext(
            "The rectification measure (整改措施)? At most {limit} characters.",
            limit=rules.MEASURE_MAX,
        )
    )
    return ADD_MEASURE


async def got_measure(update: Update, context: BotContext) -> str | int:
    """Keep the measure and ask for the deadline."""
    who = await viewer(update, context)
    if who is None or update.effective_message is None:
        return END
    text = await read_text(update, who.t, rules.MEASURE_MAX)
    if text is None:
        return ADD_MEASURE
    draft(context)["measure"] = text
    svc = context.services
    today = local_today(svc.clock.now(), svc.settings.timezone)
    prompt, markup = deadline_prompt(who.t, today, svc.settings.campaign)
    await update.effective_message.reply_text(prompt, reply_markup=markup)
    return DEADLINE


async def save_add(update: Update, context: BotContext) -> str | int:
    """Store the new item (rights re-checked) and show its card."""
    query = update.callback_query
    who = await viewer(update, context)
    data = draft(context)
    if query is None or who is None:
        return END
    t, actor, svc = who.t, actor_of(who), context.services
    unit_id = data.get("unit_id")
    if not isinstance(unit_id, int) or not rules.may_add(actor, unit_id):
        end_draft(context)
        await query.answer(t.gettext("You cannot add problems to this unit's list."))
        return END
    now = svc.clock.now()
    # Taken away (and written) before storing: after a crash a second press finds no draft.
    end_draft(context)
    await write_drafts_now(update, context)
    try:
        item = await ledger.add_item(
            svc.db,
            unit_id=unit_id,
            category_key=data["category"],
            description=data["description"],
            measure=data["measure"],
            deadline=data["deadline"],
            responsible_member_id=data.get("resp_member"),
            responsible_name=data.get("resp_name"),
            actor_member_id=actor.member_id,
            now=now,
            today=local_today(now, svc.settings.timezone),
            evidence=data["evidence"],
            bureau=rules.sets_bureau_deadline(actor),
        )
        copy_evidence(svc)
    except BaseException:
        if context.user_data is not None:  # nothing was stored: the person may press again
            context.user_data[DRAFT_KEY] = data
        raise
    # Stored: a refused send is retried or logged, never an apology; the conversation ends.
    what = f"ledger item {item.id}"
    await quietly(query.answer(), what=what)
    saved = t.gettext("Saved as item {seq}.", seq=item.seq)
    if not await confirm(lambda: query.edit_message_text(saved), what=what):
        await confirm(lambda: query.get_bot().send_message(query.from_user.id, saved), what=what)
    card = await ledger_queries.item_card(svc.db, item.id or 0)
    if card is not None:
        text = card_text(t, svc.settings.campaign, card)
        markup = card_keyboard(t, actor, card.item)
        await confirm(
            lambda: query.get_bot().send_message(query.from_user.id, text, reply_markup=markup),
            what=what,
        )
    return END
