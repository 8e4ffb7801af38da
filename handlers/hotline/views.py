"""How the hotline looks: the opening notice, keyboards, the receipt, the complaint as its
author reads it through /status and as staff read it on the card. No state, no storage."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from domain.campaign import Campaign
from domain.cases.lifecycle import CaseStatus
from handlers.i18n import Html, Translator, escape
from handlers.ui import limits
from handlers.ui.callbacks import Route
from handlers.ui.keyboards import keyboard
from handlers.ui.labels import category_name, rating_label, status_label
from storage.cases.complaints import ComplaintView

CARD_TEXT_MAX = 3000  # the card must stay under Telegram's 4096 characters
# The hotline's three routes: the /complain form, /status, and the staff card.
COMPLAIN = Route("complain", empty="-")
STATUS = Route("status", empty="-")
HOTLINE = Route("hotline", empty="-")


def opening(t: Translator) -> str:
    """What is and is not protected, in short (docs/anonymity.md has the long form)."""
    return t.gettext(
        "<b>Anonymous complaint</b>\n"
        "What is protected: the bot does not store your Telegram account, name or chat with "
        "your complaint; staff see only a pseudonym, the text and your files; dates are kept, "
        "not times.\n"
        "What is not: Telegram itself knows that you wrote to this bot; what you write (names, "
        "details only you would know) can identify you. If in doubt, use a separate Telegram "
        "account and leave out identifying details.\n"
        "You will get a receipt to follow up with /status. Continue?"
    )


def receipt_text(t: Translator, receipt: str) -> str:
    return t.gettext(
        "Your complaint was received. Your receipt:\n\n<code>{receipt}</code>\n\n"
        "Keep it secret and safe: it is shown only this once and cannot be recovered. "
        "Anyone who has it can read the replies. Send /status with it to read replies, "
        "add information or rate the handling. You may now delete this message after "
        "writing the receipt down.",
        receipt=receipt,
    )


def author_view(t: Translator, campaign: Campaign, view: ComplaintView, limit: int) -> str:
    """The complaint and its exchanges, for its author (through the receipt): the status,
    a rejection's reason and the complaint whole; the exchanges newest first back to `limit`
    characters (the older ones are named as left out). Longer than one message at the
    largest sizes: the caller pages it (`handlers.ui.limits.pages`)."""
    lines: list[str] = [
        t.gettext("<b>Your complaint</b> of {day}", day=t.date(view.opened_on)),
        t.gettext("Status: {status}", status=status_label(t, view.status)),
        t.gettext("Category: {name}", name=category_name(t, campaign, view.category_key)),
        t.gettext("Unit concerned: {unit}", unit=view.unit_name or t.gettext("not known")),
    ]
    if view.status == CaseStatus.REJECTED and view.rejection_reason:
        lines.append(t.gettext("Reason: {reason}", reason=view.rejection_reason))
    lines.append("")
    lines.append(escape(view.description))
    budget = limit
    shown: list[str] = []
    for message in reversed(view.messages):
        who = (
            t.gettext("Staff reply") if message.direction == "to_author" else t.gettext("You added")
        )
        entry = f"\n<b>{who}</b> · {escape(t.date(message.sent_on))}\n{escape(message.body)}"
        if limits.length(entry) > budget:
            shown.append(
                "\n" + t.gettext("(earlier messages are not shown: the message would be too long)")
            )
            break
        budget -= limits.length(entry)
        shown.append(entry)
    if not view.messages:
        lines.append("\n" + t.gettext("No reply yet."))
    lines.extend(reversed(shown))
    if view.rating:
        lines.append("\n" + t.gettext("Your rating: {rating}", rating=rating_label(t, view.rating)))
    return "\n".join(lines)


def staff_card(t: Translator, campaign: Campaign, view: ComplaintView, footer: str = "") -> str:
    """The card in the staff chat: pseudonym, category, unit, date (no time), text, then
    `footer`. One message (it is edited in place): the text is shortened to what the rest
    leaves of Telegram's limit, and to `CARD_TEXT_MAX` at most, with a note."""
    head = t.gettext(
        "<b>Anonymous complaint {pseudonym}</b>\n"
        "Date: {day}\nCategory: {category}\nUnit concerned: {unit}\nStatus: {status}",
        pseudonym=view.pseudonym,
        day=t.date(view.opened_on),
        category=category_name(t, campaign, view.category_key),
        unit=view.unit_name or t.gettext("not known"),
        status=status_label(t, view.status),
    )
    files = (
        "\n" + t.ngettext("{n} file follows.", "{n} files follow.", len(view.evidence))
        if view.evidence
        else ""
    )
    tail = files + (f"\n{footer}" if footer else "")
    note = "\n" + t.gettext(
        "(shortened on this card: {count} characters in all)", count=len(view.description)
    )
    room = limits.TEXT_LIMIT - limits.length(f"{head}\n\n{note}{tail}") - 2
    text = view.description
    if limits.units(text) > min(CARD_TEXT_MAX, room):
        text = limits.clip(text, min(CARD_TEXT_MAX, room))
    else:
        note = ""
    return f"{head}\n\n{escape(text)}{note}{tail}"


def staff_keyboard(t: Translator, pseudonym: str) -> InlineKeyboardMarkup:
    return keyboard(
        [HOTLINE.button(t.gettext("Reply"), "reply", pseudonym)],
        [
            HOTLINE.button(t.gettext("Close"), "close", pseudonym),
            HOTLINE.button(t.gettext("Reject"), "reject", pseudonym),
        ],
    )


def added_information(t: Translator, pseudonym: str, body: str) -> str:
    return t.gettext(
        "<b>{pseudonym}</b>: the complainant added information:\n\n{body}",
        pseudonym=pseudonym,
        body=Html(escape(limits.clip(body, CARD_TEXT_MAX))),
    )
