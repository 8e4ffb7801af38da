"""/inbox: the staff desk's list of open cases (reports and complaints), filtered by kind or
"mine", paged, each line a button that opens the case's card with the actions the presser may
take (handlers/inbox_actions.py carries them out).

Only case handlers and administrators, in a private chat (a report's card names its reporter).
Every button `inbox:v1:<action>:<value>` is re-checked against the presser's role and the
case's current state.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from domain.desk import Action, Actor, available, may_use_desk
from domain.reports import ReportViewer
from handlers.complaint_views import staff_card
from handlers.context import BotContext, Viewer, viewer
from handlers.i18n import Translator
from handlers.report_views import report_text, shorten, status_label
from storage import complaints, desk, reports

ROUTE = "inbox:v1:"
CALLBACK_PATTERN = r"^inbox:v1:"
PAGE_SIZE = 6
PROMPT_MARK = "🖊"  # starts every prompt whose answer the inbox takes
FILTERS: tuple[str, ...] = ("all", "rep", "cmp", "mine")
_KIND = {"rep": "report", "cmp": "complaint"}


def data(action: str, value: object = 0) -> str:
    text = f"{ROUTE}{action}:{value}"
    if len(text.encode()) > 64:
        raise ValueError("callback data over 64 bytes")
    return text


def button(text: str, action: str, value: object = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data(action, value))


def actor_of(who: Viewer) -> Actor:
    member = who.membership.member if who.membership is not None else None
    return Actor(
        role=who.role,
        member_id=member.id if member is not None else None,
        unit_id=member.unit_id if member is not None else None,
    )


async def desk_person(update: Update, context: BotContext) -> Viewer | None:
    """The person, when they may use the desk in this chat; otherwise they are told why."""
    who = await viewer(update, context)
    if who is None:
        return None
    t = who.t
    chat = update.effective_chat
    refusal: str | None = None
    if not may_use_desk(who.role):
        refusal = t.gettext("Only case handlers and administrators can use the inbox.")
    elif chat is None or chat.type != ChatType.PRIVATE:
        refusal = t.gettext("Use /inbox in a private chat with me: case cards name reporters.")
    if refusal is None:
        return who
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return None


def _filter_label(t: Translator, name: str) -> str:
    match name:
        case "rep":
            return t.gettext("Reports")
        case "cmp":
            return t.gettext("Complaints")
        case "mine":
            return t.gettext("Mine")
    return t.gettext("All")


async def inbox_page(
    who: Viewer, context: BotContext, which: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The list's text and buttons for one filter and page."""
    t = who.t
    svc = context.services
    actor = actor_of(who)
    owner = actor.member_id if which == "mine" else None
    if which == "mine" and owner is None:
        owner = -1  # an administrator without a membership owns nothing
    listing = await desk.list_open(
        svc.db,
        kind=_KIND.get(which),
        owner_member_id=owner,
        offset=page * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    pages = max(1, (listing.total + PAGE_SIZE - 1) // PAGE_SIZE)
    if not listing.items and page > 0:
        return await inbox_page(who, context, which, min(page, pages) - 1)
    head = t.gettext("<b>Inbox: open cases</b> ({which})", which=_filter_label(t, which).lower())
    if listing.total == 0:
        text = head + "\n" + t.gettext("No open cases here.")
    else:
        text = (
            head
            + "\n"
            + t.ngettext("{n} case", "{n} cases", listing.total)
            + " · "
            + t.gettext("page {page} of {pages}", page=page + 1, pages=pages)
            + "\n"
            + t.gettext("Press a case to open it.")
        )
    rows: list[list[InlineKeyboardButton]] = []
    for line in listing.items:
        mark = "📄" if line.kind == "report" else "📮"
        label = f"{mark} {line.number} · {status_label(t, line.status)} · {line.unit_name or '—'}"
        rows.append([button(shorten(label, 48), "open", line.case_id)])
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(button(t.gettext("‹ Previous"), "list", f"{which}.{page - 1}"))
    if page + 1 < pages:
        nav.append(button(t.gettext("Next ›"), "list", f"{which}.{page + 1}"))
    if nav:
        rows.append(nav)
    rows.append(
        [
            button(("• " if f == which else "") + _filter_label(t, f), "list", f"{f}.0")
            for f in FILTERS
        ]
    )
    return text, InlineKeyboardMarkup(rows)


async def show_inbox(update: Update, context: BotContext) -> None:
    """/inbox: the first page of all open cases."""
    who = await desk_person(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    text, markup = await inbox_page(who, context, "all", 0)
    await message.reply_text(text, reply_markup=markup)


def action_label(t: Translator, action: Action) -> str:
    match action:
        case Action.ACCEPT:
            return t.gettext("Accept (I am responsible)")
        case Action.REPLY:
            return t.gettext("Reply to the reporter")
        case Action.CLOSE:
            return t.gettext("Close with a summary")
        case Action.TRANSFER:
            return t.gettext("Transfer")
        case Action.DISPATCH:
            return t.gettext("Dispatch to the unit")
    return action.value


# The actions built so far; the others appear on the card once they are.
BUILT: tuple[Action, ...] = tuple(Action)


async def case_card(
    who: Viewer, context: BotContext, case_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """A case's card for staff with the buttons of what `who` may do now; None if gone."""
    t = who.t
    svc = context.services
    found = await desk.desk_case(svc.db, case_id)
    if found is None:
        return None
    actor = actor_of(who)
    rows: list[list[InlineKeyboardButton]] = []
    if found.kind == "complaint":
        view = await complaints.view(svc.db, case_id)
        if view is None:
            return None
        text = (
            staff_card(t, svc.settings.campaign, view)
            + "\n\n"
            + t.gettext("Act on complaints with the buttons of their card in the staff chat.")
        )
    else:
        report = await reports.view_for(
            svc.db, case_id, ReportViewer(actor.role, actor.unit_id, actor.member_id)
        )
        if report is None:
            return None
        owner = found.owner_name or t.gettext("nobody yet")
        text = (
            report_text(t, svc.settings.campaign, report)
            + "\n"
            + t.gettext("Responsible: {name}", name=owner)
        )
        for action in available(actor, found.facts):
            if action in BUILT:
                rows.append([button(action_label(t, action), action.value, case_id)])
    return text, InlineKeyboardMarkup(rows) if rows else InlineKeyboardMarkup([])


async def open_case(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    query = update.callback_query
    assert query is not None
    card = await case_card(who, context, case_id)
    if card is None:
        await query.answer(who.t.gettext("This case no longer exists."))
        return
    await query.answer()
    assert isinstance(query.message, Message)
    text, markup = card
    await query.message.reply_text(text, reply_markup=markup if markup.inline_keyboard else None)
