"""/status: the complainant follows up with the receipt — reads the status and every staff
reply, adds information, turns notices on or off, and rates the handling once it is closed.

Receipt checks are throttled per sender (counts in the database under a keyed hash, never an
id: `handlers.hotline.throttle`), right or wrong, and slowed for everyone while wrong receipts
flood in; the Argon2id checks run in a small pool.
While the conversation runs, `chat_data` holds the complaint's id; it is removed when the
conversation ends. The message that carried the receipt is deleted from the chat if possible.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from domain.cases.lifecycle import CaseStatus
from domain.cases.loop import Verdict
from domain.cases.outcome import Outcome
from domain.hotline import receipts
from domain.hotline.rules import Rating, clean_text, seal_chat
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import not_expected_here, one_draft_per_person, step
from handlers.desk.loop import tell_complaint_rated
from handlers.hotline import throttle
from handlers.hotline.card import tell_staff_added
from handlers.hotline.views import STATUS, author_view
from handlers.ui import limits
from handlers.ui.callbacks import press_value
from handlers.ui.dates import local_today
from handlers.ui.keyboards import close_keyboard, keyboard
from handlers.ui.labels import rating_label
from handlers.ui.presses import neutral, stale_button
from storage.cases import complaints, loop

RECEIPT = "status:receipt"
MENU = "status:menu"
ADD = "status:add"
RATE = "status:rate"
COMMENT = "status:comment"
CASE_KEY = "status:case"
RATING_KEY = "status:rating"
TIMEOUT_SECONDS = 15 * 60
VIEW_BUDGET = 2 * limits.TEXT_LIMIT  # the exchanges shown, newest first (about 2 pages)
COMMENT_MAX = 500
Handler = BaseHandler[Any, BotContext, Any]


def _end(context: BotContext) -> int:
    if context.chat_data is not None:
        context.chat_data.pop(CASE_KEY, None)
        context.chat_data.pop(RATING_KEY, None)
    return ConversationHandler.END


def _case(context: BotContext) -> int | None:
    found = context.chat_data.get(CASE_KEY) if context.chat_data is not None else None
    return found if isinstance(found, int) else None


async def begin(update: Update, context: BotContext) -> str | int | None:
    """/status [RECEIPT]: check the receipt given, or ask for it."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return ConversationHandler.END
    _end(context)
    if context.args:
        return await _check(update, context, who, " ".join(context.args))
    _end(context)
    await message.reply_text(
        who.t.gettext("Send your receipt (like 7KQ2-M9XD-4HPA-TR3W), or /cancel.")
    )
    return RECEIPT


async def receipt_typed(update: Update, context: BotContext) -> str | int | None:
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return None
    return await _check(update, context, who, message.text or "")


async def _check(update: Update, context: BotContext, who: Viewer, typed: str) -> str | int | None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    t, svc = who.t, context.services
    if receipts.normalise(typed) is None:  # costs no hash: neither counted nor throttled
        await message.reply_text(
            t.gettext(
                "That is not a receipt: a receipt has 16 letters and digits in four groups, "
                "like 7KQ2-M9XD-4HPA-TR3W. Send it again, or /cancel."
            )
        )
        return RECEIPT
    gate = await throttle.gate(context, user.id)
    if gate.wait:
        _end(context)
        await _delete_quietly(message)
        minutes = max(1, int(gate.wait.total_seconds() + 59) // 60)
        if gate.spent:
            said = t.ngettext(
                "Too many receipt checks this hour. Please try again in {n} minute.",
                "Too many receipt checks this hour. Please try again in {n} minutes.",
                minutes,
            )
        else:
            said = t.ngettext(
                "Too many wrong receipts. Please try again in {n} minute.",
                "Too many wrong receipts. Please try again in {n} minutes.",
                minutes,
            )
        await message.reply_text(said)
        return ConversationHandler.END
    if gate.delay:  # wrong receipts are flooding in: everyone is slowed, nobody refused
        await asyncio.sleep(gate.delay.total_seconds())
    case_id = await complaints.find_by_receipt(
        svc.db, svc.settings.hotline, typed, run=throttle.runner(context, user.id)
    )
    await _delete_quietly(message)
    if case_id is None:
        await throttle.wrong(context, user.id)
        await message.reply_text(
            t.gettext("No complaint has this receipt. Check it and send it again, or /cancel.")
        )
        return RECEIPT
    await throttle.right(context, user.id)
    if context.chat_data is not None:
        context.chat_data[CASE_KEY] = case_id
    return await _show(message, context, who)


async def _delete_quietly(message: Message) -> None:
    """Remove the receipt from the chat history (best effort)."""
    with contextlib.suppress(TelegramError):
        await message.delete()


async def _show(message: Message, context: BotContext, who: Viewer) -> str | int:
    case_id = _case(context)
    view = await complaints.view(context.services.db, case_id) if case_id is not None else None
    if view is None:
        _end(context)
        await message.reply_text(who.t.gettext("This complaint no longer exists."))
        return ConversationHandler.END
    t = who.t
    rows = []
    final = view.status in (CaseStatus.CLOSED, CaseStatus.REJECTED)
    if not final:
        rows.append([STATUS.button(t.gettext("Add information"), "add")])
        if view.push:
            rows.append([STATUS.button(t.gettext("Stop notices"), "push_off")])
        else:
            rows.append([STATUS.button(t.gettext("Notify me of replies"), "push_on")])
    if view.status == CaseStatus.CLOSED and view.rating is None:
        rows.append([STATUS.button(t.gettext("Rate the handling"), "rate")])
    rows.append([STATUS.button(t.gettext("Done"), "done")])
    text = author_view(t, context.services.settings.campaign, view, VIEW_BUDGET)
    *before, last = limits.pages(text)  # the reason and the complaint whole, paged if need be
    for page in before:
        await message.reply_text(page)
    await message.reply_text(last, reply_markup=keyboard(*rows))
    return MENU


async def menu(update: Update, context: BotContext) -> str | int | None:
    """A button under the complaint: add, notices on/off, rate, done."""
    who = await viewer(update, context)
    query = update.callback_query
    case_id = _case(context)
    if who is None or query is None or not isinstance(query.message, Message):
        return None
    if case_id is None:
        _end(context)
        await query.answer(neutral(who.t))
        return ConversationHandler.END
    await query.answer()
    await close_keyboard(update)
    t, svc = who.t, context.services
    match press_value(update, "action"):
        case "add":
            await query.message.reply_text(
                t.gettext(
                    "Write the information in one message (at most {limit} characters).",
                    limit=svc.settings.text_max_chars,
                )
            )
            return ADD
        case "push_on" | "push_off" as action:
            sealed = (
                seal_chat(svc.settings.hotline.pepper, case_id, query.message.chat_id)
                if action == "push_on"
                else None
            )
            stored = await complaints.set_push(svc.db, case_id, sealed)
            if sealed is None:
                said = t.gettext("Notices are off; the link is erased.")
            elif stored:
                said = t.gettext("Notices are on until the complaint is closed.")
            else:
                said = t.gettext("This complaint is already closed.")
            await query.message.reply_text(said)
            return await _show(query.message, context, who)
        case "rate":
            await query.message.reply_text(
                t.gettext("How satisfied are you with the handling of your complaint?"),
                reply_markup=keyboard(
                    *[[STATUS.button(rating_label(t, r), "rating", r.value)] for r in Rating]
                ),
            )
            return RATE
    _end(context)
    await query.message.reply_text(t.gettext("Done. Keep your receipt safe."))
    return ConversationHandler.END


async def add(update: Update, context: BotContext) -> str | int | None:
    """Store the added information (receipts removed) and tell staff."""
    who = await viewer(update, context)
    message = update.effective_message
    case_id = _case(context)
    if who is None or message is None or case_id is None:
        return None
    t, svc = who.t, context.services
    text = clean_text(message.text or "")
    limit = svc.settings.text_max_chars
    if not text or len(text) > limit:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; it must be 1 to {limit}. Send it again.",
                count=len(text),
                limit=limit,
            )
        )
        return None
    text, removed = receipts.redact(text, t.gettext("[receipt removed]"))
    if removed:
        await message.reply_text(
            t.gettext(
                "Your text contained a receipt. It was replaced by “[receipt removed]”: "
                "never put a receipt into a complaint, it would let staff read it."
            )
        )
    added = await complaints.add_information(svc.db, case_id, text, today=local_today(context))
    if added is None:
        _end(context)
        await message.reply_text(t.gettext("This complaint is closed; nothing can be added."))
        return ConversationHandler.END
    await message.reply_text(t.gettext("Your information was added."))
    await tell_staff_added(context, added[0], text)
    return await _show(message, context, who)


async def rate_pick(update: Update, context: BotContext) -> str | None:
    who = await viewer(update, context)
    query = update.callback_query
    if who is None or query is None or not isinstance(query.message, Message):
        return None
    value = press_value(update)
    if value not in {r.value for r in Rating} or context.chat_data is None:
        await query.answer(neutral(who.t))
        return None
    await query.answer()
    context.chat_data[RATING_KEY] = value
    await query.edit_message_text(
        who.t.gettext("Your rating: {rating}", rating=rating_label(who.t, value))
    )
    if value == Rating.DISSATISFIED:  # 重办 needs the reason
        await query.message.reply_text(
            who.t.gettext(
                "Please tell us why you are not satisfied (at most {limit} characters): the "
                "complaint goes back to its handler.",
                limit=COMMENT_MAX,
            )
        )
        return COMMENT
    await query.message.reply_text(
        who.t.gettext(
            "Add a comment if you like (at most {limit} characters), or press “No comment”.",
            limit=COMMENT_MAX,
        ),
        reply_markup=keyboard([STATUS.button(who.t.gettext("No comment"), "no_comment")]),
    )
    return COMMENT


async def comment(update: Update, context: BotContext) -> str | int | None:
    """Store the rating with the comment typed (or none)."""
    who = await viewer(update, context)
    message = update.effective_message
    case_id = _case(context)
    rating = context.chat_data.get(RATING_KEY) if context.chat_data is not None else None
    if who is None or message is None or case_id is None or not isinstance(rating, str):
        return None
    t, text = who.t, None
    if update.callback_query is not None:
        await update.callback_query.answer()
        await close_keyboard(update)
        if rating == Rating.DISSATISFIED:
            return None  # a stale "no comment": the reason is still asked for
    else:
        text = clean_text(message.text or "")
        if len(text) > COMMENT_MAX:
            await message.reply_text(
                t.gettext(
                    "That is {count} characters; at most {limit} are allowed. Send it again.",
                    count=len(text),
                    limit=COMMENT_MAX,
                )
            )
            return None
        text = receipts.redact(text, t.gettext("[receipt removed]"))[0] or None
        if text is None and rating == Rating.DISSATISFIED:
            await message.reply_text(t.gettext("Please write why you are not satisfied."))
            return None
    svc = context.services
    rated = await loop.rate(
        svc.db,
        case_id,
        rating,
        text,
        author_member_id=None,  # the receipt was checked: whoever holds it rates
        today=local_today(context),
        now=svc.clock.now(),
    )
    if rated.outcome is not Outcome.OK:
        await message.reply_text(t.gettext("This complaint was already rated."))
    elif rated.verdict is Verdict.REHANDLE:
        await message.reply_text(
            t.gettext(
                "Your complaint is reopened for re-handling (重办); its handler has been told "
                "why. Follow it with /status and your receipt."
            )
        )
    elif rated.verdict is Verdict.ESCALATE:
        await message.reply_text(
            t.gettext(
                "Your rating is stored. As the complaint was already re-handled, your "
                "dissatisfaction goes to the supervisors."
            )
        )
    else:
        await message.reply_text(t.gettext("Thank you: your rating is stored."))
    if rated.outcome is Outcome.OK and rated.verdict is not Verdict.STORED:
        await tell_complaint_rated(context, rated, text or "")
    return _end(context)


async def cancel(update: Update, context: BotContext) -> int:
    who = await viewer(update, context)
    _end(context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(who.t.gettext("Done. Keep your receipt safe."))
    return ConversationHandler.END


async def timed_out(update: object, context: BotContext) -> None:
    _end(context)


def build() -> ConversationHandler[BotContext]:
    """The /status conversation; register it before the catch-all handlers."""
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    with one_draft_per_person():
        return ConversationHandler(
            entry_points=[CommandHandler("status", begin, filters=filters.ChatType.PRIVATE)],
            states={
                RECEIPT: step(MessageHandler(text, receipt_typed)),
                MENU: step(
                    CallbackQueryHandler(
                        menu, pattern=r"^status:v1:(add|push_on|push_off|rate|done):"
                    ),
                ),
                ADD: step(MessageHandler(text, add)),
                RATE: step(CallbackQueryHandler(rate_pick, pattern=r"^status:v1:rating:")),
                COMMENT: step(
                    MessageHandler(text, comment),
                    CallbackQueryHandler(comment, pattern=r"^status:v1:no_comment:"),
                ),
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                MessageHandler(filters.COMMAND, not_expected_here),
                CallbackQueryHandler(stale_button, pattern=r"^status:"),
            ],
            name="status",
            persistent=False,
            allow_reentry=True,  # /status again starts over with a new receipt
            per_message=False,
            conversation_timeout=TIMEOUT_SECONDS,
        )
