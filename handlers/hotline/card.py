"""The complaint in the staff chat: the card (pseudonym, category, unit, date, text), the
evidence re-sent by the bot from its stored file ids (a copy, never a forward: a forward
would carry the sender), and the card's buttons — reply, close, reject with a reason.

Every press is re-checked: the presser must be a case officer or an administrator, in the
staff chat, and the complaint's current state must allow the action. Replies and reasons are
asked for with a ForceReply prompt in the staff chat; the prompt's context lives in the staff
chat's `chat_data` (it names staff, never the complainant).
"""

from __future__ import annotations

import logging

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.hotline.rules import clean_text, is_pseudonym
from domain.membership.roles import Role
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import RepliesTo
from handlers.desk import closing
from handlers.desk.cards import post_staff_card, refresh_staff_card
from handlers.hotline.push import notify_author
from handlers.hotline.views import added_information, staff_keyboard
from handlers.i18n import Translator
from handlers.ui.callbacks import press_value
from handlers.ui.dates import local_today
from handlers.ui.outcomes import Noun, outcome_text
from handlers.ui.presses import neutral
from storage.cases import complaint_staff, complaints

log = logging.getLogger(__name__)
PROMPT_MARK = "✍️"
PROMPTS_KEY = "hotline:prompts"
STAFF_ROLES = (Role.CASE_OFFICER, Role.ADMIN)
MAX_OPEN_PROMPTS = 50  # older unanswered prompts expire


def _staff_t(context: BotContext) -> Translator:
    return context.services.catalogs.get(None)


async def post_card(context: BotContext, case_id: int) -> None:
    """Send a new complaint's card and its evidence to the staff chat (if one is set)."""
    svc = context.services
    chat = svc.settings.staff_chat
    view = await complaints.view(svc.db, case_id)
    if chat is None or view is None:
        return
    # The card itself is the desk's (recorded, edited on every change, retried if refused).
    await post_staff_card(context, case_id)
    try:
        total = len(view.evidence)
        for number, item in enumerate(view.evidence, start=1):
            caption = f"{view.pseudonym} · {number}/{total}"
            if item.kind == "photo":
                await context.bot.send_photo(chat, item.file_id, caption=caption)
            else:
                await context.bot.send_document(chat, item.file_id, caption=caption)
    except TelegramError as error:
        # The complaint is stored and the complainant has the receipt: never answer them
        # with an error for the staff side. The staff desk lists it anyway.
        log.warning("staff card %s not delivered: %s", view.pseudonym, type(error).__name__)


async def tell_staff_added(context: BotContext, pseudonym: str, body: str) -> None:
    """The complainant added information: show it in the staff chat with a reply button."""
    chat = context.services.settings.staff_chat
    if chat is None:
        return
    t = _staff_t(context)
    try:
        await context.bot.send_message(
            chat, added_information(t, pseudonym, body), reply_markup=staff_keyboard(t, pseudonym)
        )
    except TelegramError as error:
        log.warning("staff notice %s not delivered: %s", pseudonym, type(error).__name__)


async def _staff(update: Update, context: BotContext) -> Viewer | None:
    """The person acting, when they may act on complaints in the staff chat."""
    who = await viewer(update, context)
    chat = update.effective_chat
    if who is None or chat is None or chat.id != context.services.settings.staff_chat:
        return None
    return who if who.role in STAFF_ROLES else None


async def on_button(update: Update, context: BotContext) -> None:
    """Reply / close / reject pressed on a card."""
    query = update.callback_query
    if query is None:
        return
    who = await _staff(update, context)
    t = who.t if who is not None else _staff_t(context)
    action, pseudonym = press_value(update, "action"), press_value(update)
    if who is None:
        await query.answer(neutral(t))
        return
    if not is_pseudonym(pseudonym) or action not in ("reply", "close", "reject"):
        await query.answer(neutral(t))
        return
    case_id = await complaint_staff.case_id_of(context.services.db, pseudonym)
    view = await complaints.view(context.services.db, case_id) if case_id is not None else None
    if view is None:
        await query.answer(outcome_text(t, Outcome.GONE, Noun.COMPLAINT))
        return
    if view.status in (CaseStatus.CLOSED, CaseStatus.REJECTED):
        await query.answer(outcome_text(t, Outcome.FINAL, Noun.COMPLAINT, status=view.status))
        return
    if action == "reject" and view.status == CaseStatus.ANSWERED:
        await query.answer(outcome_text(t, Outcome.INVALID, Noun.COMPLAINT, status=view.status))
        return
    if action == "close":  # the finding and 问责 first (handlers/desk/closing.py)
        await closing.start(update, context, who, view.case_id, closing.HOTLINE)
        return
    await query.answer()
    if action == "reply":
        text = t.gettext(
            "{mark} {pseudonym}: reply to this message with your answer to the complainant "
            "(at most {limit} characters).",
            mark=PROMPT_MARK,
            pseudonym=pseudonym,
            limit=context.services.settings.text_max_chars,
        )
    else:
        text = t.gettext(
            "{mark} {pseudonym}: reply to this message with the reason for not accepting "
            "the complaint (the complainant will read it).",
            mark=PROMPT_MARK,
            pseudonym=pseudonym,
        )
    assert isinstance(query.message, Message)
    prompt = await query.message.reply_text(text, reply_markup=ForceReply(selective=False))
    if context.chat_data is not None:
        prompts = context.chat_data.setdefault(PROMPTS_KEY, {})
        prompts[prompt.message_id] = (action, pseudonym)
        for stale in sorted(prompts)[:-MAX_OPEN_PROMPTS]:
            prompts.pop(stale, None)


PROMPT_REPLY = RepliesTo(PROMPT_MARK)


async def on_prompt_reply(update: Update, context: BotContext) -> None:
    """Staff wrote a reply or a rejection reason in answer to a prompt."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return
    who = await _staff(update, context)
    t = who.t if who is not None else _staff_t(context)
    if who is None:
        await message.reply_text(t.gettext("Only case handlers and administrators can do this."))
        return
    prompts = context.chat_data.get(PROMPTS_KEY, {}) if context.chat_data is not None else {}
    found = prompts.get(message.reply_to_message.message_id)
    if found is None:
        await message.reply_text(
            t.gettext("This prompt has expired. Press the button on the card again.")
        )
        return
    action, pseudonym = found
    text = clean_text(message.text or "")
    limit = context.services.settings.text_max_chars
    if not text or len(text) > limit:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; it must be 1 to {limit}. Reply to the prompt again.",
                count=len(text),
                limit=limit,
            )
        )
        return
    svc = context.services
    member_id = who.membership.member.id if who.membership else None
    now, today = svc.clock.now(), local_today(context)
    if action == "reply":
        result = await complaint_staff.reply(
            svc.db, pseudonym, text, member_id=member_id, now=now, today=today
        )
        done = t.gettext(
            "Reply to {pseudonym} stored; the complainant reads it with /status.",
            pseudonym=pseudonym,
        )
    else:
        result = await complaint_staff.finish(
            svc.db,
            pseudonym,
            CaseStatus.REJECTED,
            member_id=member_id,
            now=now,
            today=today,
            reason=text,
        )
        done = t.gettext("{pseudonym} is not accepted; the reason is stored.", pseudonym=pseudonym)
    prompts.pop(message.reply_to_message.message_id, None)
    if result.outcome is not Outcome.OK:
        await message.reply_text(
            outcome_text(t, result.outcome, Noun.COMPLAINT, status=result.status)
        )
        return
    await message.reply_text(done)
    if result.case_id is not None:
        await notify_author(context, result.case_id, result.sealed_push)
        await refresh_staff_card(context, result.case_id)
