"""Telegram's length limit on a message's text, kept by construction: how long a text is as
Telegram counts it, a plain text shortened to a budget, and a long view cut into pages.

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

TEXT_LIMIT = 4096
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
