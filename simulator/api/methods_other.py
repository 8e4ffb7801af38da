"""Bot API methods other than message sending: identity, updates, webhooks, commands,
callback answers, files and chats."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from simulator.api.methods_messages import Handler, Params
from simulator.api.updates import Webhook
from simulator.common import ApiError, JsonDict, bad_request
from simulator.models import CallbackAnswer, SimChat, SimUser
from simulator.state import SimState

MAX_DOWNLOAD = 20 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
SCOPES = frozenset(
    [
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    ]
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANG_RE = re.compile(r"(?:[a-z]{2})?")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_WEBHOOK_PORTS = (None, 80, 88, 443, 8443)


def _int(p: Params, key: str, default: int) -> int:
    value = p.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


async def get_me(st: SimState, p: Params) -> object:
    me = st.bot.to_dict()
    me.update(
        can_join_groups=True,
        can_read_all_group_messages=not st.privacy_mode,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return me


async def get_updates(st: SimState, p: Params) -> object:
    offset = p.get("offset")
    return await st.updates.get_updates(
        offset=offset if isinstance(offset, int) else None,
        limit=_int(p, "limit", 100),
        poll_seconds=float(_int(p, "timeout", 0)),
        allowed=p.get("allowed_updates"),
    )


async def set_webhook(st: SimState, p: Params) -> object:
    url = str(p.get("url", ""))
    drop = p.get("drop_pending_updates") is True
    if not url:
        await st.updates.delete_webhook(drop_pending=drop)
        return True
    parts = urlsplit(url)
    local = parts.hostname in _LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not local and parts.port not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.get("secret_token")
    if secret is not None and not (isinstance(secret, str) and _SECRET_RE.fullmatch(secret)):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    max_connections = _int(p, "max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    st.updates.set_allowed(p.get("allowed_updates"))
    hook = Webhook(url=url, secret_token=secret, max_connections=max_connections)
    st.updates.set_webhook(hook, drop_pending=drop)
    return True


async def delete_webhook(st: SimState, p: Params) -> object:
    await st.updates.delete_webhook(drop_pending=p.get("drop_pending_updates") is True)
    return True


async def get_webhook_info(st: SimState, p: Params) -> object:
    return st.updates.webhook_info()


def scope_key(st: SimState, scope: object) -> str:
    """Storage key of a ``BotCommandScope``: its type, plus ids for the chat scopes."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object", violation=True)
    kind = str(scope["type"])
    if not kind.startswith("chat"):
        return kind
    chat = st.resolve_chat(scope.get("chat_id"))
    if kind != "chat_member":
        return f"{kind}:{chat.id}"
    user_id = scope.get("user_id")
    if not isinstance(user_id, int) or user_id not in st.users:
        raise bad_request("user not found")
    return f"{kind}:{chat.id}:{user_id}"


def _lang(p: Params) -> str:
    lang = str(p.get("language_code", "") or "")
    if not _LANG_RE.fullmatch(lang):
        raise bad_request(f"invalid language code {lang!r}: expected ISO 639-1", violation=True)
    return lang


async def set_my_commands(st: SimState, p: Params) -> object:
    commands: Any = p.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands: an Array of at most 100 BotCommand expected")
    stored: list[tuple[str, str]] = []
    for item in commands:
        command = item.get("command") if isinstance(item, dict) else None
        description = item.get("description") if isinstance(item, dict) else None
        if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
            raise bad_request(f"BOT_COMMAND_INVALID: {command!r}", violation=True)
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request(f"command description of {command!r} is invalid", violation=True)
        stored.append((command, description))
    st.commands[(scope_key(st, p.get("scope")), _lang(p))] = stored
    return True


async def get_my_commands(st: SimState, p: Params) -> object:
    key = (scope_key(st, p.get("scope")), _lang(p))
    return [{"command": c, "description": d} for c, d in st.commands.get(key, [])]


async def delete_my_commands(st: SimState, p: Params) -> object:
    st.commands.pop((scope_key(st, p.get("scope")), _lang(p)), None)
    return True


async def answer_callback_query(st: SimState, p: Params) -> object:
    query_id = str(p.get("callback_query_id", ""))
    if st.callback_queries.get(query_id) is not False:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG", violation=True)
    st.callback_queries[query_id] = True
    cache_time = p.get("cache_time")
    answer = CallbackAnswer(
        id=query_id,
        text=None if text is None else str(text),
        show_alert=p.get("show_alert") is True,
        url=None if p.get("url") is None else str(p.get("url")),
        cache_time=cache_time if isinstance(cache_time, int) else None,
    )
    st.callback_answers.append(answer)
    chat_id = st.callback_chats.get(query_id)
    if answer.text and chat_id is not None:
        st.log(chat_id, "answer", st.bot.name, answer.text, from_bot=True, alert=answer.show_alert)
    st.signal.notify()
    return True


async def get_file(st: SimState, p: Params) -> object:
    stored = st.files.get(str(p.get("file_id", "")))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.file_dict()


async def get_chat(st: SimState, p: Params) -> object:
    chat = st.resolve_chat(p.get("chat_id"))
    if chat.migrated_to is not None:
        st.check_sendable(chat)
    return chat.full_info()


async def send_chat_action(st: SimState, p: Params) -> object:
    chat = st.resolve_chat(p.get("chat_id"))
    st.check_sendable(chat)
    action = str(p.get("action", ""))
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request", violation=True)
    st.chat_actions.append((chat.id, action))
    return True


def member_dict(st: SimState, chat: SimChat, user: SimUser) -> JsonDict:
    """The ``ChatMember`` object of ``user`` in ``chat``."""
    if user.id == st.bot.id:
        if chat.private or not chat.bot_member:
            return {"status": "left" if not chat.private else "member", "user": user.to_dict()}
        if not chat.bot_is_admin:
            return {"status": "member", "user": user.to_dict()}
        rights = dict.fromkeys(ADMIN_RIGHTS, True)
        rights.update(can_be_edited=False, is_anonymous=False, can_promote_members=False)
        return {"status": "administrator", "user": user.to_dict(), **rights}
    if chat.private:
        status = "member" if chat.id == user.id else "left"
        return {"status": status, "user": user.to_dict()}
    role = chat.admins.get(user.id)
    if role == "creator":
        return {"status": "creator", "user": user.to_dict(), "is_anonymous": False}
    if role == "administrator":
        rights = dict.fromkeys(ADMIN_RIGHTS, True)
        rights.update(can_be_edited=True, is_anonymous=False)
        return {"status": "administrator", "user": user.to_dict(), **rights}
    status = "member" if user.id in chat.members else "left"
    return {"status": status, "user": user.to_dict()}


ADMIN_RIGHTS = [
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
]


async def get_chat_member(st: SimState, p: Params) -> object:
    chat = st.resolve_chat(p.get("chat_id"))
    user_id = p.get("user_id")
    user = st.bot if user_id == st.bot.id else None
    if user is None and isinstance(user_id, int):
        user = st.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    return member_dict(st, chat, user)


async def leave_chat(st: SimState, p: Params) -> object:
    chat = st.resolve_chat(p.get("chat_id"))
    if chat.private:
        raise bad_request("chat member status can't be changed in private chats")
    if not chat.bot_member:
        raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
    old = member_dict(st, chat, st.bot)
    chat.bot_member = False
    st.log(chat.id, "service", st.bot.name, "left the chat", from_bot=True)
    st.updates.push(
        "my_chat_member",
        {
            "chat": chat.to_dict(),
            "from": st.bot.to_dict(),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": {"status": "left", "user": st.bot.to_dict()},
        },
    )
    return True


OTHER_METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "getChat": get_chat,
    "sendChatAction": send_chat_action,
    "getChatMember": get_chat_member,
    "leaveChat": leave_chat,
}
