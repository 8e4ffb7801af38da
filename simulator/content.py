"""Message content checks shared by the sending and editing methods: text, entities,
parse modes, reply markup — refused the way Telegram refuses them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from simulator.common import ApiError, JsonDict, bad_request
from simulator.html import HtmlParseError, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA = 64
_TRIM = " \t\r\n\v\f"
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http", "https", "tg", "ton")


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Strip surrounding whitespace as Telegram does, shifting and clipping entities."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    end = lead + utf16_len(stripped)
    out: list[JsonDict] = []
    for entity in entities:
        start = max(int(entity["offset"]), lead)
        stop = min(int(entity["offset"]) + int(entity["length"]), end)
        if stop > start:
            out.append({**entity, "offset": start - lead, "length": stop - start})
    return stripped, out


def parse_formatted(
    text: str, parse_mode: object, entities: object, *, field: str
) -> tuple[str, list[JsonDict], str | None]:
    """``(plain text, entities, raw html or None)`` for a text or caption parameter."""
    if entities is not None:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request(f"can't parse {field} entities JSON object", violation=True)
        return (*_trim(text, [dict(e) for e in entities]), None)
    if parse_mode is None or parse_mode == "":
        return (*_trim(text, []), None)
    mode = str(parse_mode).lower()
    if mode == "html":
        try:
            plain, parsed = parse_html(text)
        except HtmlParseError as exc:
            description = str(exc)
            if not description.startswith("Bad Request"):
                description = f"Bad Request: {description}"
            raise ApiError(400, description, violation=True) from exc
        return (*_trim(plain, [dict(e) for e in parsed]), text)
    if mode in ("markdown", "markdownv2"):
        raise bad_request(
            f"parse_mode {parse_mode} is not supported by the simulator; use HTML",
            violation=True,
        )
    raise bad_request(f"unsupported parse_mode {parse_mode}", violation=True)


def check_text(text: str) -> None:
    if not text:
        raise bad_request("message text is empty", violation=True)
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long", violation=True)


def check_caption(caption: str) -> None:
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long", violation=True)


def _markup_error(text: str) -> ApiError:
    return bad_request(text, violation=True)


def _check_url(url: object) -> None:
    if not isinstance(url, str) or not url:
        raise _markup_error("BUTTON_URL_INVALID")
    parts = urlsplit(url)
    if parts.scheme.lower() not in _URL_SCHEMES or (
        parts.scheme.lower() in ("http", "https") and not parts.hostname
    ):
        raise _markup_error(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_inline_button(button: object) -> None:
    if not isinstance(button, dict):
        raise _markup_error("can't parse inline keyboard button: InlineKeyboardButton expected")
    text: Any = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _markup_error("can't parse inline keyboard button: Text must be non-empty")
    actions = [k for k in _INLINE_ACTIONS if button.get(k) is not None]
    if not actions:
        raise _markup_error(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise _markup_error(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise _markup_error("BUTTON_DATA_INVALID")
    if "url" in actions:
        _check_url(button["url"])


def _rows(markup: JsonDict, key: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _markup_error(f'field "{key}" must be an Array of Arrays')
    return rows


def check_markup(markup: object, *, inline_only: bool = False) -> JsonDict | None:
    """Validate a ``reply_markup``; returns it (``None`` when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _markup_error("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard")
        if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
            raise _markup_error("reply markup is too long")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if inline_only:
        raise _markup_error("inline keyboard expected")
    if "keyboard" in markup:
        for row in _rows(markup, "keyboard"):
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(text, str) or not text:
                    raise _markup_error("keyboard button text must be non-empty")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise _markup_error("can't parse reply keyboard markup JSON object")


def inline_part(markup: JsonDict | None) -> JsonDict | None:
    """The markup as it shows on the message (only inline keyboards do)."""
    return markup if markup is not None and "inline_keyboard" in markup else None


_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def detect_entities(text: str) -> list[JsonDict]:
    """The entities Telegram finds by itself in a user's text: bot commands."""
    out: list[JsonDict] = []
    for match in _COMMAND_RE.finditer(text):
        out.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return out
