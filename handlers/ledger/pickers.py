"""Pieces the ledger's conversations share: their states, the draft kept in `user_data`, the
deadline and responsible-person pickers, reading text with a limit, and files as evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from domain.campaign import Campaign
from domain.ledger.deadlines import DeadlineProblem, quick_choices
from handlers.context import BotContext
from handlers.i18n import Html, Translator
from handlers.ledger.views import ROUTE, cut, keyboard
from storage.ledger.items import NewEvidence
from storage.models import Member

# Conversation states.
ADD_CATEGORY = "ledger:add:category"
ADD_DESCRIBE = "ledger:add:describe"
ADD_MEASURE = "ledger:add:measure"
DEADLINE = "ledger:deadline"
DEADLINE_REASON = "ledger:deadline:reason"
RESPONSIBLE = "ledger:responsible"
RESPONSIBLE_NAME = "ledger:responsible:name"
EVIDENCE = "ledger:evidence"
NOTE = "ledger:note"

DRAFT_KEY = "ledger_draft"
MEMBER_BUTTONS = 30  # more members than this: the head types the name
NOT_ON_TELEGRAM = 0  # `who:0`


def draft(context: BotContext) -> dict[str, Any]:
    """The draft of the conversation under way (empty when none)."""
    data = context.user_data
    if data is None:
        return {}
    found: dict[str, Any] = data.setdefault(DRAFT_KEY, {})
    return found


def start_draft(context: BotContext, **values: Any) -> dict[str, Any]:
    data = context.user_data if context.user_data is not None else {}
    data[DRAFT_KEY] = {"evidence": [], **values}
    result: dict[str, Any] = data[DRAFT_KEY]
    return result


def end_draft(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


def deadline_prompt(
    t: Translator, today: date, campaign: Campaign
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """Ask for a deadline: quick choices as buttons, or a typed date."""
    phase_end, in_30 = quick_choices(today, campaign)
    rows = []
    if phase_end is not None:
        label = t.gettext("End of this phase ({day})", day=t.date(phase_end))
        rows.append([InlineKeyboardButton(label, callback_data=ROUTE.data("dl", 1))])
    if in_30 is not None:
        label = t.gettext("In 30 days ({day})", day=t.date(in_30))
        rows.append([InlineKeyboardButton(label, callback_data=ROUTE.data("dl", 2))])
    text = t.gettext(
        "Deadline for this problem? Choose below or type a date (2027-05-01, 5月1日 or 5/1), "
        "between {start} and {end}.",
        start=t.date(max(today, campaign.start)),
        end=t.date(campaign.end),
    )
    return text, keyboard(rows)


def deadline_problem(t: Translator, problem: DeadlineProblem, campaign: Campaign) -> Html:
    match problem:
        case DeadlineProblem.UNREADABLE:
            return t.gettext("I cannot read that as a date. Try 2027-05-01, 5月1日 or 5/1.")
        case DeadlineProblem.NO_SUCH_DAY:
            return t.gettext("That day does not exist. Please check the month and day.")
        case DeadlineProblem.IN_PAST:
            return t.gettext("That day has already passed. Please give a later date.")
        case DeadlineProblem.BEFORE_CAMPAIGN:
            return t.gettext(
                "The campaign starts on {day}; the deadline cannot be earlier.",
                day=t.date(campaign.start),
            )
        case DeadlineProblem.AFTER_CAMPAIGN:
            return t.gettext(
                "The campaign ends on {day}; the deadline cannot be later.",
                day=t.date(campaign.end),
            )


def responsible_prompt(
    t: Translator, people: Sequence[Member]
) -> tuple[Html, InlineKeyboardMarkup]:
    """Pick the 责任人: a member of the unit, or someone not on Telegram (typed name)."""
    rows = [
        [InlineKeyboardButton(cut(m.display_name, 30), callback_data=ROUTE.data("who", m.id))]
        for m in people[:MEMBER_BUTTONS]
    ]
    rows.append(
        [
            InlineKeyboardButton(
                t.gettext("Someone not on Telegram"),
                callback_data=ROUTE.data("who", NOT_ON_TELEGRAM),
            )
        ]
    )
    return t.gettext("Who is responsible for it?"), InlineKeyboardMarkup(rows)


async def read_text(update: Update, t: Translator, limit: int) -> str | None:
    """The text the person sent, or None after telling them why it will not do."""
    message = update.effective_message
    if message is None:
        return None
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(t.gettext("Please write it as text (or send /cancel)."))
        return None
    if len(text) > limit:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; at most {limit} fit here. Please shorten it.",
                count=len(text),
                limit=limit,
            )
        )
        return None
    return text


def evidence_of(message: Message) -> NewEvidence | None:
    """A photo (its largest size) or a document as evidence."""
    caption = message.caption[:1000] if message.caption else None
    if message.photo:
        photo = message.photo[-1]
        return NewEvidence("photo", photo.file_id, "image/jpeg", photo.file_size, caption)
    if message.document:
        doc = message.document
        return NewEvidence("document", doc.file_id, doc.mime_type, doc.file_size, caption)
    return None


def evidence_prompt(t: Translator, count: int) -> tuple[Html, InlineKeyboardMarkup]:
    text = t.gettext("You may send photos or files as evidence (optional), then press Done.")
    if count:
        text = t.ngettext(
            "{n} file received. Send more, or press Done.",
            "{n} files received. Send more, or press Done.",
            count,
        )
    button = InlineKeyboardButton(t.gettext("Done"), callback_data=ROUTE.data("done", count))
    return text, InlineKeyboardMarkup([[button]])
