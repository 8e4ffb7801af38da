"""The simulator's records: users, chats, messages, files, calls and callback answers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from simulator.common import JsonDict


def display_name(first_name: str, last_name: str | None) -> str:
    """First and last name joined as people write them (no space between CJK parts)."""
    if not last_name:
        return first_name
    if not first_name:
        return last_name
    if ord(first_name[-1]) > 0x2E7F or ord(last_name[0]) > 0x2E7F:
        return first_name + last_name
    return f"{first_name} {last_name}"


@dataclass(eq=False)
class SimUser:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    """Has written to the bot in private, so the bot may message them."""
    blocked: bool = False
    """Has blocked the bot."""

    @property
    def name(self) -> str:
        """Display name, e.g. "张老师"."""
        return display_name(self.first_name, self.last_name)

    def to_dict(self) -> JsonDict:
        """The Bot API ``User`` object."""
        out: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out


@dataclass(eq=False)
class SimChat:
    """A chat: ``private`` (``id`` equals the user's), ``group``, ``supergroup`` or ``channel``."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: SimUser | None = None
    members: set[int] = field(default_factory=set)
    admins: dict[int, str] = field(default_factory=dict)
    """user id → ``"creator"`` or ``"administrator"``."""
    bot_member: bool = True
    bot_is_admin: bool = True
    migrated_to: int | None = None
    next_message_id: int = 1
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(62)))

    @property
    def private(self) -> bool:
        return self.type == "private"

    @property
    def name(self) -> str:
        """The group title or the private chat partner's display name."""
        if self.user is not None:
            return self.user.name
        return self.title or str(self.id)

    def to_dict(self) -> JsonDict:
        """The Bot API ``Chat`` object."""
        out: JsonDict = {"id": self.id, "type": self.type}
        if self.user is not None:
            out.update({k: v for k, v in self.user.to_dict().items() if k in _USER_CHAT_KEYS})
        else:
            out["title"] = self.title or ""
            if self.username:
                out["username"] = self.username
        return out

    def full_info(self) -> JsonDict:
        """The Bot API ``ChatFullInfo`` object (as ``getChat`` returns it)."""
        out = self.to_dict()
        out.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if not self.private:
            out["permissions"] = {"can_send_messages": True}
        return out


_USER_CHAT_KEYS = ("first_name", "last_name", "username")


@dataclass(eq=False)
class SimMessage:
    """A stored message, the user's or the bot's (``BotMessage`` is the same class).

    ``raw`` is the Bot API ``Message`` object as it currently stands (kept up to date on
    edits).  ``text`` is the plain text the recipient sees (the caption for media),
    ``html`` what the bot sent before HTML parsing (``None`` without parse_mode).
    """

    chat_id: int
    message_id: int
    from_bot: bool
    sender_name: str
    raw: JsonDict
    html: str | None = None
    reply_markup: JsonDict | None = None
    """The markup as sent, any kind (inline, reply keyboard, remove, force reply)."""
    edits: int = 0
    deleted: bool = False
    history: list[str] = field(default_factory=list)
    """Earlier texts, before each edit."""

    @property
    def kind(self) -> str:
        """``"text"``, ``"photo"``, ``"document"`` or ``"service"``."""
        for kind in ("text", "photo", "document"):
            if kind in self.raw:
                return kind
        return "service"

    @property
    def text(self) -> str:
        """Plain text (or caption) after entity parsing; ``""`` if none."""
        value: Any = self.raw.get("text", self.raw.get("caption", ""))
        return str(value)

    @property
    def caption(self) -> str | None:
        value: Any = self.raw.get("caption")
        return None if value is None else str(value)

    @property
    def entities(self) -> list[JsonDict]:
        value: Any = self.raw.get("entities", self.raw.get("caption_entities", []))
        return list(value)

    @property
    def document(self) -> JsonDict | None:
        value: Any = self.raw.get("document")
        return dict(value) if value else None

    @property
    def photo(self) -> list[JsonDict] | None:
        value: Any = self.raw.get("photo")
        return list(value) if value else None

    @property
    def media_group_id(self) -> str | None:
        """The album this message belongs to (`sendMediaGroup`), if any."""
        value: Any = self.raw.get("media_group_id")
        return None if value is None else str(value)

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        markup = self.reply_markup or {}
        rows: Any = markup.get("inline_keyboard") or []
        return [list(row) for row in rows]

    @property
    def buttons(self) -> list[list[str]]:
        """Rows of inline button texts (empty without an inline keyboard)."""
        return [[str(b.get("text", "")) for b in row] for row in self.inline_keyboard]

    @property
    def keyboard(self) -> list[list[str]]:
        """Rows of reply-keyboard button texts (empty without a reply keyboard)."""
        markup = self.reply_markup or {}
        rows: Any = markup.get("keyboard") or []
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in r] for r in rows]

    def button(self, text: str) -> JsonDict | None:
        """The inline button with exactly this visible text, if any."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == text:
                    return button
        return None


BotMessage = SimMessage


@dataclass(eq=False)
class StoredFile:
    """A file the bot or a user uploaded; downloadable at ``file_path``."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    kind: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def file_dict(self) -> JsonDict:
        """The Bot API ``File`` object (as ``getFile`` returns it)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` the bot made."""

    id: str
    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int | None = None


@dataclass
class ApiCall:
    """One call the bot made: canonical method, decoded params, and how it was answered."""

    method: str
    params: dict[str, object]
    status: int = 0
    description: str | None = None


@dataclass
class SimStats:
    """Counters: 429s per chat, calls per method, error answers per HTTP status."""

    flood_429: dict[int, int] = field(default_factory=dict)
    calls_by_method: dict[str, int] = field(default_factory=dict)
    errors_by_status: dict[int, int] = field(default_factory=dict)

    @property
    def total_429(self) -> int:
        return sum(self.flood_429.values())
