"""The loop of a case in the staff's and the people's chats: the words of each notice the
loop's steps write into the outbox (the reminder engine's one paced sender delivers them,
`bot/reminders/notices.py`), the prepared answer the owner may send as it is or edit, and the
desk's verification queue (`/inbox verify`): every rectified ledger item awaiting 销号,
dispatched or listed by its unit, each opening its ledger card (verify / send back there).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from domain.cases.lifecycle import CaseStatus
from domain.cases.loop import Notice, Verdict
from domain.desk.rules import Action
from domain.reminders.digest import Pending
from handlers.context import BotContext, Viewer
from handlers.desk.cards import ROUTE, refresh_staff_card
from handlers.i18n import Html, Translator, escape
from handlers.ledger.extensions import compose_extension_notice
from handlers.ledger.views import open_item_callback
from handlers.report.rating import rating_keyboard
from handlers.ui.text import shorten
from storage.cases.loop import AnswerFacts, Rated
from storage.desk import actions as desk_actions
from storage.desk import filters as desk_filters

log = logging.getLogger(__name__)
QUEUE_PAGE = 8
ACCOUNT_CHARS = 1500  # of the unit's account in a notice (a message holds 4096)
QUEUE_ACTION = "vq"  # the queue in a new message (from a notice, from the inbox)
PAGE_ACTION = "vp"  # another page of it, in place


def _text(value: object, limit: int = ACCOUNT_CHARS) -> str:
    return shorten(str(value or ""), limit)


def prepared_answer(t: Translator, facts: AnswerFacts) -> str:
    """An answer the owner may send as it is: what was found, what the unit did, verified."""
    unit = facts.unit or t.gettext("the unit concerned")
    if facts.kind == "complaint":
        first = t.gettext(
            "Thank you for your complaint. The matter was passed to {unit} for rectification, "
            "and the bureau has verified the rectification.",
            unit=unit,
        )
    else:
        first = t.gettext(
            "Thank you for your report {number}. The matter was passed to {unit} for "
            "rectification, and the bureau has verified the rectification.",
            number=facts.number,
            unit=unit,
        )
    lines = [first]
    if facts.account:
        lines.append(t.gettext("What was done: {account}", account=_text(facts.account, 800)))
    elif facts.measure:
        lines.append(t.gettext("What was done: {account}", account=_text(facts.measure, 800)))
    lines.append(t.gettext("If you are not satisfied with the handling, say so when you rate it."))
    return "\n".join(lines)


def _open_item(t: Translator, item_id: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t.gettext("Open the item"), callback_data=open_item_callback(int(str(item_id)))
    )


def compose_notice(t: Translator, row: Pending) -> tuple[str, InlineKeyboardMarkup | None]:
    """The words and buttons of one notice of the loop, from its payload."""
    p = row.payload
    number, case_id = p.get("number", ""), int(str(p.get("case_id") or 0))
    match p.get("notice"):
        case Notice.RECTIFIED:
            text: str = t.gettext(
                "🛠 {unit} marked item {seq} rectified ({number}); it awaits your verification.",
                unit=p.get("unit", ""),
                seq=p.get("seq", ""),
                number=number,
            )
            text += "\n" + t.gettext("Their account: {note}", note=_text(p.get("note")))
            files = int(str(p.get("files") or 0))
            if files:
                text += "\n" + t.ngettext(
                    "Evidence: {n} file (open the item to see it).",
                    "Evidence: {n} files (open the item to see them).",
                    files,
                )
            rows = [[_open_item(t, p.get("item_id"))]]
            rows.append([ROUTE.button(t.gettext("Awaiting verification"), QUEUE_ACTION, 0)])
            return Html(text), InlineKeyboardMarkup(rows)
        case Notice.VERIFIED:
            return answer_invitation(t, str(number), case_id)
        case Notice.SENT_BACK:
            text = t.gettext(
                "↩ Item {seq} ({unit}) was sent back: the rectification is not accepted yet. "
                "Reason: {reason}\nPlease go on with it and mark it rectified again.",
                seq=p.get("seq", ""),
                unit=p.get("unit", ""),
                reason=_text(p.get("reason"), 500),
            )
            return text, InlineKeyboardMarkup([[_open_item(t, p.get("item_id"))]])
        case Notice.ANSWERED:
            answer = (
                t.gettext("Answer to your report {number}:", number=number)
                + "\n\n"
                + escape(_text(p.get("answer"), 3000))
                + "\n\n"
                + t.gettext("The case is closed. How satisfied are you with the handling?")
            )
            return Html(answer), rating_keyboard(t, case_id)
        case Notice.REOPENED:
            return reopened(t, str(number), str(p.get("reason", "")), case_id)
        case Notice.ESCALATED:
            return escalation(t, str(number), str(p.get("owner", "")), str(p.get("reason", "")))
        case Notice.EXTENSION_ASKED | Notice.EXTENSION_DECIDED:
            return compose_extension_notice(t, p)
    return t.gettext("A case has changed."), None


def answer_invitation(t: Translator, number: str, case_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """To the owner of a case whose item is verified: answer the person and close."""
    text = t.gettext(
        "✅ The rectification of {number} is verified. Answer the person and close the case.",
        number=number,
    )
    button = ROUTE.button(t.gettext("Answer and close"), Action.ANSWER, case_id)
    return text, InlineKeyboardMarkup([[button]])


async def after_item_move(context: BotContext, who: Viewer, source_case_id: int | None) -> None:
    """After a ledger item moved: send the notices its move wrote now (not at the next tick);
    the owner who verified their own case's item is asked to answer at once."""
    svc = context.services
    if svc.outbox is not None:
        svc.outbox.kick()
    if source_case_id is None or who.membership is None:
        return
    found = await desk_actions.desk_case(svc.db, source_case_id)
    owner = found is not None and found.facts.owner_member_id == who.membership.member.id
    if found is None or not owner or found.facts.status != CaseStatus.VERIFIED:
        return
    text, markup = answer_invitation(who.t, found.number, found.case_id)
    await context.bot.send_message(who.telegram_user_id, text, reply_markup=markup)


def reopened(
    t: Translator, number: str, reason: str, case_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """To the owner: the case is back for re-handling, with the person's reason."""
    text = t.gettext(
        "🔁 {number} is reopened for re-handling (重办): the person is not satisfied. "
        "Reason: {reason}",
        number=number,
        reason=_text(reason, 1000),
    )
    button = ROUTE.button(t.gettext("Open the case"), "open", case_id)
    return text, InlineKeyboardMarkup([[button]])


async def tell_complaint_rated(context: BotContext, rated: Rated, reason: str) -> None:
    """A complainant's dissatisfaction, told at once (no outbox row: it would place their act
    in time): the owner hears of the re-handling; after re-handling, the staff chat."""
    svc = context.services
    owner = rated.owner
    try:
        if rated.verdict is Verdict.REHANDLE and owner is not None and rated.case_id is not None:
            t = svc.catalogs.get(owner.language)
            text, markup = reopened(t, rated.number, reason, rated.case_id)
            await context.bot.send_message(owner.telegram_user_id, text, reply_markup=markup)
        elif rated.verdict is Verdict.ESCALATE and svc.settings.staff_chat is not None:
            t = svc.catalogs.get(None)
            name = owner.display_name if owner is not None else ""
            text, _none = escalation(t, rated.number, name, reason)  # no button: no case id
            await context.bot.send_message(svc.settings.staff_chat, text)
    except TelegramError as error:  # stored already; the desk lists the case anyway
        log.warning("complaint rating notice not delivered: %s", type(error).__name__)
    if rated.case_id is not None:
        await refresh_staff_card(context, rated.case_id)


def escalation(
    t: Translator, number: str, owner: str, reason: str, case_id: int | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """For the staff chat: dissatisfied again after re-handling (a complaint's is sent at once
    by the hotline, with no button that names its id)."""
    text = t.gettext(
        "⚠ {number}: the person is still not satisfied after re-handling (handled by {owner}). "
        "Reason: {reason}\nPlease review the case.",
        number=number,
        owner=owner or t.gettext("nobody"),
        reason=_text(reason, 1000),
    )
    if case_id is None:
        return text, None
    return text, InlineKeyboardMarkup(
        [[ROUTE.button(t.gettext("Open in private chat"), "pm", case_id)]]
    )


async def queue_view(
    who: Viewer, context: BotContext, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the verification queue: each item opens its ledger card."""
    t = who.t
    listing = await desk_filters.awaiting_verification(
        context.services.db, offset=page * QUEUE_PAGE, limit=QUEUE_PAGE
    )
    pages = max(1, (listing.total + QUEUE_PAGE - 1) // QUEUE_PAGE)
    if not listing.items and page > 0:
        return await queue_view(who, context, min(page, pages) - 1)
    head = t.gettext("<b>Awaiting verification</b>")
    if listing.total == 0:
        text = head + "\n" + t.gettext("No rectified item awaits verification.")
    else:
        text = (
            head
            + "\n"
            + t.ngettext("{n} item", "{n} items", listing.total)
            + " · "
            + t.gettext("page {page} of {pages}", page=page + 1, pages=pages)
            + "\n"
            + t.gettext("Press an item to verify it (销号) or send it back with a reason.")
        )
    rows: list[list[InlineKeyboardButton]] = []
    for line in listing.items:
        source = line.case_number or t.gettext("self-listed")
        label = f"{line.unit_name} {line.seq}. {line.description} · {source}"
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(label, 48), callback_data=open_item_callback(line.item_id)
                )
            ]
        )
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(ROUTE.button(t.gettext("‹ Previous"), PAGE_ACTION, page - 1))
    if page + 1 < pages:
        nav.append(ROUTE.button(t.gettext("Next ›"), PAGE_ACTION, page + 1))
    if nav:
        rows.append(nav)
    return text, InlineKeyboardMarkup(rows) if rows else None  # Telegram refuses an empty one


async def on_queue_button(
    update: Update, context: BotContext, who: Viewer, action: str, page: int
) -> None:
    """The queue opened from a notice or the inbox (a new message), or turned a page (in place)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await queue_view(who, context, page)
    if action == PAGE_ACTION:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        await context.bot.send_message(who.telegram_user_id, text, reply_markup=markup)
