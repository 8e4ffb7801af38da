"""What the hotline's handlers share: the draft kept in `chat_data` while a conversation runs,
and forgetting empty per-user dicts after every update (the throttles are in `throttle`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import ChatType

from handlers.context import BotContext
from storage.cases.complaints import EvidenceFile, NewComplaint

DRAFT_KEY = "complain:draft"


@dataclass
class Draft:
    """A complaint being written; memory only, forgotten when the conversation ends."""

    category_key: str | None = None
    unit_id: int | None = None
    unit_name: str | None = None
    description: str = ""
    evidence: list[EvidenceFile] = field(default_factory=list)
    push: bool = False

    def as_new(self) -> NewComplaint:
        assert self.category_key is not None
        return NewComplaint(
            category_key=self.category_key,
            unit_id=self.unit_id,
            description=self.description,
            evidence=tuple(self.evidence),
        )


def draft_of(context: BotContext) -> Draft | None:
    data = context.chat_data
    found = data.get(DRAFT_KEY) if data is not None else None
    return found if isinstance(found, Draft) else None


async def forget_empty(update: Update, context: BotContext) -> None:
    """After every update: drop the empty per-user and per-chat dicts python-telegram-bot
    created on access, so that no user id stays in memory as a key without a reason."""
    user, chat = update.effective_user, update.effective_chat
    app = context.application
    if user is not None and user.id in app.user_data and not app.user_data[user.id]:
        app.drop_user_data(user.id)
    # Only private chats: a group's updates from several people may run at once.
    private = chat is not None and chat.type == ChatType.PRIVATE
    if private and chat is not None and chat.id in app.chat_data and not app.chat_data[chat.id]:
        app.drop_chat_data(chat.id)
