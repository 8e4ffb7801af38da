"""What every conversation of this bot shares."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.context import BotContext, viewer


@contextmanager
def one_draft_per_person() -> Iterator[None]:
    """Build a ConversationHandler with per_message=False and button steps without PTB's
    warning that buttons are tracked per chat, not per message: one draft per person in a
    private chat is exactly what our conversations want."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        yield


async def not_expected_here(update: Update, context: BotContext) -> None:
    """Anything a step does not expect: say what it expects instead."""
    who = await viewer(update, context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext(
                "That is not what this step expects. Please answer the question above, "
                "use its buttons, or send /cancel to stop."
            )
        )


def step(
    *handlers: BaseHandler[Any, BotContext, Any],
    otherwise: Callable[[Update, BotContext], Coroutine[Any, Any, None]] = not_expected_here,
) -> list[BaseHandler[Any, BotContext, Any]]:
    """A step's own handlers, then `otherwise` for any other message (not a command): by
    default a clear answer that says what the step expects."""
    other = filters.UpdateType.MESSAGE & ~filters.COMMAND
    return [*handlers, MessageHandler(other, otherwise)]


async def write_drafts_now(update: Update, context: BotContext) -> None:
    """Write this person's drafts to the persistence at once (not after the handler): a step
    that takes a draft away before storing it (Submit) must not find it again after a crash,
    or a second press would file it twice. A failure to write is logged by the Application
    and changes nothing here."""
    app, user = context.application, update.effective_user
    if app.persistence is not None and user is not None:
        app.mark_data_for_update_persistence(user_ids=user.id)
        await app.update_persistence()


class OneConversationAtATime(BaseHandler[Update, BotContext, None]):
    """Refuses to start a conversation while the same person is in the middle of another one
    (a /report typed during a ledger step would otherwise open a second draft beside the first).

    Registered in a group before the conversations. It reads which conversations are active
    through ConversationHandler's `_get_key` and `_conversations`, which python-telegram-bot
    22.x has (the version is pinned; tests/e2e/test_conversations.py fails if that changes).
    """

    def __init__(self, conversations: Sequence[ConversationHandler[BotContext]]) -> None:
        super().__init__(self._refuse)
        self._conversations = tuple(conversations)

    def _active(self, conversation: ConversationHandler[BotContext], update: Update) -> bool:
        try:
            key = conversation._get_key(update)
        except RuntimeError:  # an update without the chat or user this conversation keys on
            return False
        return conversation._conversations.get(key) is not None

    def check_update(self, update: object) -> bool | None:
        if not isinstance(update, Update):
            return None
        busy = [c for c in self._conversations if self._active(c, update)]
        if not busy:
            return None
        starting = [
            c
            for c in self._conversations
            if c not in busy and any(entry.check_update(update) for entry in c.entry_points)
        ]
        return True if starting else None

    async def _refuse(self, update: Update, context: BotContext) -> None:
        who = await viewer(update, context)
        if who is None:
            raise ApplicationHandlerStop
        text = who.t.gettext(
            "You are in the middle of something else. Finish it first, or send /cancel."
        )
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
        raise ApplicationHandlerStop


class RepliesTo(filters.MessageFilter):
    """A reply to one of the bot's prompts: a message of the bot's starting with `mark`
    (each feature's prompts start with a mark of their own, e.g. 🖊 for the inbox)."""

    def __init__(self, mark: str) -> None:
        super().__init__(name=f"replies_to_{mark}")
        self.mark = mark

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (
            replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and (replied.text or "").startswith(self.mark)
        )
