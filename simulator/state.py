"""The simulator's state: who exists, what was said, which files are stored."""

from __future__ import annotations

import time
from collections.abc import Callable

from simulator.api.flood import FloodControl
from simulator.api.updates import UpdateQueue
from simulator.common import ApiError, JsonDict, Signal, bad_request
from simulator.faults import Faults
from simulator.media import extension_for, new_file_id, new_unique_id
from simulator.models import (
    ApiCall,
    CallbackAnswer,
    SimChat,
    SimMessage,
    SimStats,
    SimUser,
    StoredFile,
)
from simulator.transcript import TranscriptLine

ChatRef = SimChat | SimUser | int
"""A chat, or a user standing for their private chat with the bot, or a chat id."""
UserRef = SimUser | int
FIRST_USER_ID = 1001
BASIC_GROUP_BASE = -4_000_000_000
SUPERGROUP_BASE = -1_001_000_000_000


class SimState:
    """Everything the simulated Telegram knows; shared by the HTTP side and the driver."""

    def __init__(
        self,
        *,
        token: str,
        bot_id: int,
        bot_username: str,
        bot_name: str,
        clock: Callable[[], float] = time.monotonic,
        privacy_mode: bool = True,
    ) -> None:
        self.token = token
        self.bot = SimUser(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.messages: dict[int, list[SimMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[JsonDict]] = {}
        self.callback_queries: dict[str, bool] = {}
        """Callback query id → answered yet."""
        self.callback_chats: dict[str, int] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.calls: list[ApiCall] = []
        self.errors: list[ApiCall] = []
        self.violations: list[str] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.flood = FloodControl(clock)
        self.stats = SimStats(flood_429=self.flood.refusals)
        self.faults = Faults()
        self.signal = Signal()
        self.updates = UpdateQueue(self.signal)
        self.lines: list[TranscriptLine] = []
        self.latency = 0.0
        self.in_flight = 0
        self.last_activity = 0.0
        self._next_user_id = FIRST_USER_ID
        self._next_basic = 1
        self._next_super = 1
        self._next_file = 1

    # -- users and chats --------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_bot: bool = False,
        user_id: int | None = None,
    ) -> SimUser:
        if user_id is None:
            while self._next_user_id in self.chats or self._next_user_id == self.bot.id:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        elif user_id <= 0 or user_id in self.chats or user_id == self.bot.id:
            raise ValueError(f"user id {user_id} is taken or not positive")
        user = SimUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
        )
        self.users[user.id] = user
        self.chats[user.id] = SimChat(id=user.id, type="private", user=user)
        return user

    def new_group_id(self, supergroup: bool) -> int:
        if supergroup:
            self._next_super += 1
            return SUPERGROUP_BASE - (self._next_super - 1)
        self._next_basic += 1
        return BASIC_GROUP_BASE - (self._next_basic - 1)

    def add_group(self, title: str, *, supergroup: bool, username: str | None = None) -> SimChat:
        chat_type = "supergroup" if supergroup else "group"
        chat = SimChat(id=self.new_group_id(supergroup), type=chat_type, title=title)
        chat.username = username
        self.chats[chat.id] = chat
        return chat

    def add_channel(self, title: str, *, username: str | None = None) -> SimChat:
        chat = SimChat(id=self.new_group_id(True), type="channel", title=title)
        chat.username = username
        self.chats[chat.id] = chat
        return chat

    def user(self, ref: UserRef) -> SimUser:
        user = self.users.get(ref if isinstance(ref, int) else ref.id)
        if user is None:
            raise AssertionError(f"no simulated user {ref!r}; add it with sim.add_user()")
        return user

    def chat(self, ref: ChatRef) -> SimChat:
        chat = self.chats.get(ref if isinstance(ref, int) else ref.id)
        if chat is None:
            raise AssertionError(f"no simulated chat {ref!r}; add it with sim.add_group()")
        return chat

    def resolve_chat(self, value: object) -> SimChat:
        """The chat a ``chat_id`` parameter names (an id or ``@username``)."""
        if isinstance(value, str) and value.startswith("@"):
            for chat in self.chats.values():
                name = chat.username or (chat.user.username if chat.user else None)
                if name and name.lower() == value[1:].lower() and not chat.private:
                    return chat
        if isinstance(value, int) and not isinstance(value, bool) and value in self.chats:
            return self.chats[value]
        raise bad_request("chat not found")

    def check_sendable(self, chat: SimChat) -> None:
        """Refuse like Telegram does when the bot may not write to ``chat``."""
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                parameters={"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.user is not None:
            if chat.user.is_bot:
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
            if chat.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif not chat.bot_member:
            kind = chat.type if chat.type in ("supergroup", "channel") else "group"
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        elif chat.type == "channel" and not chat.bot_is_admin:
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")

    def check_flood(self, chat: SimChat, *, messages: int = 1) -> None:
        retry = self.flood.check(chat.id, private=chat.private, messages=messages)
        if retry is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry}", parameters={"retry_after": retry}
            )

    # -- messages ---------------------------------------------------------------------------

    def find_message(self, chat_id: int, message_id: object) -> SimMessage | None:
        if not isinstance(message_id, int):
            return None
        for msg in self.messages.get(chat_id, []):
            if msg.message_id == message_id and not msg.deleted:
                return msg
        return None

    def store_message(
        self,
        chat: SimChat,
        sender: SimUser,
        content: JsonDict,
        *,
        markup: JsonDict | None = None,
        html: str | None = None,
        reply_to: SimMessage | None = None,
    ) -> SimMessage:
        """Store a new message in ``chat`` (logging it) and return it."""
        raw: JsonDict = {
            "message_id": chat.next_message_id,
            "from": sender.to_dict(),
            "chat": chat.to_dict(),
            "date": int(time.time()),
        }
        if chat.type == "channel":  # a channel post is signed by the channel, not a user
            del raw["from"]
            raw["sender_chat"] = chat.to_dict()
        chat.next_message_id += 1
        if reply_to is not None:
            raw["reply_to_message"] = {
                k: v for k, v in reply_to.raw.items() if k != "reply_to_message"
            }
        raw.update(content)
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        msg = SimMessage(
            chat_id=chat.id,
            message_id=raw["message_id"],
            from_bot=sender.is_bot and sender.id == self.bot.id,
            sender_name=sender.name,
            raw=raw,
            html=html,
            reply_markup=markup,
        )
        self.messages.setdefault(chat.id, []).append(msg)
        self.log_message(msg, "service" if msg.kind == "service" else "message")
        self.signal.notify()
        return msg

    def bot_messages(self, chat_id: int) -> list[SimMessage]:
        return [m for m in self.messages.get(chat_id, []) if m.from_bot]

    # -- files ------------------------------------------------------------------------------

    def register_file(
        self,
        data: bytes,
        kind: str,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> StoredFile:
        ext = extension_for(mime_type or "", file_name) if kind == "document" else ".jpg"
        path = f"{kind}s/file_{self._next_file}{ext}"
        self._next_file += 1
        stored = StoredFile(
            file_id=new_file_id(kind),
            file_unique_id=new_unique_id(),
            data=data,
            file_path=path,
            kind=kind,
            mime_type=mime_type,
            file_name=file_name,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[path] = stored
        return stored

    # -- transcript -------------------------------------------------------------------------

    def log(
        self,
        chat_id: int,
        kind: str,
        sender: str,
        text: str,
        *,
        from_bot: bool,
        message_id: int | None = None,
        alert: bool = False,
    ) -> None:
        chat = self.chats[chat_id]
        self.lines.append(
            TranscriptLine(
                seq=len(self.lines) + 1,
                chat_id=chat_id,
                chat_name=chat.name,
                private=chat.private,
                kind=kind,
                sender=sender,
                from_bot=from_bot,
                text=text,
                message_id=message_id,
                alert=alert,
            )
        )

    def narrate(self, text: str) -> None:
        """A narration line (a scene title) in the transcript of all chats."""
        self.lines.append(
            TranscriptLine(
                seq=len(self.lines) + 1,
                chat_id=0,
                chat_name="",
                private=False,
                kind="narration",
                sender="",
                from_bot=False,
                text=text,
            )
        )

    def log_message(self, msg: SimMessage, kind: str) -> None:
        chat = self.chats[msg.chat_id]
        attachment: str | None = None
        if msg.kind == "photo":
            attachment = "photo"
        elif msg.document is not None:
            attachment = f"document: {msg.document.get('file_name', '')}"
        text = msg.text if msg.kind != "service" else _service_text(msg.raw)
        self.lines.append(
            TranscriptLine(
                seq=len(self.lines) + 1,
                chat_id=msg.chat_id,
                chat_name=chat.name,
                private=chat.private,
                kind=kind,
                sender=msg.sender_name,
                from_bot=msg.from_bot,
                text=text,
                message_id=msg.message_id,
                buttons=tuple(tuple(row) for row in msg.buttons),
                keyboard=tuple(tuple(row) for row in msg.keyboard) if kind == "message" else (),
                attachment=attachment,
            )
        )


def _service_text(raw: JsonDict) -> str:
    keys = [k for k in raw if k not in ("message_id", "from", "chat", "date")]
    return ", ".join(f"{k}={raw[k]}" for k in keys)
