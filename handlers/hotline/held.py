"""A complaint's receipt on its way to the complainant.

The receipt is the complainant's only key to their complaint and exists nowhere but in the
message that carries it (the database keeps a slow hash). So it is held here, in this
process's memory (`bot_data`, which is never persisted), from the commit until Telegram has
accepted that message: retried a few times at once, then again whenever the person sends
anything within `WINDOW`. Held receipts are keyed by the private chat they go to and never
logged; an expired one is forgotten at the next update of anyone.

If the receipt could not be delivered at once, the complaint stops counting as the original
of a later one with the same text (storage.cases.complaints.release_duplicate): the person
could otherwise never file it again and would hold no key to the one that is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Update
from telegram.constants import ChatType

from handlers.context import BotContext
from handlers.ui.deliver import confirm

HELD_KEY = "hotline:held"
WINDOW = timedelta(minutes=15)
WHAT = "complaint receipt"  # the only words about a receipt that reach the log


@dataclass
class _Held:
    text: str = field(repr=False)
    until: datetime


@dataclass
class HeldReceipts:
    """Receipt messages not yet accepted by Telegram, by private chat id (memory only)."""

    _held: dict[int, _Held] = field(default_factory=dict, repr=False)

    def hold(self, chat_id: int, text: str, now: datetime) -> None:
        self._held[chat_id] = _Held(text, now + WINDOW)

    def text_for(self, chat_id: int, now: datetime) -> str | None:
        self.forget_expired(now)
        found = self._held.get(chat_id)
        return found.text if found is not None else None

    def release(self, chat_id: int) -> None:
        self._held.pop(chat_id, None)

    def forget_expired(self, now: datetime) -> None:
        for chat_id in [c for c, h in self._held.items() if h.until <= now]:
            del self._held[chat_id]

    def __len__(self) -> int:
        return len(self._held)


def held_of(context: BotContext) -> HeldReceipts:
    found = context.bot_data.get(HELD_KEY)
    if not isinstance(found, HeldReceipts):
        found = context.bot_data[HELD_KEY] = HeldReceipts()
    return found


async def deliver(context: BotContext, chat_id: int, text: str, *, attempts: int = 3) -> bool:
    """Hold the receipt message, send it (retrying), let go of it once Telegram took it."""
    held = held_of(context)
    held.hold(chat_id, text, context.services.clock.now())
    delivered = await confirm(
        lambda: context.bot.send_message(chat_id, text), what=WHAT, attempts=attempts
    )
    if delivered:
        held.release(chat_id)
    return delivered


async def resend_held(update: Update, context: BotContext) -> None:
    """Before anything else the person sent: a receipt still held for this chat goes first."""
    held = held_of(context)
    chat = update.effective_chat
    text = None
    if chat is not None and chat.type == ChatType.PRIVATE:
        text = held.text_for(chat.id, context.services.clock.now())
    else:
        held.forget_expired(context.services.clock.now())
    if chat is None or text is None:
        return
    if await confirm(lambda: context.bot.send_message(chat.id, text), what=WHAT, attempts=1):
        held.release(chat.id)
