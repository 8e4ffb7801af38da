"""What the desk's follow-ups share: their callback route `desk:v1:<action>:<value>`, the 📌
prompts they ask texts and files with (ForceReply; what a prompt asks for lives in the asker's
`user_data`, staff only), refusal texts, and the refresh of the staff chat's card.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import ForceReply, InlineKeyboardButton, Message

from domain.desk.followup import FollowRefusal
from handlers.context import BotContext
from handlers.conversation import RepliesTo
from handlers.desk import cards as staff_cards
from handlers.i18n import Translator
from handlers.ui.callbacks import Route
from handlers.ui.presses import neutral

log = logging.getLogger(__name__)
ROUTE = Route("desk")
CALLBACK_PATTERN = ROUTE.pattern
PROMPT_MARK = "📌"  # starts every prompt whose answer the desk's follow-ups take
QUESTION_MARK = "❓"  # starts a question the owner sent to a reporter
PROMPTS_KEY = "desk:prompts"
MAX_OPEN_PROMPTS = 20


def return_callback(item_id: int, version: int) -> str:
    """The ledger card's "return to the desk" button (退单)."""
    return ROUTE.data("rt", item_id, version)


def panel_callback(case_id: int) -> str:
    """The inbox card's button that opens the case's notes, files and follow-ups."""
    return ROUTE.data("p", case_id)


def panel_button(t: Translator, case_id: int) -> InlineKeyboardButton:
    """The inbox card's button to the case's staff thread (notes, files, follow-ups)."""
    return InlineKeyboardButton(
        t.gettext("📝 Notes, files, follow-up"), callback_data=panel_callback(case_id)
    )


async def ask(context: BotContext, message: Message, text: str, what: tuple[Any, ...]) -> Message:
    """Send a 📌 prompt under `message` and remember what its answer is for."""
    prompt = await message.reply_text(text, reply_markup=ForceReply(selective=False))
    if context.user_data is not None:
        prompts = context.user_data.setdefault(PROMPTS_KEY, {})
        prompts[prompt.message_id] = what
        for stale in sorted(prompts)[:-MAX_OPEN_PROMPTS]:
            prompts.pop(stale, None)
    return prompt


def prompt_of(context: BotContext, message: Message) -> tuple[Any, ...] | None:
    """What the prompt `message` answers asked for (None: expired or not ours)."""
    replied = message.reply_to_message
    if replied is None or context.user_data is None:
        return None
    found = context.user_data.get(PROMPTS_KEY, {}).get(replied.message_id)
    return found if isinstance(found, tuple) else None


def forget_prompt(context: BotContext, message: Message) -> None:
    replied = message.reply_to_message
    if replied is not None and context.user_data is not None:
        context.user_data.get(PROMPTS_KEY, {}).pop(replied.message_id, None)


PROMPT_REPLY = RepliesTo(PROMPT_MARK)
QUESTION_REPLY = RepliesTo(QUESTION_MARK)


def press_refusal(t: Translator, refusal: FollowRefusal) -> str:
    """A refused press: the neutral notice to someone with no right to the button at all (not
    staff, not the item's unit head), whose answer must not depend on what the data matched;
    the rule's reason to those with the right."""
    if refusal in (FollowRefusal.NOT_STAFF, FollowRefusal.NOT_UNIT_HEAD):
        return neutral(t)
    return refusal_text(t, refusal)


def refusal_text(t: Translator, refusal: FollowRefusal | None) -> str:
    match refusal:
        case FollowRefusal.NOT_UNIT_HEAD:
            return t.gettext("Only a head of the unit this item is listed for can return it.")
        case FollowRefusal.NOT_DISPATCHED:
            return t.gettext("This item was not dispatched by the desk, so it cannot be returned.")
        case FollowRefusal.STARTED:
            return t.gettext(
                "Rectification of this item has started; it can no longer be returned."
            )
        case FollowRefusal.CASE_MOVED:
            return t.gettext("The case is no longer with your unit; it cannot be returned.")
        case FollowRefusal.NOT_STAFF:
            return t.gettext("Only case handlers and administrators can do this.")
        case FollowRefusal.NOT_OWNER:
            return t.gettext("Only the handler responsible for this case can do this.")
        case FollowRefusal.RETURNED:
            return t.gettext("This item has already been returned to the desk.")
        case FollowRefusal.CONFLICT:
            return t.gettext(
                "You belong to the unit concerned, so you cannot read the staff's notes on it "
                "(conflict of interest)."
            )
        case FollowRefusal.NOT_REPORT:
            return t.gettext(
                "Complainants are anonymous: answer them from the complaint's card in the staff "
                "chat (they read replies with /status)."
            )
    return t.gettext("The case has moved on; this button no longer applies.")


def too_long(t: Translator, count: int, limit: int) -> str:
    return t.gettext(
        "That is {count} characters; it must be 1 to {limit}. Reply to the prompt again.",
        count=count,
        limit=limit,
    )


async def refresh_staff_card(context: BotContext, case_id: int) -> None:
    """Show the case's current state on its card in the staff chat (never undoes the act)."""
    try:
        await staff_cards.refresh_staff_card(context, case_id)
    except Exception as error:  # the action is committed; a stale card must not undo that
        log.warning("staff card %s not refreshed: %s", case_id, type(error).__name__)
