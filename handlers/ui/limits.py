"""Telegram's length limits, kept by construction: how long a text is as Telegram counts it,
the one cut rule (`clip`: a plain text shortened to a budget, also behind the buttons'
`handlers.ui.text.shorten`), a long view cut into pages, and `fit_call`, which the bot's
send layer (`bot/spec_bot.py`) applies to every call: a text over 4096 or a caption over 1024
is sent as pages, never refused and never cut silently. A view that knows better where to cut
(`/status`, a form's answers) pages itself with `pages`; every other view reaches the person
whole through `fit_call`.

How Telegram counts (docs/telegram-limits.md): 1-4096 characters of text *after entity
parsing* — HTML tags do not count, `&lt;` counts as one character — with surrounding white
space trimmed first. Whether a "character" is a code point or a UTF-16 code unit is not
documented, and reports disagree; entity offsets are in UTF-16 code units. We count UTF-16
code units, the stricter of the two, so a text that fits here fits either way.

The views here are our own HTML (`handlers.i18n` escapes every value), so a tag is always a
whole `<...>` and `&` always starts an entity.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")
_SPACE = " \t\r\n\v\f"


def units(plain: str) -> int:
    """The length of a plain text in UTF-16 code units."""
    return len(plain.encode("utf-16-le")) // 2


def visible(text: str) -> str:
    """What Telegram shows of an HTML text: tags out, entities resolved, trimmed."""
    return html.unescape(re.sub(r"<[^>]*>", "", text)).strip(_SPACE)


def length(text: str) -> int:
    """The length Telegram checks against its limit, of an HTML text."""
    return units(visible(text))


def fits(text: str, limit: int = TEXT_LIMIT) -> bool:
    return length(text) <= limit


def clip(plain: str, budget: int) -> str:
    """`plain` (not yet escaped) shortened to at most `budget` UTF-16 code units, ending in
    an ellipsis when shortened."""
    if units(plain) <= budget:
        return plain
    room = max(0, budget - units(ELLIPSIS))
    kept, used = [], 0
    for char in plain:
        used += units(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def pages(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """An HTML text cut into messages that each fit: at a blank line if one is in the second
    half of a page, else at a line end there, else where the page is full. A tag open across
    a cut is closed at the end of one page and opened again at the start of the next; no
    page is empty. One page when the text fits."""
    if fits(text, limit):
        return [text]
    tokens = _TOKEN.findall(text)
    widths = [0 if _is_tag(tok) else units(html.unescape(tok)) for tok in tokens]
    result: list[str] = []
    start = 0
    open_tags: list[str] = []
    while start < len(tokens):
        end, used = start, 0
        while end < len(tokens) and used + widths[end] <= limit:
            used += widths[end]
            end += 1
        if end < len(tokens):
            end = _cut(tokens, start, end)
        page_tags = list(open_tags)
        for tok in tokens[start:end]:
            _track(page_tags, tok)
        body = "".join(open_tags) + "".join(tokens[start:end])
        body += "".join(f"</{_name(tag)}>" for tag in reversed(page_tags))
        if visible(body):
            result.append(body)
        open_tags, start = page_tags, end
    return result


def _cut(tokens: list[str], start: int, end: int) -> int:
    """Where to end the page of tokens[start:end] (which fits): a blank line, a line end
    or a space in its second half, else its end."""
    half = start + (end - start) // 2
    for wanted in ("\n\n", "\n", " "):
        for i in range(end - 1, half, -1):
            if wanted == "\n\n" and tokens[i] == "\n" and tokens[i - 1] == "\n":
                return i + 1
            if wanted != "\n\n" and tokens[i] == wanted:
                return i + 1
    return end


def _is_tag(token: str) -> bool:
    return token.startswith("<") and token.endswith(">") and len(token) > 1


def _name(tag: str) -> str:
    found = _TAG_NAME.match(tag)
    return found.group(1).lower() if found else ""


def _track(open_tags: list[str], token: str) -> None:
    if not _is_tag(token) or token.endswith("/>"):
        return
    if token.startswith("</"):
        name = _name(token)
        for i in range(len(open_tags) - 1, -1, -1):
            if _name(open_tags[i]) == name:
                del open_tags[i]
                break
    else:
        open_tags.append(token)


# Bot API methods whose `caption` Telegram limits to CAPTION_LIMIT.
CAPTIONED = frozenset(
    {
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "editMessageCaption",
    }
)
# What a page sent after (or before) the call keeps of the call's parameters.
_KEPT = ("chat_id", "message_thread_id", "disable_notification", "protect_content")


@dataclass
class Fitted:
    """A call made to fit: `before` and `after` are sendMessage calls around `call`."""

    call: dict[str, Any]
    before: list[dict[str, Any]] = field(default_factory=list)
    after: list[dict[str, Any]] = field(default_factory=list)


def fit_call(endpoint: str, data: dict[str, Any]) -> Fitted | None:
    """`data` of a Bot API call made to fit Telegram's limits; None when it fits already
    (or carries explicit entities, which we never send and cannot re-cut).

    - sendMessage: every page but the last sent first, without the buttons; the call sends
      the last page, with them (the person presses under the end of what they read).
    - editMessageText: the message becomes the first page and keeps its buttons; the rest
      follows as new messages (an edit cannot grow into two messages).
    - a caption: the first 1024 units stay under the media; the rest follows as messages.
    A plain text (no HTML parse mode) is escaped and its pages are sent as HTML.
    """
    key, limit = ("caption", CAPTION_LIMIT) if endpoint in CAPTIONED else ("text", TEXT_LIMIT)
    if endpoint not in CAPTIONED and endpoint not in ("sendMessage", "editMessageText"):
        return None
    text = data.get(key)
    if not isinstance(text, str) or data.get("entities") or data.get("caption_entities"):
        return None
    is_html = str(data.get("parse_mode") or "").upper() == "HTML"
    source = text if is_html else html.escape(text, quote=False)
    if fits(source, limit):
        return None
    cut = pages(source, limit)
    call = {**data, "parse_mode": "HTML"}
    page = {name: data[name] for name in _KEPT if name in data} | {"parse_mode": "HTML"}
    if endpoint == "sendMessage":
        call["text"] = cut[-1]
        return Fitted(call, before=[page | {"text": part} for part in cut[:-1]])
    if "chat_id" not in data:  # an inline message: no chat to send the rest to
        call[key] = pages(source, limit - units(ELLIPSIS) - 1)[0] + "\n" + ELLIPSIS
        return Fitted(call)
    call[key] = cut[0]
    rest = "".join(cut[1:])
    return Fitted(call, after=[page | {"text": part} for part in pages(rest)])
