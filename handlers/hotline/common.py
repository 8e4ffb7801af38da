"""What the hotline's handlers share: the draft kept in `chat_data` while a conversation runs,
the in-memory sender limiter, the local day, and reading a pressed button."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from telegram import Message, Update
from telegram.constants import ChatType

from domain.hotline.rules import SenderLimiter
from handlers.context import BotContext
from storage.cases.complaints import EvidenceFile, NewComplaint

DRAFT_KEY = "complain:draft"
LIMITER_KEY = "hotline:limiter"


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


def limiter_of(context: BotContext) -> SenderLimiter:
    """The process's sender limiter (memory only; its key changes every local day)."""
    found = context.bot_data.get(LIMITER_KEY)
    if not isinstance(found, SenderLimiter):
        found = SenderLimiter(max_per_day=context.services.settings.hotline.max_per_day)
        context.bot_data[LIMITER_KEY] = found
    return found


def local_today(context: BotContext) -> date:
    services = context.services
    return services.clock.now().astimezone(services.settings.timezone).date()


def press_value(update: Update, part: str = "value") -> str:
    """The action or value of a pressed button's `<route>:v1:<action>:<value>` data."""
    query = update.callback_query
    pieces = (query.data or "").split(":", 3) if query is not None else []
    if len(pieces) != 4:
        return ""
    return pieces[2] if part == "action" else pieces[3]


async def close_keyboard(update: Update) -> None:
    """Take the buttons off the pressed message, keeping its text (editing the text, since
    python-telegram-bot's defaults add a parse_mode that editMessageReplyMarkup lacks)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.text is None:
        return
    await query.edit_message_text(message.text_html)


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
