"""Bot API methods that send, edit, copy and delete messages."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from simulator.api.spec import UploadedFile
from simulator.common import ApiError, JsonDict, bad_request
from simulator.content import (
    check_caption,
    check_markup,
    check_text,
    inline_part,
    parse_formatted,
)
from simulator.media import guess_mime, image_size, photo_sizes
from simulator.models import SimChat, SimMessage
from simulator.state import SimState

Params = dict[str, object]
Handler = Callable[[SimState, Params], Awaitable[object]]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MAX_DOCUMENT = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
MEDIA_GROUP = (2, 10)  # pictures in one album


def _str(p: Params, key: str, default: str = "") -> str:
    value = p.get(key, default)
    return value if isinstance(value, str) else str(value)


def _target(st: SimState, p: Params, key: str = "chat_id") -> SimChat:
    chat = st.resolve_chat(p.get(key))
    st.check_sendable(chat)
    return chat


def _reply_to(st: SimState, chat: SimChat, p: Params) -> SimMessage | None:
    params: Any = p.get("reply_parameters")
    if not isinstance(params, dict):
        legacy = p.get("reply_to_message_id")
        if legacy is None:
            return None
        params = {"message_id": legacy, "allow_sending_without_reply": False}
    source = chat
    if params.get("chat_id") is not None:
        source = st.resolve_chat(params["chat_id"])
    msg = st.find_message(source.id, params.get("message_id"))
    if msg is None and not params.get("allow_sending_without_reply"):
        raise bad_request("message to be replied not found")
    return msg


def _caption_content(p: Params) -> tuple[JsonDict, str | None]:
    if p.get("caption") is None:
        return {}, None
    caption, entities, html = parse_formatted(
        _str(p, "caption"), p.get("parse_mode"), p.get("caption_entities"), field="caption"
    )
    check_caption(caption)
    content: JsonDict = {"caption": caption} if caption else {}
    if entities and caption:
        content["caption_entities"] = entities
    return content, html


def _send(
    st: SimState, chat: SimChat, p: Params, content: JsonDict, html: str | None
) -> SimMessage:
    markup = check_markup(p.get("reply_markup"))
    reply_to = _reply_to(st, chat, p)
    st.check_flood(chat)
    return st.store_message(chat, st.bot, content, markup=markup, html=html, reply_to=reply_to)


async def send_message(st: SimState, p: Params) -> object:
    chat = _target(st, p)
    text, entities, html = parse_formatted(
        _str(p, "text"), p.get("parse_mode"), p.get("entities"), field="message"
    )
    check_text(text)
    content: JsonDict = {"text": text}
    if entities:
        content["entities"] = entities
    return _send(st, chat, p, content, html).raw


def _file_param(st: SimState, p: Params, key: str, kind: str) -> UploadedFile | str:
    value = p.get(key)
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        return value
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        raise bad_request(
            f"sending {kind}s by URL is not supported by the simulator", violation=True
        )
    if not isinstance(value, str) or value not in st.files:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if st.files[value].kind != kind:
        raise bad_request(f"can't use file of type {st.files[value].kind.title()} as {kind}")
    return value


async def send_document(st: SimState, p: Params) -> object:
    chat = _target(st, p)
    source = _file_param(st, p, "document", "document")
    if isinstance(source, UploadedFile):
        if len(source.data) > MAX_DOCUMENT:
            raise ApiError(413, "Request Entity Too Large")
        name = source.filename or "document"
        stored = st.register_file(
            source.data,
            "document",
            mime_type=guess_mime(name, source.content_type),
            file_name=name,
        )
    else:
        stored = st.files[source]
    document: JsonDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    document["file_size"] = stored.size
    caption, html = _caption_content(p)
    return _send(st, chat, p, {"document": document, **caption}, html).raw


def store_photo(st: SimState, data: bytes, size: tuple[int, int]) -> list[JsonDict]:
    """Register a photo's size ladder (all sizes share the bytes) and return it."""
    sizes: list[JsonDict] = []
    for width, height in photo_sizes(*size):
        stored = st.register_file(data, "photo", mime_type="image/jpeg", size=(width, height))
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                "width": width,
                "height": height,
            }
        )
    for entry in sizes:
        st.photo_sets[str(entry["file_id"])] = sizes
    return sizes


def _photo_upload(source: UploadedFile) -> tuple[int, int]:
    """The size of an uploaded photo Telegram would take (its checks, as `sendPhoto`'s)."""
    if len(source.data) > MAX_PHOTO:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    size = image_size(source.data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED", violation=True)
    width, height = size
    if width < 1 or height < 1 or width + height > 10000 or max(size) > 20 * min(size):
        raise bad_request("PHOTO_INVALID_DIMENSIONS", violation=True)
    return size


async def send_photo(st: SimState, p: Params) -> object:
    chat = _target(st, p)
    source = _file_param(st, p, "photo", "photo")
    if isinstance(source, UploadedFile):
        sizes = store_photo(st, source.data, _photo_upload(source))
    else:
        sizes = st.photo_sets[source]
    caption, html = _caption_content(p)
    return _send(st, chat, p, {"photo": sizes, **caption}, html).raw


async def send_media_group(st: SimState, p: Params) -> object:
    """An album of 2-10 pictures (the simulator takes photos only), each a message of its own
    sharing a `media_group_id`; every picture counts against the flood limits. Everything is
    checked before the first picture is stored: the album arrives whole or not at all."""
    chat = _target(st, p)
    media = p.get("media")
    if not isinstance(media, list) or len(media) < MEDIA_GROUP[0]:
        raise bad_request("MEDIA_EMPTY: an album needs at least 2 media", violation=True)
    if len(media) > MEDIA_GROUP[1]:
        raise bad_request("too much messages to send as an album", violation=True)
    items: list[tuple[UploadedFile | str, JsonDict, str | None]] = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") != "photo":
            raise bad_request("only photo albums are supported by the simulator", violation=True)
        reference = _str(item, "media")
        if reference.startswith("attach://"):
            part = p.get(reference.removeprefix("attach://"))
            if not isinstance(part, UploadedFile) or not part.data:
                raise bad_request("file must be non-empty")
            _photo_upload(part)
            source: UploadedFile | str = part
        else:
            source = _file_param(st, {"photo": reference}, "photo", "photo")
        caption, html = _caption_content(item)
        items.append((source, caption, html))
    reply_to = _reply_to(st, chat, p)
    st.check_flood(chat, messages=len(items))
    group = str(secrets.randbits(62))
    sent: list[object] = []
    for source, caption, html in items:
        if isinstance(source, UploadedFile):
            sizes = store_photo(st, source.data, _photo_upload(source))
        else:
            sizes = st.photo_sets[source]
        content: JsonDict = {"media_group_id": group, "photo": sizes, **caption}
        sent.append(st.store_message(chat, st.bot, content, html=html, reply_to=reply_to).raw)
    return sent


async def copy_message(st: SimState, p: Params) -> object:
    source_chat = st.resolve_chat(p.get("from_chat_id"))
    chat = _target(st, p)
    src = st.find_message(source_chat.id, p.get("message_id"))
    if src is None:
        raise bad_request("message to copy not found")
    if src.kind == "service":
        raise bad_request("message can't be copied")
    html = src.html
    if src.kind == "text":
        content: JsonDict = {"text": src.text}
        if src.entities:
            content["entities"] = src.entities
    else:
        content = {src.kind: src.raw[src.kind]}
        if p.get("caption") is not None:
            caption, html = _caption_content(p)
            content.update(caption)
        elif src.caption:
            content["caption"] = src.caption
            if src.entities:
                content["caption_entities"] = src.entities
    msg = _send(st, chat, p, content, html)
    return {"message_id": msg.message_id}


def _editable(st: SimState, p: Params) -> tuple[SimChat, SimMessage]:
    if p.get("inline_message_id") is not None:
        raise bad_request("inline messages are not supported by the simulator", violation=True)
    if p.get("chat_id") is None or p.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    chat = st.resolve_chat(p.get("chat_id"))
    msg = st.find_message(chat.id, p.get("message_id"))
    if msg is None:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return chat, msg


def _apply_edit(
    st: SimState,
    chat: SimChat,
    msg: SimMessage,
    content: JsonDict,
    markup: JsonDict | None,
    html: str | None,
) -> object:
    current = {k: msg.raw.get(k) for k in content}
    if current == content and inline_part(msg.reply_markup) == markup:
        raise ApiError(400, NOT_MODIFIED)
    st.check_flood(chat)
    msg.history.append(msg.text)
    for key, value in content.items():
        if value:
            msg.raw[key] = value
        else:
            msg.raw.pop(key, None)
    if "text" in content or "caption" in content:
        msg.html = html
    msg.raw["edit_date"] = int(time.time())
    msg.reply_markup = markup
    if markup is None:
        msg.raw.pop("reply_markup", None)
    else:
        msg.raw["reply_markup"] = markup
    msg.edits += 1
    st.log_message(msg, "edit")
    st.signal.notify()
    return msg.raw


async def edit_message_text(st: SimState, p: Params) -> object:
    chat, msg = _editable(st, p)
    if msg.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, entities, html = parse_formatted(
        _str(p, "text"), p.get("parse_mode"), p.get("entities"), field="message"
    )
    check_text(text)
    markup = check_markup(p.get("reply_markup"), inline_only=True)
    content: JsonDict = {"text": text, "entities": entities or None}
    return _apply_edit(st, chat, msg, content, markup, html)


async def edit_message_caption(st: SimState, p: Params) -> object:
    chat, msg = _editable(st, p)
    if msg.kind not in ("photo", "document"):
        raise bad_request("there is no caption in the message to edit")
    caption, html = _caption_content(p)
    markup = check_markup(p.get("reply_markup"), inline_only=True)
    content: JsonDict = {
        "caption": caption.get("caption"),
        "caption_entities": caption.get("caption_entities"),
    }
    return _apply_edit(st, chat, msg, content, markup, html)


async def edit_message_reply_markup(st: SimState, p: Params) -> object:
    chat, msg = _editable(st, p)
    markup = check_markup(p.get("reply_markup"), inline_only=True)
    return _apply_edit(st, chat, msg, {}, markup, msg.html)


async def delete_message(st: SimState, p: Params) -> object:
    chat = st.resolve_chat(p.get("chat_id"))
    msg = st.find_message(chat.id, p.get("message_id"))
    if msg is None:
        raise bad_request("message to delete not found")
    if not msg.from_bot and not chat.private and not chat.bot_is_admin:
        raise bad_request("message can't be deleted")
    if chat.type == "channel" and not chat.bot_is_admin:  # posting and deleting need admin rights
        raise bad_request("message can't be deleted")
    msg.deleted = True
    st.log(chat.id, "delete", st.bot.name, "", from_bot=True, message_id=msg.message_id)
    st.signal.notify()
    return True


MESSAGE_METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendMediaGroup": send_media_group,
    "copyMessage": copy_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
}
