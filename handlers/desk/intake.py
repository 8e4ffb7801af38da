"""/intake: a case officer registers a case that came in by another channel than the chat
(举报专线、举报信箱、来信、来访、12345 转办、审计), step by step in a private chat:

channel → day received → named or anonymous (named: name, then contact details) → unit →
category → what it is about → photos (optional) → summary → register.

A named case becomes a report with the person's name and contact details kept for staff (the
private case card shows them; the staff chat's card never does). An anonymous one becomes a
complaint with a receipt, shown once to the officer to read out or post back: the person
follows it with /status like any complainant. For an anonymous case the officer's account of
the person is never taken: the name and contact steps are skipped, and a draft turned
anonymous at the summary forgets what was typed there (docs/anonymity.md).

The draft lives in `chat_data` (never stored) and the conversation is not persistent. Every
press and message re-checks that the sender is a case officer or an administrator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from domain.cases.accountability import (
    CONTACT_DETAILS_MAX,
    CONTACT_NAME_MAX,
    INTAKE_CHANNELS,
    Channel,
    ReceivedProblem,
    read_received,
)
from domain.desk.rules import may_use_desk
from domain.hotline import receipts
from domain.hotline.rules import clean_text
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import not_expected_here, one_draft_per_person, step
from handlers.desk.cards import channel_line, post_staff_card
from handlers.i18n import Html, Translator, escape
from handlers.ui.callbacks import Route, pressed
from handlers.ui.dates import local_today
from handlers.ui.keyboards import close_keyboard, rows_of
from handlers.ui.labels import category_name, channel_label
from handlers.ui.pickers import UnitPicker, campaign_categories, category_keyboard
from handlers.ui.presses import neutral, refuse, stale_button
from storage.cases import intake
from storage.cases.complaints import EvidenceFile
from storage.cases.intake import Contact, Received
from storage.membership import units

log = logging.getLogger(__name__)
ROUTE = Route("intake")
CHANNEL, RECEIVED, NAMED, NAME, CONTACT = (
    "intake:channel",
    "intake:received",
    "intake:named",
    "intake:name",
    "intake:contact",
)
UNIT, CATEGORY, DESCRIBE, FILES, CONFIRM = (
    "intake:unit",
    "intake:category",
    "intake:describe",
    "intake:files",
    "intake:confirm",
)
DRAFT_KEY = "intake:draft"
MAX_FILES = 10
TIMEOUT_SECONDS = 30 * 60
UNITS = UnitPicker(ROUTE)
Handler = BaseHandler[Any, BotContext, Any]


async def _officer(update: Update, context: BotContext) -> Viewer | None:
    """The sender, when a case officer or an administrator; otherwise told so (None)."""
    who = await viewer(update, context)
    if who is None:
        return None
    if may_use_desk(who.role):
        return who
    await refuse(
        update, who.t, who.t.gettext("Only case handlers and administrators can register cases.")
    )
    return None


def _draft(context: BotContext) -> dict[str, Any] | None:
    data = context.chat_data if context.chat_data is not None else {}
    found: dict[str, Any] | None = data.get(DRAFT_KEY)
    return found


def _end(context: BotContext) -> int:
    """Forget the draft (an anonymous case's words go with it)."""
    if context.chat_data is not None:
        context.chat_data.pop(DRAFT_KEY, None)
    return ConversationHandler.END


def _cancel_row(t: Translator) -> list[Any]:
    return [ROUTE.button(t.gettext("Cancel"), "cancel", 0)]


async def _ask(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await message.reply_text(text, reply_markup=markup)


async def begin(update: Update, context: BotContext) -> str | int:
    """/intake: which channel did the case come by?"""
    who = await _officer(update, context)
    message = update.effective_message
    if who is None or message is None or context.chat_data is None:
        return ConversationHandler.END
    t = who.t
    context.chat_data[DRAFT_KEY] = {"files": []}
    buttons = [ROUTE.button(channel_label(t, c), "ch", c.value) for c in INTAKE_CHANNELS]
    markup = rows_of(buttons, 2)
    await _ask(
        message,
        t.gettext(
            "Register a case received outside this chat. How did it come in? "
            "(/cancel stops at any step.)"
        ),
        InlineKeyboardMarkup([*markup.inline_keyboard, _cancel_row(t)]),
    )
    return CHANNEL


async def _pressed_value(update: Update, context: BotContext) -> tuple[Viewer, str, str] | None:
    """(officer, action, value) of this conversation's button pressed by an officer with a
    draft; anything else is answered here (None)."""
    query = update.callback_query
    who = await _officer(update, context)
    if who is None or query is None:
        return None
    press = pressed(update)
    if press is None or _draft(context) is None:
        await query.answer(neutral(who.t))
        return None
    return who, press.action, press.value


@dataclass(frozen=True)
class _Press:
    who: Viewer
    action: str
    value: str
    draft: dict[str, Any]


async def _step(update: Update, context: BotContext, state: str) -> _Press | str | int:
    """The button pressed at `state` by an officer with a draft; otherwise where the
    conversation goes: `state` again (the press answered here), or its end after Cancel."""
    got = await _pressed_value(update, context)
    draft = _draft(context)
    if got is None or draft is None:
        return state
    who, action, raw = got
    if action == "cancel":
        return await _cancelled(update, context, who)
    return _Press(who, action, raw, draft)


async def _taken(update: Update) -> Message:
    """A valid press: answered, its buttons removed; the message to answer under."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await close_keyboard(update)
    message = update.effective_message
    assert message is not None
    return message


async def _invalid(update: Update, who: Viewer, state: str) -> str:
    query = update.callback_query
    assert query is not None
    await query.answer(neutral(who.t))
    return state


def _received_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                ROUTE.button(t.gettext("Today"), "day", 0),
                ROUTE.button(t.gettext("Yesterday"), "day", 1),
            ],
            _cancel_row(t),
        ]
    )


async def choose_channel(update: Update, context: BotContext) -> str | int:
    """A channel pressed: then the day it was received."""
    step = await _step(update, context, CHANNEL)
    if not isinstance(step, _Press):
        return step
    who, raw, draft = step.who, step.value, step.draft
    if raw not in {c.value for c in INTAKE_CHANNELS}:
        return await _invalid(update, who, CHANNEL)
    draft["channel"] = raw
    message = await _taken(update)
    await _ask(
        message,
        who.t.gettext(
            "On which day was it received? Press a button or type the date "
            "(for example 2027-04-02 or 4月2日)."
        ),
        _received_keyboard(who.t),
    )
    return RECEIVED


def _named_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [ROUTE.button(t.gettext("Named (with contact details)"), "who", "named")],
            [ROUTE.button(t.gettext("Anonymous"), "who", "anon")],
            _cancel_row(t),
        ]
    )


async def _set_received(message: Message, who: Viewer, draft: dict[str, Any], day: date) -> str:
    draft["received"] = day.isoformat()
    await _ask(
        message,
        who.t.gettext(
            "Did the person give their name and contact details, or is the case anonymous? "
            "For an anonymous case write nothing down about the caller: they get a receipt "
            "to follow it with /status."
        ),
        _named_keyboard(who.t),
    )
    return NAMED


async def received_button(update: Update, context: BotContext) -> str | int:
    """Today or yesterday pressed."""
    step = await _step(update, context, RECEIVED)
    if not isinstance(step, _Press):
        return step
    who, raw, draft = step.who, step.value, step.draft
    if raw not in ("0", "1"):
        return await _invalid(update, who, RECEIVED)
    message = await _taken(update)
    day = local_today(context) - timedelta(days=int(raw))
    return await _set_received(message, who, draft, day)


def _received_problem(t: Translator, problem: ReceivedProblem) -> str:
    match problem:
        case ReceivedProblem.UNREADABLE:
            return t.gettext("I cannot read that date. Type it like 2027-04-02 or 4月2日.")
        case ReceivedProblem.NO_SUCH_DAY:
            return t.gettext("That day does not exist. Type the date again.")
        case ReceivedProblem.FUTURE:
            return t.gettext("That day is in the future. Type the day it was received.")


async def received_typed(update: Update, context: BotContext) -> str | int:
    """A typed date: read it, or say why not and ask again."""
    who = await _officer(update, context)
    message = update.effective_message
    draft = _draft(context)
    if who is None or message is None or draft is None:
        return _end(context)
    day = read_received(message.text or "", local_today(context))
    if isinstance(day, ReceivedProblem):
        await _ask(message, _received_problem(who.t, day), _received_keyboard(who.t))
        return RECEIVED
    return await _set_received(message, who, draft, day)


async def named_choice(update: Update, context: BotContext) -> str | int:
    """Named: ask the name; anonymous: straight on to the unit."""
    step = await _step(update, context, NAMED)
    if not isinstance(step, _Press):
        return step
    who, raw, draft = step.who, step.value, step.draft
    if raw not in ("named", "anon"):
        return await _invalid(update, who, NAMED)
    message = await _taken(update)
    if raw == "named":
        draft["named"] = True
        await _ask(message, who.t.gettext("The person's name?"))
        return NAME
    _forget_person(draft)
    return await _ask_unit(message, who)


def _forget_person(draft: dict[str, Any]) -> None:
    """Anonymous: nothing of the person stays, even what was typed before the switch."""
    draft["named"] = False
    draft.pop("name", None)
    draft.pop("contact", None)


async def _typed_text(
    update: Update, context: BotContext, *, key: str, limit: int, state: str
) -> tuple[Viewer, Message] | int | str:
    """A typed text step: the officer, the message and the text kept in the draft under `key`;
    or where the conversation goes instead (ended, or the same step again after a text empty
    or over `limit` characters)."""
    who = await _officer(update, context)
    message = update.effective_message
    draft = _draft(context)
    if who is None or message is None or draft is None:
        return _end(context)
    text = clean_text(message.text or "")
    if not text or len(text) > limit:
        await _ask(
            message,
            who.t.gettext(
                "That is {count} characters; it must be 1 to {limit}. Send it again.",
                count=len(text),
                limit=limit,
            ),
        )
        return state
    draft[key] = text
    return who, message


async def name_typed(update: Update, context: BotContext) -> str | int:
    typed = await _typed_text(update, context, key="name", limit=CONTACT_NAME_MAX, state=NAME)
    if not isinstance(typed, tuple):
        return typed
    who, message = typed
    await _ask(message, who.t.gettext("How can the person be reached (phone, address, e-mail)?"))
    return CONTACT


async def contact_typed(update: Update, context: BotContext) -> str | int:
    typed = await _typed_text(
        update, context, key="contact", limit=CONTACT_DETAILS_MAX, state=CONTACT
    )
    if not isinstance(typed, tuple):
        return typed
    return await _ask_unit(typed[1], typed[0])


async def _ask_unit(message: Message, who: Viewer) -> str:
    t = who.t
    await _ask(
        message,
        t.gettext("Which unit is it about? Type part of its name or its code."),
        InlineKeyboardMarkup(
            [[ROUTE.button(t.gettext("No particular unit"), "nounit", 0)], _cancel_row(t)]
        ),
    )
    return UNIT


async def search_unit(update: Update, context: BotContext) -> str | int:
    who = await _officer(update, context)
    message = update.effective_message
    if who is None or message is None or _draft(context) is None:
        return _end(context)
    await UNITS.offer(message, who.t, context.services.db, clean_text(message.text or ""))
    return UNIT


async def unit_button(update: Update, context: BotContext) -> str | int:
    """A unit (or none) pressed: then the category."""
    step = await _step(update, context, UNIT)
    if not isinstance(step, _Press):
        return step
    who, action, draft = step.who, step.action, step.draft
    if action == "nounit":
        draft["unit_id"] = None
    else:
        unit = await UNITS.chosen(update, context.services.db)
        if unit is None:
            return await _invalid(update, who, UNIT)
        draft["unit_id"] = unit.id
    message = await _taken(update)
    campaign = context.services.settings.campaign
    choices = campaign_categories(campaign, who.t.language)
    markup = category_keyboard(ROUTE, choices)
    await _ask(
        message,
        who.t.gettext("Which category?"),
        InlineKeyboardMarkup([*markup.inline_keyboard, _cancel_row(who.t)]),
    )
    return CATEGORY


async def category_button(update: Update, context: BotContext) -> str | int:
    step = await _step(update, context, CATEGORY)
    if not isinstance(step, _Press):
        return step
    who, raw, draft = step.who, step.value, step.draft
    keys = {c.key for c in context.services.settings.campaign.categories}
    if raw not in keys:
        return await _invalid(update, who, CATEGORY)
    draft["category"] = raw
    message = await _taken(update)
    await _ask(
        message,
        who.t.gettext(
            "What is the case about? Write it as it was received (at most {limit} characters).",
            limit=context.services.settings.text_max_chars,
        ),
    )
    return DESCRIBE


async def describe(update: Update, context: BotContext) -> str | int:
    limit = context.services.settings.text_max_chars
    typed = await _typed_text(update, context, key="text", limit=limit, state=DESCRIBE)
    if not isinstance(typed, tuple):
        return typed
    who, message = typed
    await _ask(
        message,
        who.t.gettext(
            "Send photos of the letter or other evidence if there are any (at most {n}), "
            "then press Done.",
            n=MAX_FILES,
        ),
        InlineKeyboardMarkup([[ROUTE.button(who.t.gettext("Done"), "files", 0)]]),
    )
    return FILES


async def add_photo(update: Update, context: BotContext) -> str | int:
    """A photo (Telegram's re-encoded copy carries no camera or place details)."""
    who = await _officer(update, context)
    message = update.effective_message
    draft = _draft(context)
    if who is None or message is None or draft is None:
        return _end(context)
    if not message.photo:
        await _ask(message, who.t.gettext("Send pictures as photos, not as files."))
        return FILES
    if len(draft["files"]) >= MAX_FILES:
        await _ask(message, who.t.gettext("That is the most files a case takes. Press Done."))
        return FILES
    photo = message.photo[-1]
    draft["files"].append((photo.file_id, photo.file_size))
    await _ask(
        message,
        who.t.ngettext("{n} photo added.", "{n} photos added.", len(draft["files"])),
        InlineKeyboardMarkup([[ROUTE.button(who.t.gettext("Done"), "files", 0)]]),
    )
    return FILES


def _summary(who: Viewer, context: BotContext, draft: dict[str, Any], unit: str) -> str:
    t = who.t
    campaign = context.services.settings.campaign
    lines = [
        t.gettext("<b>Check the case before registering it</b>"),
        channel_line(t, draft["channel"]),
        t.gettext("Received on: {day}", day=t.date(date.fromisoformat(draft["received"]))),
    ]
    if draft.get("named"):
        lines.append(
            t.gettext(
                "From: {name}, {details}",
                name=escape(draft["name"]),
                details=escape(draft["contact"]),
            )
        )
    else:
        lines.append(t.gettext("Anonymous: the person gets a receipt to follow it with /status."))
    lines += [
        t.gettext("Unit concerned: {unit}", unit=escape(unit)),
        t.gettext("Category: {name}", name=category_name(t, campaign, draft["category"])),
        t.ngettext("{n} photo", "{n} photos", len(draft["files"])),
        "",
        escape(draft["text"]),
    ]
    return "\n".join(lines)


async def files_done(update: Update, context: BotContext) -> str | int:
    got = await _pressed_value(update, context)
    draft = _draft(context)
    if got is None or draft is None:
        return FILES
    await _taken(update)
    return await _show_summary(update, context, got[0], draft)


async def _show_summary(
    update: Update, context: BotContext, who: Viewer, draft: dict[str, Any]
) -> str:
    t = who.t
    found = await units.by_id(context.services.db, draft["unit_id"]) if draft["unit_id"] else None
    unit = found.name if found is not None else t.gettext("not known")
    rows = [[ROUTE.button(t.gettext("Register the case"), "submit", 0)]]
    if draft.get("named"):
        rows.append([ROUTE.button(t.gettext("Make it anonymous"), "anon", 0)])
    rows.append(_cancel_row(t))
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        Html(_summary(who, context, draft, unit)), reply_markup=InlineKeyboardMarkup(rows)
    )
    return CONFIRM


async def confirm(update: Update, context: BotContext) -> str | int:
    """Register, make it anonymous (the person's details forgotten), or cancel."""
    step = await _step(update, context, CONFIRM)
    if not isinstance(step, _Press):
        return step
    who, action, draft = step.who, step.action, step.draft
    message = await _taken(update)
    if action == "anon":
        _forget_person(draft)
        return await _show_summary(update, context, who, draft)
    _end(context)  # taken before the first await of the filing: a second press finds nothing
    await _register(message, who, context, draft)
    return ConversationHandler.END


async def _register(
    message: Message, who: Viewer, context: BotContext, draft: dict[str, Any]
) -> None:
    svc, t = context.services, who.t
    received = Received(
        channel=Channel(draft["channel"]),
        received_on=date.fromisoformat(draft["received"]),
        category_key=draft["category"],
        unit_id=draft["unit_id"],
        description=draft["text"],
        evidence=tuple(EvidenceFile("photo", f, None, size) for f, size in draft["files"]),
    )
    officer = who.membership.member.id if who.membership is not None else None
    if draft.get("named"):
        if officer is None:  # a config admin with no membership: a named case needs a registrar
            await message.reply_text(t.gettext("Join as a member first to register cases."))
            return
        contact = Contact(draft["name"], draft["contact"])
        case_id, number = await intake.register_named(
            svc.db, received, contact, officer_member_id=officer, now=svc.clock.now()
        )
        await message.reply_text(
            t.gettext(
                "Case {number} is registered. It is on the desk like any case; /inbox opens it.",
                number=number,
            )
        )
    else:
        receipt = receipts.new_receipt()
        filed = await intake.register_anonymous(
            svc.db,
            received,
            officer_member_id=officer,
            receipt=receipt,
            policy=svc.settings.hotline,
        )
        case_id = filed.case_id
        await message.reply_text(
            Html(
                t.gettext(
                    "Anonymous case {pseudonym} is registered. Give the person this receipt "
                    "now — read it out or post it back; it is shown only this once:\n\n"
                    "<code>{receipt}</code>\n\nWith it they follow the case in this bot: "
                    "/status {receipt}. Do not write it down anywhere else, and delete this "
                    "message once it is passed on.",
                    pseudonym=filed.pseudonym,
                    receipt=receipt,
                )
            )
        )
    await post_staff_card(context, case_id)


async def _cancelled(update: Update, context: BotContext, who: Viewer) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer()
        await close_keyboard(update)
    message = update.effective_message
    if message is not None:
        await message.reply_text(who.t.gettext("Cancelled. Nothing was stored."))
    return _end(context)


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: drop the draft."""
    who = await viewer(update, context)
    if who is None:
        return _end(context)
    return await _cancelled(update, context, who)


async def timed_out(update: Update, context: BotContext) -> None:
    _end(context)


def build() -> ConversationHandler[BotContext]:
    """The /intake conversation; register it before the catch-all handlers."""
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    files = filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL)

    def press(callback: Any, *actions: str) -> Handler:
        """The step's buttons: `intake:v1:<one of actions>:…`."""
        alternatives = "|".join(actions)
        return CallbackQueryHandler(callback, pattern=rf"^intake:v1:({alternatives}):")

    with one_draft_per_person():
        return ConversationHandler(
            entry_points=[CommandHandler("intake", begin, filters=private)],
            states={
                CHANNEL: step(press(choose_channel, "ch", "cancel")),
                RECEIVED: step(
                    press(received_button, "day", "cancel"), MessageHandler(text, received_typed)
                ),
                NAMED: step(press(named_choice, "who", "cancel")),
                NAME: step(MessageHandler(text, name_typed)),
                CONTACT: step(MessageHandler(text, contact_typed)),
                UNIT: step(
                    press(unit_button, "unit", "nounit", "cancel"),
                    MessageHandler(text, search_unit),
                ),
                CATEGORY: step(press(category_button, "cat", "cancel")),
                DESCRIBE: step(MessageHandler(text, describe)),
                FILES: step(press(files_done, "files"), MessageHandler(files, add_photo)),
                CONFIRM: step(press(confirm, "submit", "anon", "cancel")),
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                MessageHandler(filters.COMMAND, not_expected_here),
                CallbackQueryHandler(stale_button, pattern=ROUTE.pattern),
            ],
            name="intake",
            persistent=False,
            conversation_timeout=TIMEOUT_SECONDS,
        )
