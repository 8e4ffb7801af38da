"""/inbox: the staff desk's list of cases, filtered by kind, status, category, unit, assignee
(mine / nobody / a colleague) and overdue (past a case clock), the filters combined, a page at
a time. Filters are chosen on a filter menu (the list's message turns into it and back) or
typed: `/inbox overdue`, `/inbox mine`, `/inbox unit SCH001`, `/inbox complaint status
accepted`. The filter travels in the buttons' data in its compact form (domain.desk.filters)
and is re-resolved against the database on every press.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.cases.lifecycle import CaseStatus
from domain.desk.filters import (
    KINDS,
    MINE,
    NOBODY,
    VERIFY_WORDS,
    InboxFilter,
    decode,
    encode,
    late_rules,
    parse_words,
)
from domain.desk.rules import INBOX_KINDS, INBOX_STATUSES
from domain.reminders.timing import local_day
from handlers.context import BotContext, Viewer
from handlers.desk.cards import ROUTE
from handlers.desk.inbox import actor_of, desk_person
from handlers.desk.loop import QUEUE_ACTION, queue_view
from handlers.i18n import Translator
from handlers.ui.callbacks import number
from handlers.ui.labels import category_name, status_label
from handlers.ui.presses import neutral
from handlers.ui.text import shorten
from storage.desk import filters as desk_filters
from storage.desk.filters import CaseQuery
from storage.membership import units

PAGE_SIZE = 6
PICKER_MAX = 12
LIST_ACTIONS: tuple[str, ...] = ("l", "f", "fc", "fu", "fa", "list")
_MARK = {"report": "📄", "complaint": "📮", "finding": "🔍"}
_LEGACY = {  # the `list:<which>.<page>` buttons of lists sent before the filter menu existed
    "all": InboxFilter(),
    "rep": InboxFilter(kind="report"),
    "cmp": InboxFilter(kind="complaint"),
    "mine": InboxFilter(assignee=MINE),
}


def kind_label(t: Translator, kind: str | None) -> str:
    match kind:
        case "report":
            return t.gettext("Reports")
        case "complaint":
            return t.gettext("Complaints")
        case "finding":
            return t.gettext("Findings")
    return t.gettext("All")


async def resolve(who: Viewer, context: BotContext, f: InboxFilter) -> CaseQuery:
    """The filter as storage's query, for this person (mine = their member id) and today."""
    settings = context.services.settings
    categories = settings.campaign.categories
    owner: int | None = None
    if f.assignee == MINE:
        owner = actor_of(who).member_id or -1  # an administrator without a membership
    elif isinstance(f.assignee, int):
        owner = f.assignee
    late = None
    if f.overdue:
        today = local_day(context.services.clock.now(), settings.reminders)
        late = late_rules(settings.reminders.case_clocks, today=today, cal=settings.calendar)
    category = f.category if f.category is not None and f.category < len(categories) else None
    return CaseQuery(
        kinds=(f.kind,) if f.kind is not None else INBOX_KINDS,
        statuses=(f.status.value,) if f.status is not None else tuple(s for s in INBOX_STATUSES),
        category_key=categories[category].key if category is not None else None,
        unit_id=f.unit_id,
        owner=owner,
        unowned=f.assignee == NOBODY,
        late=late,
    )


async def describe(who: Viewer, context: BotContext, f: InboxFilter) -> str:
    """The chosen filters in words ("open cases" when none)."""
    t, svc = who.t, context.services
    parts: list[str] = []
    if f.kind is not None:
        parts.append(kind_label(t, f.kind))
    parts.append(status_label(t, f.status) if f.status is not None else t.gettext("open"))
    categories = svc.settings.campaign.categories
    if f.category is not None and f.category < len(categories):
        parts.append(category_name(t, svc.settings.campaign, categories[f.category].key))
    if f.unit_id is not None:
        unit = await units.by_id(svc.db, f.unit_id)
        parts.append(unit.name if unit is not None else "?")
    if f.assignee == MINE:
        parts.append(t.gettext("Mine"))
    elif f.assignee == NOBODY:
        parts.append(t.gettext("not accepted yet"))
    elif isinstance(f.assignee, int):
        names = {c.member_id: c.name for c in await desk_filters.officers_besides(svc.db, None)}
        parts.append(t.gettext("with {name}", name=names.get(f.assignee, "?")))
    if f.overdue:
        parts.append(t.gettext("overdue"))
    return " · ".join(parts)


async def list_view(
    who: Viewer, context: BotContext, f: InboxFilter
) -> tuple[str, InlineKeyboardMarkup]:
    """The list's text and buttons for one filter and page."""
    t = who.t
    query = await resolve(who, context, f)
    listing = await desk_filters.list_cases(
        context.services.db, query, offset=f.page * PAGE_SIZE, limit=PAGE_SIZE
    )
    pages = max(1, (listing.total + PAGE_SIZE - 1) // PAGE_SIZE)
    if not listing.items and f.page > 0:
        return await list_view(who, context, f.at(min(f.page, pages) - 1))
    if f.is_plain:
        head = t.gettext("<b>Inbox: open cases</b>")
    else:
        head = t.gettext("<b>Inbox</b>: {filters}", filters=await describe(who, context, f))
    if listing.total == 0:
        empty = (
            t.gettext("No open cases here.") if f.status is None else t.gettext("No cases here.")
        )
        text = head + "\n" + empty
    else:
        text = (
            head
            + "\n"
            + t.ngettext("{n} case", "{n} cases", listing.total)
            + " · "
            + t.gettext("page {page} of {pages}", page=f.page + 1, pages=pages)
            + "\n"
            + t.gettext("Press a case to open it.")
        )
    rows: list[list[InlineKeyboardButton]] = []
    for line in listing.items:
        label = f"{_MARK.get(line.kind, '•')} {line.number} · {status_label(t, line.status)}"
        rows.append(
            [ROUTE.button(shorten(f"{label} · {line.unit_name or '—'}", 48), "open", line.case_id)]
        )
    nav: list[InlineKeyboardButton] = []
    if f.page > 0:
        nav.append(ROUTE.button(t.gettext("‹ Previous"), "l", encode(f.at(f.page - 1))))
    if f.page + 1 < pages:
        nav.append(ROUTE.button(t.gettext("Next ›"), "l", encode(f.at(f.page + 1))))
    if nav:
        rows.append(nav)
    mine = replace(f, assignee=None if f.assignee == MINE else MINE, page=0)
    late = replace(f, overdue=not f.overdue, page=0)
    rows.append(
        [
            ROUTE.button(t.gettext("🔎 Filters"), "f", encode(f.at(0))),
            ROUTE.button(_tick(f.assignee == MINE) + t.gettext("Mine"), "l", encode(mine)),
            ROUTE.button(_tick(f.overdue) + t.gettext("Overdue"), "l", encode(late)),
        ]
    )
    if not f.is_plain:
        rows.append([ROUTE.button(t.gettext("Clear the filters"), "l", encode(InboxFilter()))])
    rows.append([ROUTE.button(t.gettext("Awaiting verification"), QUEUE_ACTION, 0)])
    return text, InlineKeyboardMarkup(rows)


def _tick(on: bool) -> str:
    return "• " if on else ""


def _choice(label: str, on: bool, action: str, f: InboxFilter) -> InlineKeyboardButton:
    return ROUTE.button(_tick(on) + label, action, encode(f.at(0)))


async def menu_view(
    who: Viewer, context: BotContext, f: InboxFilter
) -> tuple[str, InlineKeyboardMarkup]:
    """The filter menu: each button changes one filter; "show" lists the cases."""
    t = who.t
    total = (
        await desk_filters.list_cases(
            context.services.db, await resolve(who, context, f), offset=0, limit=1
        )
    ).total
    text = t.gettext(
        "<b>Filter the inbox</b>\nNow: {filters}\nPress to change a filter, then show the cases.",
        filters=await describe(who, context, f),
    )
    kinds = [_choice(kind_label(t, None), f.kind is None, "f", replace(f, kind=None))]
    kinds += [_choice(kind_label(t, k), f.kind == k, "f", replace(f, kind=k)) for k in KINDS]
    statuses = [_choice(t.gettext("Open"), f.status is None, "f", replace(f, status=None))]
    statuses += [
        _choice(status_label(t, s), f.status == s, "f", replace(f, status=s))
        for s in (*INBOX_STATUSES, CaseStatus.CLOSED)
    ]
    rows = [kinds, *(statuses[i : i + 3] for i in range(0, len(statuses), 3))]
    rows.append(
        [
            _choice(t.gettext("Category ▸"), f.category is not None, "fc", f),
            _choice(t.gettext("Unit ▸"), f.unit_id is not None, "fu", f),
            _choice(t.gettext("Assignee ▸"), f.assignee is not None, "fa", f),
        ]
    )
    rows.append(
        [
            _choice(t.gettext("Overdue"), f.overdue, "f", replace(f, overdue=not f.overdue)),
            ROUTE.button(t.gettext("Clear"), "f", encode(InboxFilter())),
        ]
    )
    rows.append(
        [ROUTE.button(t.ngettext("Show {n} case", "Show {n} cases", total), "l", encode(f.at(0)))]
    )
    return text, InlineKeyboardMarkup(rows)


async def picker_view(
    who: Viewer, context: BotContext, which: str, f: InboxFilter
) -> tuple[str, InlineKeyboardMarkup]:
    """A sub-menu of the filter menu: categories, units with cases, or assignees."""
    t, svc = who.t, context.services
    choices: list[InlineKeyboardButton] = []
    if which == "fc":
        text = t.gettext("Which category?")
        choices.append(
            _choice(t.gettext("Any"), f.category is None, "f", replace(f, category=None))
        )
        for index, category in enumerate(svc.settings.campaign.categories[:PICKER_MAX]):
            name = shorten(category_name(t, svc.settings.campaign, category.key), 30)
            choices.append(_choice(name, f.category == index, "f", replace(f, category=index)))
    elif which == "fu":
        text = t.gettext("Which unit? (the units with cases under the other filters)")
        choices.append(_choice(t.gettext("Any"), f.unit_id is None, "f", replace(f, unit_id=None)))
        query = await resolve(who, context, f)
        for unit in await desk_filters.units_with_cases(svc.db, query, limit=PICKER_MAX):
            label = shorten(f"{unit.name} ({unit.cases})", 30)
            choices.append(
                _choice(label, f.unit_id == unit.unit_id, "f", replace(f, unit_id=unit.unit_id))
            )
    else:
        text = t.gettext("Whose cases?")
        for label, value in (
            (t.gettext("Any"), None),
            (t.gettext("Mine"), MINE),
            (t.gettext("Not accepted yet"), NOBODY),
        ):
            choices.append(_choice(label, f.assignee == value, "f", replace(f, assignee=value)))
        for colleague in (await desk_filters.officers_besides(svc.db, actor_of(who).member_id))[
            :PICKER_MAX
        ]:
            on = f.assignee == colleague.member_id
            label = shorten(colleague.name, 30)
            choices.append(_choice(label, on, "f", replace(f, assignee=colleague.member_id)))
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    rows.append([ROUTE.button(t.gettext("« Back"), "f", encode(f.at(0)))])
    return text, InlineKeyboardMarkup(rows)


async def on_list_button(
    update: Update, context: BotContext, who: Viewer, action: str, value: str
) -> None:
    """A list, menu or picker button: edit the pressed message into what it asks for."""
    query = update.callback_query
    assert query is not None
    t = who.t
    if action == "list":
        which, _, page = value.partition(".")
        legacy = _LEGACY.get(which)
        page_number = number(page)
        f = legacy.at(page_number) if legacy is not None and page_number is not None else None
    else:
        f = decode(value)
    if f is None:
        await query.answer(neutral(t))
        return
    await query.answer()
    if action in ("l", "list"):
        text, markup = await list_view(who, context, f)
    elif action == "f":
        text, markup = await menu_view(who, context, f)
    else:
        text, markup = await picker_view(who, context, action, f)
    await query.edit_message_text(text, reply_markup=markup)


def usage(t: Translator) -> str:
    return t.gettext(
        "I did not understand that filter. Examples: /inbox overdue · /inbox mine · "
        "/inbox unassigned · /inbox unit SCH001 · /inbox complaint status accepted · "
        "/inbox category KEY · /inbox verify (items awaiting verification). Or send /inbox "
        "and press 🔎 Filters."
    )


async def show_inbox(update: Update, context: BotContext) -> None:
    """/inbox [filters]: the first page of the cases the typed filters select."""
    who = await desk_person(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t, svc = who.t, context.services
    words = [w.lower() for w in context.args or []]
    if len(words) == 1 and words[0] in VERIFY_WORDS:
        text, markup = await queue_view(who, context, 0)
        await message.reply_text(text, reply_markup=markup)
        return
    typed = parse_words(context.args or [])
    f = typed.base if typed is not None else None
    if typed is not None and f is not None and typed.unit_code is not None:
        unit = await units.by_code(svc.db, typed.unit_code)
        f = replace(f, unit_id=unit.id) if unit is not None and unit.id is not None else None
    if typed is not None and f is not None and typed.category_key is not None:
        keys = [c.key for c in svc.settings.campaign.categories]
        key = typed.category_key
        f = replace(f, category=keys.index(key)) if key in keys else None
    if f is None:
        await message.reply_text(usage(t))
        return
    text, markup = await list_view(who, context, f)
    await message.reply_text(text, reply_markup=markup)
