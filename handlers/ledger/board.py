"""/ledger: a unit's rectification ledger (整改台账). Unit heads see their unit's list; case
handlers and admins first pick a unit (or `/ledger UNIT_CODE`, `/ledger unsigned`); a member
sees the items they are responsible for. Buttons open items, page, sign off, start work and
verify; every press is re-checked against the database (the conversations that ask for text
are in `ledger_flow`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from domain.cases.outcome import Outcome
from domain.ledger import rules
from domain.ledger.deadlines import local_today
from domain.ledger.rules import LedgerStatus
from handlers.context import BotContext, Viewer, viewer
from handlers.desk.loop import after_item_move
from handlers.i18n import Html, Translator, escape
from handlers.ledger import chase
from handlers.ledger.views import (
    PAGE_SIZE,
    ROUTE,
    actor_of,
    card_keyboard,
    card_text,
    chase_button,
    cut,
    facts_of,
    item_line,
    keyboard,
    page_keyboard,
    page_text,
    parse_cb,
)
from handlers.stats.papers import send_problem_list
from handlers.ui.deliver import confirm, quietly
from handlers.ui.edits import edit_pressed
from handlers.ui.outcomes import Noun, outcome_text
from handlers.ui.presses import neutral
from storage.ledger import items as ledger
from storage.ledger import queries as ledger_queries
from storage.membership import units

UNSIGNED_SHOWN = 60
CHASE_BUTTONS = 20  # chase buttons under a district's unsigned list


def signoff_due(context: BotContext) -> date | None:
    """The configured day by which problem lists are signed off (`problem_list`)."""
    due = context.services.settings.campaign.deadlines
    return next((d.due for d in due if d.key == "problem_list"), None)


async def show_ledger(update: Update, context: BotContext) -> None:
    """`/ledger [UNIT_CODE | unsigned]`: the list this person may see."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t = who.t
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await message.reply_text(t.gettext("The ledger is shown only in a private chat with me."))
        return
    actor = actor_of(who)
    arg = context.args[0] if context.args else ""
    if who.role is None:
        await message.reply_text(t.gettext("Only registered members can use the ledger."))
        return
    if rules.is_staff(actor) or actor.oversees:  # staff: every unit; a district head: theirs
        scope = None if rules.is_staff(actor) else actor.oversees
        if arg.lower() == "unsigned":
            text = await unsigned_text(context, t, scope)
            await message.reply_text(text, reply_markup=await chase_keyboard(context, who, scope))
            return
        if arg:
            unit = await units.by_code(context.services.db, arg)
            if unit is None or unit.id is None or not rules.may_view_unit(actor, unit.id):
                await message.reply_text(t.gettext("There is no unit with code {code}.", code=arg))
                return
            text, markup = await unit_page(context, who, unit.id, 0)
            await message.reply_text(text, reply_markup=markup)
            return
        text, markup = await units_page(context, t, 0, scope)
        await message.reply_text(text, reply_markup=markup)
        return
    if actor.unit_id is not None and rules.may_view_unit(actor, actor.unit_id):
        text, markup = await unit_page(context, who, actor.unit_id, 0)
        await message.reply_text(text, reply_markup=markup)
        return
    text, markup = await my_items(context, who, 0)
    await message.reply_text(text, reply_markup=markup)


async def unit_page(
    context: BotContext, who: Viewer, unit_id: int, offset: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    db = context.services.db
    page = await ledger_queries.page_of_items(db, unit_id, offset, PAGE_SIZE)
    unit = await units.by_id(db, unit_id)
    name = unit.name if unit else "?"
    text = page_text(who.t, name, page, signoff_due(context))
    return text, page_keyboard(who.t, actor_of(who), unit_id, page)


async def units_page(
    context: BotContext, t: Translator, offset: int, scope: frozenset[int] | None = None
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """Staff (every unit) or a district head (`scope`): the units that keep a list, with
    counts, paged."""
    summaries, total = await ledger_queries.unit_summaries(
        context.services.db, offset, PAGE_SIZE, unit_ids=scope
    )
    lines: list[str] = [t.gettext("<b>Rectification ledgers</b> · {n} units", n=total)]
    rows = []
    for s in summaries:
        signed = (
            t.gettext("signed v{version}", version=s.signed_version)
            if s.signed_version
            else t.gettext("not signed off")
        )
        lines.append(
            t.gettext(
                "{code} {name}: {total} items, {verified} verified, {signed}",
                code=s.unit.code,
                name=cut(s.unit.name, 30),
                total=s.total,
                verified=s.verified,
                signed=signed,
            )
        )
        label = f"{s.unit.code} {cut(s.unit.name, 20)}"
        rows.append([InlineKeyboardButton(label, callback_data=ROUTE.data("u", s.unit.id, 0))])
    start = max(0, min(offset, ((total - 1) // PAGE_SIZE) * PAGE_SIZE if total else 0))
    nav = []
    if start > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"), callback_data=ROUTE.data("us", start - PAGE_SIZE)
            )
        )
    if start + PAGE_SIZE < total:
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"), callback_data=ROUTE.data("us", start + PAGE_SIZE)
            )
        )
    if nav:
        rows.append(nav)
    return Html("\n".join(lines)), keyboard(rows)


async def unsigned_text(
    context: BotContext, t: Translator, scope: frozenset[int] | None = None
) -> Html:
    """Staff (or a district head, `scope`): units that have not signed off their problem
    list, with the configured day."""
    missing = await ledger_queries.unsigned_units(context.services.db, unit_ids=scope)
    due = signoff_due(context)
    if not missing:
        return t.gettext("Every unit has signed off its problem list.")
    head = (
        t.gettext(
            "Units that have not signed off (due {day}): {n}", day=t.date(due), n=len(missing)
        )
        if due
        else t.gettext("Units that have not signed off: {n}", n=len(missing))
    )
    lines: list[str] = [head]
    lines += [f"{u.code} {cut(u.name, 30)}" for u in missing[:UNSIGNED_SHOWN]]
    if len(missing) > UNSIGNED_SHOWN:
        lines.append(t.gettext("… and {n} more.", n=len(missing) - UNSIGNED_SHOWN))
    settings = context.services.settings
    today = local_today(context.services.clock.now(), settings.timezone)
    if due is not None and today > due:
        lines.append(t.gettext("The day has passed."))
        lines += await _signed_late(context, t, due, {u.id for u in missing}, scope)
    return Html("\n".join(escape(line) for line in lines))


async def chase_keyboard(
    context: BotContext, who: Viewer, scope: frozenset[int] | None
) -> InlineKeyboardMarkup | None:
    """A district head's chase buttons under the unsigned list: one per school not signed
    off (the first CHASE_BUTTONS of them)."""
    if scope is None:
        return None
    actor = actor_of(who)
    missing = await ledger_queries.unsigned_units(context.services.db, unit_ids=scope)
    shown = [u for u in missing if u.id is not None and rules.may_chase(actor, u.id)]
    rows = [[chase_button(who.t, u.id, u.code)] for u in shown[:CHASE_BUTTONS] if u.id]
    return keyboard(rows)


async def _signed_late(
    context: BotContext,
    t: Translator,
    due: date,
    still_missing: set[int | None],
    scope: frozenset[int] | None = None,
) -> list[str]:
    """Units that signed off, but only after the end of the due day (local time)."""
    end_of_due = datetime.combine(
        due + timedelta(days=1), time(0), context.services.settings.timezone
    )
    by_due = await ledger_queries.unsigned_units(
        context.services.db, by=end_of_due - timedelta(microseconds=1), unit_ids=scope
    )
    late = [u for u in by_due if u.id not in still_missing]
    if not late:
        return []
    return [
        t.gettext("Signed off after the day: {n}", n=len(late)),
        *(f"{u.code} {cut(u.name, 30)}" for u in late[:UNSIGNED_SHOWN]),
    ]


async def my_items(
    context: BotContext, who: Viewer, offset: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """A member's own items (as 责任人), paged."""
    t = who.t
    member = who.membership.member if who.membership else None
    items = (
        await ledger_queries.items_for_responsible(context.services.db, member.id or 0)
        if member
        else []
    )
    if not items:
        return t.gettext("No ledger items name you as the person responsible."), None
    offset = max(0, min(offset, (len(items) - 1) // PAGE_SIZE * PAGE_SIZE))
    shown = items[offset : offset + PAGE_SIZE]
    lines = [
        t.ngettext(
            "You are responsible for {n} item:", "You are responsible for {n} items:", len(items)
        )
    ]
    lines += [item_line(t, i, {}) for i in shown]
    rows = [
        [
            InlineKeyboardButton(
                f"{i.seq}. {cut(i.description, 18)}", callback_data=ROUTE.data("o", i.id)
            )
        ]
        for i in shown
    ]
    nav = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"), callback_data=ROUTE.data("m", offset - PAGE_SIZE)
            )
        )
    if offset + PAGE_SIZE < len(items):
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"), callback_data=ROUTE.data("m", offset + PAGE_SIZE)
            )
        )
    if nav:
        rows.append(nav)
    return Html("\n".join(lines)), keyboard(rows)


async def on_button(update: Update, context: BotContext) -> None:
    """Every ledger button outside a conversation: re-checked, then shown or applied."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t, actor = who.t, actor_of(who)
    parsed = parse_cb(query.data)
    if parsed is None or who.role is None:
        await query.answer(neutral(t))
        return
    action, ids = parsed
    if action == "u" and len(ids) == 2:
        if not rules.may_view_unit(actor, ids[0]):
            await query.answer(neutral(t))
            return
        text, markup = await unit_page(context, who, ids[0], ids[1])
        await show(query, text, markup)
    elif (
        action == "us"
        and len(ids) == 1
        and ids[0] >= 0
        and (rules.is_staff(actor) or actor.oversees)
    ):
        scope = None if rules.is_staff(actor) else actor.oversees
        text, markup = await units_page(context, t, ids[0], scope)
        await show(query, text, markup)
    elif action == "m" and len(ids) == 1 and ids[0] >= 0:
        text, markup = await my_items(context, who, ids[0])
        await show(query, text, markup)
    elif action == "o" and len(ids) == 1:
        await open_item(update, context, who, ids[0])
    elif action in ("sg", "sy") and len(ids) == 2:
        await sign(update, context, who, action, ids[0], ids[1])
    elif action == "pdf" and len(ids) == 1:
        await print_list(update, context, who, ids[0])
    elif action in ("ip", "vf") and len(ids) == 2:
        target = LedgerStatus.IN_PROGRESS if action == "ip" else LedgerStatus.VERIFIED
        await move(update, context, who, ids[0], ids[1], target)
    elif action == "ch" and len(ids) == 1:
        await chase.chase(update, context, who, ids[0])
    elif action in ("add", "rc", "pn", "rj", "em", "ed", "er"):
        await query.answer(t.gettext("Finish what you are doing first, or send /cancel."))
    else:
        await query.answer(neutral(t))


async def show(
    query: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None,
    notice: str | None = None,
) -> None:
    """Answer the press and put `text` in its message (unchanged text is no error)."""
    await query.answer(notice)
    await edit_pressed(query, text, markup)


async def open_item(update: Update, context: BotContext, who: Viewer, item_id: int) -> None:
    query = update.callback_query
    assert query is not None
    card = await ledger_queries.item_card(context.services.db, item_id)
    actor = actor_of(who)
    if card is None or not rules.may_view_item(actor, facts_of(card.item)):
        await query.answer(neutral(who.t))
        return
    campaign = context.services.settings.campaign
    await show(query, card_text(who.t, campaign, card), card_keyboard(who.t, actor, card.item))


async def stale(
    update: Update,
    context: BotContext,
    who: Viewer,
    item_id: int,
    outcome: Outcome = Outcome.STALE,
) -> None:
    """The item changed since the button was shown (or the move was refused): say what
    happened and show it as it is now."""
    query = update.callback_query
    assert query is not None
    card = await ledger_queries.item_card(context.services.db, item_id)
    if outcome is Outcome.STALE:
        await query.answer(who.t.gettext("This item has changed since; here it is as it is now."))
    else:
        await query.answer(outcome_text(who.t, outcome, Noun.ITEM))
    if card is not None and rules.may_view_item(actor_of(who), facts_of(card.item)):
        campaign = context.services.settings.campaign
        text = card_text(who.t, campaign, card)
        await edit_pressed(query, text, card_keyboard(who.t, actor_of(who), card.item))


async def move(
    update: Update,
    context: BotContext,
    who: Viewer,
    item_id: int,
    version: int,
    target: LedgerStatus,
) -> None:
    """Start work (in progress) or verify (销号): the moves that need no text."""
    query = update.callback_query
    assert query is not None
    svc, t, actor = context.services, who.t, actor_of(who)
    card = await ledger_queries.item_card(svc.db, item_id)
    if card is None or not rules.may_view_item(actor, facts_of(card.item)):
        await query.answer(neutral(t))
        return
    facts = facts_of(card.item)
    if card.item.version != version:
        await stale(update, context, who, item_id)
        return
    if target is LedgerStatus.VERIFIED and rules.self_verification(actor, facts):
        await query.answer(
            t.gettext("You marked this item rectified; someone else must verify it."),
            show_alert=True,
        )
        return
    allowed = (
        rules.may_verify(actor, facts)
        if target is LedgerStatus.VERIFIED
        else rules.may_mark(actor, facts, target)
    )
    if not allowed:
        await query.answer(neutral(t))
        return
    now = svc.clock.now()
    done = await ledger.move_status(
        svc.db,
        item_id=item_id,
        expected_version=version,
        target=target,
        actor_member_id=actor.member_id,
        note=None,
        now=now,
        today=local_today(now, svc.settings.timezone),
    )
    if done.result is not Outcome.OK:
        await stale(update, context, who, item_id, done.result)
        return
    card = await ledger_queries.item_card(svc.db, item_id)
    assert card is not None
    await show(query, card_text(t, svc.settings.campaign, card), card_keyboard(t, actor, card.item))
    await after_item_move(context, who, card.item.source_case_id)


async def sign(
    update: Update, context: BotContext, who: Viewer, action: str, unit_id: int, seen: int
) -> None:
    """`sg` asks to confirm the sign-off (签字); `sy` records it (once per version seen)."""
    query = update.callback_query
    assert query is not None
    svc, t, actor = context.services, who.t, actor_of(who)
    if not rules.may_sign_off(actor, unit_id):
        await query.answer(neutral(t))
        return
    latest = await ledger_queries.latest_signoff(svc.db, unit_id)
    if (latest.version if latest else 0) != seen:
        text, markup = await unit_page(context, who, unit_id, 0)
        await show(query, text, markup, t.gettext("The list has been signed off since."))
        return
    if action == "sg":
        page = await ledger_queries.page_of_items(svc.db, unit_id, 0, 1)
        text = t.ngettext(
            "Sign off the list of {n} problem as complete? Problems added later are marked "
            "as added after sign-off.",
            "Sign off the list of {n} problems as complete? Problems added later are marked "
            "as added after sign-off.",
            page.total,
        )
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.gettext("Confirm sign-off"), callback_data=ROUTE.data("sy", unit_id, seen)
                    ),
                    InlineKeyboardButton(
                        t.gettext("Back"), callback_data=ROUTE.data("u", unit_id, 0)
                    ),
                ]
            ]
        )
        await show(query, text, markup)
        return
    signed = await ledger.sign_off(
        svc.db, unit_id=unit_id, seen_version=seen, member_id=actor.member_id, now=svc.clock.now()
    )
    if signed is None:
        await query.answer(t.gettext("The list has been signed off since."))
        return
    # Stored: the notice and the page are retried or logged, never turned into the apology.
    what = f"sign-off of unit {unit_id}"
    notice = t.gettext("Signed off: version {v}.", v=signed.version)
    await quietly(query.answer(notice), what=what)
    text, markup = await unit_page(context, who, unit_id, 0)
    await confirm(lambda: edit_pressed(query, f"{notice}\n\n{text}", markup), what=what)
    if query.message is not None:  # the head gets the list to print, sign and stamp
        await send_problem_list(context, query.message.chat.id, unit_id=unit_id, t=t)


async def print_list(update: Update, context: BotContext, who: Viewer, unit_id: int) -> None:
    """The unit's problem list as a PDF, for those who may see the whole list."""
    query = update.callback_query
    assert query is not None
    t = who.t
    if not rules.may_view_unit(actor_of(who), unit_id) or query.message is None:
        await query.answer(neutral(t))
        return
    await query.answer(t.gettext("Making the file…"))
    if not await send_problem_list(context, query.message.chat.id, unit_id=unit_id, t=t):
        await context.bot.send_message(query.message.chat.id, t.gettext("No problems on the list."))
