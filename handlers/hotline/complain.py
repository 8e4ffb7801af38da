"""/complain: the anonymous complaint conversation, in a private chat, open to anyone.

notice → category → unit → what happened (self-identification and receipt checks) → evidence
→ push opt-in → summary → submit → receipt. The draft lives only in `chat_data` while the
conversation runs and is removed on submit, cancel or timeout; nothing about the sender is
stored or logged. The receipt is shown once, after the commit.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from domain.hotline import receipts
from domain.hotline.rules import clean_text, seal_chat, self_mentions
from handlers.context import BotContext, Viewer, copy_evidence, viewer
from handlers.conversation import not_expected_here, one_draft_per_person, step
from handlers.hotline import held, steps, throttle
from handlers.hotline.card import post_card
from handlers.hotline.common import DRAFT_KEY, Draft, draft_of
from handlers.hotline.steps import ask_category, ask_description, ask_evidence, show_summary
from handlers.hotline.views import COMPLAIN, opening, receipt_text
from handlers.ui.callbacks import press_value
from handlers.ui.dates import local_today
from handlers.ui.keyboards import close_keyboard, keyboard
from handlers.ui.presses import neutral, stale_button
from storage.cases import complaints

INTRO = "complain:intro"
CATEGORY = "complain:category"
UNIT = "complain:unit"
DESCRIBE = "complain:describe"
SELF_ID = "complain:self_id"
EVIDENCE = "complain:evidence"
PUSH = "complain:push"
CONFIRM = "complain:confirm"
TIMEOUT_SECONDS = 30 * 60
Handler = BaseHandler[Any, BotContext, Any]


def _end(context: BotContext) -> int:
    """Forget the draft: nothing of it stays in memory keyed by the chat."""
    if context.chat_data is not None:
        context.chat_data.pop(DRAFT_KEY, None)
    return ConversationHandler.END


def _bare(*actions: str) -> str:
    """Buttons without a value (Continue, Done, Submit, Cancel): only their exact data acts;
    the same action with any other value is not one we built and gets the stale notice."""
    return f"^{COMPLAIN.prefix}({'|'.join(actions)}):{re.escape(COMPLAIN.empty)}$"


async def begin(update: Update, context: BotContext) -> str | int:
    """Show what is and is not protected, with continue / cancel."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None or update.effective_user is None:
        return ConversationHandler.END
    t = who.t
    svc = context.services
    if not await throttle.may_file(context, update.effective_user.id):
        _end(context)
        await message.reply_text(_limit_text(who, svc.settings.hotline.max_per_day))
        return ConversationHandler.END
    if context.chat_data is not None:
        context.chat_data[DRAFT_KEY] = Draft()
    await message.reply_text(
        opening(t),
        reply_markup=keyboard(
            [
                COMPLAIN.button(t.gettext("Continue"), "go"),
                COMPLAIN.button(t.gettext("Cancel"), "cancel"),
            ]
        ),
    )
    return INTRO


def _limit_text(who: Viewer, limit: int) -> str:
    return who.t.ngettext(
        "You can file at most {n} complaint a day. Please come back tomorrow.",
        "You can file at most {n} complaints a day. Please come back tomorrow.",
        limit,
    )


async def intro_choice(update: Update, context: BotContext) -> str | int:
    """Continue to the category, or stop."""
    who = await viewer(update, context)
    query = update.callback_query
    if who is None or query is None or query.message is None or draft_of(context) is None:
        return _end(context)
    await query.answer()
    await close_keyboard(update)
    if press_value(update, "action") != "go":
        _end(context)
        await _say_cancelled(update, who)
        return ConversationHandler.END
    return await ask_category(update, who, context)


async def describe(update: Update, context: BotContext) -> str | None:
    """Take the text: limits, receipts removed, a warning when it names the sender."""
    who = await viewer(update, context)
    message = update.effective_message
    draft = draft_of(context)
    if who is None or message is None or draft is None or update.effective_user is None:
        return None
    t = who.t
    limit = context.services.settings.text_max_chars
    text = clean_text(message.text or "")
    if not text:
        await message.reply_text(t.gettext("Please describe what happened in words."))
        return None
    if len(text) > limit:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; at most {limit} are allowed. "
                "Please shorten it and send it again.",
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
    draft.description = text
    user = update.effective_user
    named = self_mentions(text, (user.first_name, user.last_name, user.username))
    if named:
        await message.reply_text(
            t.gettext(
                "Careful: your text contains your own Telegram name or username ({names}). "
                "Staff would see it. Edit the text, or keep it as it is?",
                names=", ".join(named),
            ),
            reply_markup=keyboard(
                [
                    COMPLAIN.button(t.gettext("Edit the text"), "edit"),
                    COMPLAIN.button(t.gettext("Keep it"), "keep"),
                ]
            ),
        )
        return SELF_ID
    return await ask_evidence(message, who, context)


async def self_id_choice(update: Update, context: BotContext) -> str | None:
    """After the self-identification warning: write again, or keep the text."""
    who = await viewer(update, context)
    query = update.callback_query
    if who is None or query is None or not isinstance(query.message, Message):
        return None
    await query.answer()
    await close_keyboard(update)
    if press_value(update, "action") == "edit":
        return await ask_description(query.message, who, context)
    return await ask_evidence(query.message, who, context)


async def push_choice(update: Update, context: BotContext) -> str | None:
    """Keep the push choice, then show the summary."""
    who = await viewer(update, context)
    query = update.callback_query
    draft = draft_of(context)
    if who is None or query is None or draft is None or not isinstance(query.message, Message):
        return None
    await query.answer()
    draft.push = press_value(update, "action") == "push"
    await close_keyboard(update)
    return await show_summary(query.message, who, context)


async def confirm(update: Update, context: BotContext) -> str | int | None:
    """Submit: commit, then show the receipt once, then tell staff."""
    who = await viewer(update, context)
    query = update.callback_query
    draft = draft_of(context)
    user = update.effective_user
    if who is None or query is None or user is None or not isinstance(query.message, Message):
        return None
    if draft is None or draft.category_key is None:
        await query.answer(neutral(who.t))
        return ConversationHandler.END
    await query.answer()
    await close_keyboard(update)
    if press_value(update, "action") != "submit":
        _end(context)
        await _say_cancelled(update, who)
        return ConversationHandler.END
    return await _submit(query.message, who, context, draft, user.id)


async def _submit(
    message: Message, who: Viewer, context: BotContext, draft: Draft, user_id: int
) -> int:
    svc = context.services
    t, today = who.t, local_today(context)
    if not await throttle.may_file(context, user_id):
        _end(context)
        await message.reply_text(_limit_text(who, svc.settings.hotline.max_per_day))
        return ConversationHandler.END
    receipt = receipts.new_receipt()
    try:
        filed = await complaints.file_complaint(
            svc.db,
            draft.as_new(),
            receipt=receipt,
            policy=svc.settings.hotline,
            today=today,
            sender=throttle.duplicate_key(context, user_id),
            run=throttle.runner(context, user_id),
        )
    except complaints.DuplicateComplaint:
        _end(context)
        await message.reply_text(
            t.gettext("The same complaint was already received today; it is not filed twice.")
        )
        return ConversationHandler.END
    await throttle.filed(context, user_id)
    copy_evidence(svc)
    if draft.push:
        sealed = seal_chat(svc.settings.hotline.pepper, filed.case_id, message.chat_id)
        await complaints.set_push(svc.db, filed.case_id, sealed)
    _end(context)
    # Committed: the receipt is held until Telegram takes it; the conversation ends and the
    # staff card is posted whatever happened to it.
    delivered = await held.deliver(context, message.chat_id, receipt_text(t, receipt))
    await post_card(context, filed.case_id)
    if not delivered:
        await complaints.release_duplicate(
            svc.db,
            svc.settings.hotline,
            description=draft.description,
            today=today,
            sender=throttle.duplicate_key(context, user_id),
        )
    return ConversationHandler.END


async def _say_cancelled(update: Update, who: Viewer) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(who.t.gettext("Cancelled. Nothing was stored."))


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: drop the draft."""
    who = await viewer(update, context)
    _end(context)
    if who is not None:
        await _say_cancelled(update, who)
    return ConversationHandler.END


async def timed_out(update: object, context: BotContext) -> None:
    """The conversation was left alone too long: forget the draft."""
    _end(context)


def build() -> ConversationHandler[BotContext]:
    """The /complain conversation; register it before the catch-all handlers."""
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    files = filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL)
    with one_draft_per_person():
        return ConversationHandler(
            entry_points=[
                CommandHandler("complain", begin, filters=private),
                CommandHandler(
                    "start", begin, filters=private & filters.Regex(r"^/start\s+complain$")
                ),
            ],
            states={
                INTRO: step(
                    CallbackQueryHandler(intro_choice, pattern=_bare("go", "cancel")),
                ),
                CATEGORY: step(
                    CallbackQueryHandler(steps.choose_category, pattern=r"^complain:v1:cat:"),
                ),
                UNIT: step(
                    CallbackQueryHandler(steps.choose_unit, pattern=r"^complain:v1:unit:"),
                    MessageHandler(text, steps.search_unit),
                ),
                DESCRIBE: step(MessageHandler(text, describe)),
                SELF_ID: step(
                    CallbackQueryHandler(self_id_choice, pattern=_bare("edit", "keep")),
                ),
                EVIDENCE: step(
                    MessageHandler(files, steps.add_evidence),
                    CallbackQueryHandler(steps.evidence_done, pattern=_bare("files_done")),
                ),
                PUSH: step(
                    CallbackQueryHandler(push_choice, pattern=_bare("push", "no_push")),
                ),
                CONFIRM: step(
                    CallbackQueryHandler(confirm, pattern=_bare("submit", "cancel")),
                ),
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                MessageHandler(filters.COMMAND, not_expected_here),
                CallbackQueryHandler(stale_button, pattern=r"^complain:"),
            ],
            name="complain",
            persistent=False,
            per_message=False,
            conversation_timeout=TIMEOUT_SECONDS,
            allow_reentry=False,
        )
