"""The staff desk's case card in a handler's private chat: what the case is (a report names its
reporter here, a complaint nobody, a finding its facts) and the buttons of what the presser may
do now — accept, reply, close, transfer, dispatch — for any kind of case alike.

The list and its filters are in handlers/desk/filters.py, the buttons' work in
handlers/desk/actions.py and handlers/desk/prompts.py. Only case officers and administrators,
in a private chat; in the staff chat only the card's "accept" and "open in private chat".
Every button `inbox:v1:<action>:<value>` is re-checked against the presser's role and the
case's current state.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from domain.cases.reports import ReportViewer
from domain.desk.followup import may_open_thread
from domain.desk.rules import Action, Actor, available, may_use_desk
from handlers.context import BotContext, Services, Viewer, viewer
from handlers.desk.cards import ROUTE, channel_line, plain_text
from handlers.desk.followups.common import panel_button
from handlers.hotline.views import staff_card
from handlers.i18n import Html, Translator, escape
from handlers.report.views import report_text
from handlers.ui.presses import refuse
from storage.cases import complaints, intake, reports
from storage.desk import actions as desk
from storage.desk.actions import DeskCase

CALLBACK_PATTERN = ROUTE.pattern
PROMPT_MARK = "🖊"  # starts every prompt whose answer the inbox takes
STAFF_CHAT_ACTIONS: tuple[str, ...] = (Action.ACCEPT.value, "pm")


def actor_of(who: Viewer) -> Actor:
    member = who.membership.member if who.membership is not None else None
    return Actor(
        role=who.role,
        member_id=member.id if member is not None else None,
        unit_id=member.unit_id if member is not None else None,
    )


def in_staff_chat(update: Update, context: BotContext) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.id == context.services.settings.staff_chat


async def desk_person(
    update: Update, context: BotContext, *, staff_chat_ok: bool = False
) -> Viewer | None:
    """The person, when they may use the desk in this chat (a private chat, or the staff
    chat when `staff_chat_ok`); otherwise they are told why."""
    who = await viewer(update, context)
    if who is None:
        return None
    t = who.t
    chat = update.effective_chat
    refusal: str | None = None
    if not may_use_desk(who.role):
        await refuse(
            update, t, t.gettext("Only case handlers and administrators can use the inbox.")
        )
        return None
    if chat is None or (
        chat.type != ChatType.PRIVATE and not (staff_chat_ok and in_staff_chat(update, context))
    ):
        refusal = t.gettext("Use /inbox in a private chat with me: case cards name reporters.")
    if refusal is None:
        return who
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return None


def action_label(t: Translator, action: Action, kind: str = "report") -> str:
    match action:
        case Action.ACCEPT:
            return t.gettext("Accept (I am responsible)")
        case Action.REPLY if kind == "complaint":
            return t.gettext("Reply to the complainant")
        case Action.REPLY if kind == "finding":
            return t.gettext("Record the answer")
        case Action.REPLY:
            return t.gettext("Reply to the reporter")
        case Action.CLOSE:
            return t.gettext("Close with a summary")
        case Action.TRANSFER:
            return t.gettext("Transfer")
        case Action.DISPATCH:
            return t.gettext("Dispatch to the unit")
        case Action.ANSWER:
            return t.gettext("Answer and close")
    return action.value


# The actions built so far; the others appear on the card once they are.
BUILT: tuple[Action, ...] = tuple(Action)


def case_keyboard(t: Translator, actor: Actor, found: DeskCase) -> list[list[InlineKeyboardButton]]:
    """The private card's buttons: what `actor` may do to the case now. Every desk action
    adds its button here (one place), in the order the card shows them."""
    rows: list[list[InlineKeyboardButton]] = []
    for action in available(actor, found.facts):
        if action in BUILT:
            rows.append(
                [ROUTE.button(action_label(t, action, found.kind), action.value, found.case_id)]
            )
    if may_open_thread(actor.role, actor.unit_id, found.facts.unit_id):  # notes, files, 退单
        rows.append([panel_button(t, found.case_id)])
    return rows


async def contact_lines(svc: Services, t: Translator, case_id: int) -> str:
    """A named case's person, as the officer who registered it wrote them down: for staff in a
    private chat only (never on the staff chat's card)."""
    found = await intake.intake_of(svc.db, case_id)
    if found is None or found.contact is None:
        return ""
    return t.gettext(
        "Received on {day} from: {name}, {details}",
        day=t.date(found.received_on),
        name=escape(found.contact.name),
        details=escape(found.contact.details),
    )


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
    owner = t.gettext("Responsible: {name}", name=found.owner_name or t.gettext("nobody yet"))
    if found.kind == "complaint":
        view = await complaints.view(svc.db, case_id)
        if view is None:
            return None
        if found.channel != "chat":
            owner = Html(channel_line(t, found.channel) + "\n" + owner)
        text = staff_card(t, svc.settings.campaign, view, footer=owner)
    elif found.kind == "report" and found.channel != "chat":  # named, from another channel
        text = plain_text(svc, t, found) + "\n\n" + await contact_lines(svc, t, case_id)
    elif found.kind == "report":
        report = await reports.view_for(
            svc.db, case_id, ReportViewer(actor.role, actor.unit_id, actor.member_id)
        )
        if report is None:
            return None
        text = report_text(t, svc.settings.campaign, report) + "\n" + owner
    else:
        text = plain_text(svc, t, found)
        if found.inspector_name is not None:
            text += "\n\n" + t.gettext("Inspector: {name}", name=found.inspector_name)
    return text, InlineKeyboardMarkup(case_keyboard(t, actor, found))


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
