"""Telegram's HTML parse mode for the simulator: markup in, plain text and message entities out.

Implements the HTML style documented at https://core.telegram.org/bots/api#html-style, with the
edge cases and error descriptions pinned by ``tests/simulator/test_html.py``: error positions are
byte offsets into the UTF-8 markup, entity offsets and lengths count UTF-16 code units, and the
entities come back ordered by offset, the longer one first where two start together.

The work is split in two: :class:`_Lexer` turns the markup into a stream of text, start-tag and
end-tag tokens (decoding character references on the way), and :class:`_Builder` keeps a stack of
open tags, collects the plain text and turns every closed tag into an entity.

One deliberate difference, on by default: Telegram keeps an unknown named reference such as
``&nbsp;`` in the text as written, while this parser refuses it; ``strict_entities=False`` gives
Telegram's behaviour. Not simulated here: the clean-up Telegram does after parsing (trimming
whitespace, dropping entities that may not nest, normalising link URLs beyond trimming them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["HtmlParseError", "parse_html", "utf16_len"]

PREFIX = "Bad Request: can't parse entities: "

_SPACES = " \t\n\r\f\v"
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_REFERENCE = re.compile(r"&(?:#(x[0-9A-Fa-f]+|[0-9]+)|([A-Za-z]+))(;?)")
_TAG_NAME = re.compile(r"[^ \t\n\r\f\v>]*")
_ATTR_NAME = re.compile(r"[^ \t\n\r\f\v=>/\"']*")
_BARE_VALUE = re.compile(r"[A-Za-z0-9.-]*")
_USER_LINK = re.compile(r"tg://user\?id=([0-9]{1,19})", re.IGNORECASE)
_DATE_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_PLAIN_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_OTHER_TAGS = {
    "span": "spoiler",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_KNOWN_TAGS = _PLAIN_TAGS.keys() | _OTHER_TAGS.keys()
# Entities covering exactly the same text are listed in this order, as Telegram lists them.
_SAME_SPAN_ORDER = (
    "expandable_blockquote blockquote pre code date_time text_link text_mention bold italic "
    "underline strikethrough spoiler custom_emoji"
)
_RANK = {kind: rank for rank, kind in enumerate(_SAME_SPAN_ORDER.split())}
_MAX_ID = 2**63 - 1


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; ``str()`` is Telegram's error description."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(PREFIX + reason)


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (characters outside the BMP count twice)."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, object]]]:
    """Parse ``text`` in HTML parse mode; raise :class:`HtmlParseError` where Telegram would."""
    lexer = _Lexer(text, strict_entities)
    return _Builder(lexer).build()


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Text:
    value: str


@dataclass(frozen=True)
class _StartTag:
    name: str
    attrs: dict[str, str]
    at: int  # index of its "<" in the markup


@dataclass(frozen=True)
class _EndTag:
    name: str  # "" for ``</>``, which closes whatever is open
    at: int


_Token = _Text | _StartTag | _EndTag


class _Lexer:
    """Splits the markup into tokens; raises on malformed tags and unknown references."""

    def __init__(self, markup: str, strict: bool) -> None:
        self.markup = markup
        self.strict = strict
        self.decoded_surrogate = False

    def byte(self, index: int) -> int:
        return len(self.markup[:index].encode("utf-8", "surrogatepass"))

    def fail(self, reason: str, index: int) -> HtmlParseError:
        return HtmlParseError(f"{reason} at byte offset {self.byte(index)}")

    def skip_spaces(self, pos: int) -> int:
        while pos < len(self.markup) and self.markup[pos] in _SPACES:
            pos += 1
        return pos

    def word_end(self, pos: int) -> int:
        """End of a tag name: the next space or ``>``, or the end of the markup."""
        found = _TAG_NAME.match(self.markup, pos)
        assert found is not None  # the pattern also matches the empty string
        return found.end()

    def tokens(self) -> Iterator[_Token]:
        markup, pos = self.markup, 0
        while pos < len(markup):
            lt = markup.find("<", pos)
            stop = len(markup) if lt < 0 else lt
            if stop > pos:
                yield _Text(self.decode(pos, stop))
            if lt < 0:
                return
            token: _Token
            if markup.startswith("</", lt):
                token, pos = self.end_tag(lt)
            else:
                token, pos = self.start_tag(lt)
            yield token

    def decode(self, start: int, stop: int) -> str:
        """``markup[start:stop]`` with its character references replaced."""
        parts: list[str] = []
        pos = start
        while (amp := self.markup.find("&", pos, stop)) >= 0:
            parts.append(self.markup[pos:amp])
            char, pos = self.reference(amp, stop)
            parts.append(char)
        parts.append(self.markup[pos:stop])
        return "".join(parts)

    def reference(self, amp: int, stop: int) -> tuple[str, int]:
        """The character a reference at ``amp`` stands for, and where the text resumes."""
        found = _REFERENCE.match(self.markup, amp, stop)
        literal = ("&", amp + 1)
        if found is None:
            return literal
        number, name, semicolon = found.groups()
        if number is not None:
            hexadecimal = number.startswith("x")
            digits = number[1:] if hexadecimal else number
            if len(digits) > (6 if hexadecimal else 7):
                return literal
            code = int(digits, 16 if hexadecimal else 10)
            if not 0 < code < 0x10FFFF:
                return literal
            if 0xD800 <= code <= 0xDFFF:
                self.decoded_surrogate = True
            return chr(code), found.end()
        if name in _NAMED_REFS:
            return _NAMED_REFS[name], found.end()
        if semicolon and self.strict:
            raise self.fail(f'Unsupported HTML entity "{found.group()}"', amp)
        return literal

    def start_tag(self, lt: int) -> tuple[_StartTag, int]:
        markup = self.markup
        end = self.word_end(lt + 1)
        if end == len(markup):
            raise self.fail("Unclosed start tag", lt)
        name = markup[lt + 1 : end].lower()
        if name not in _KNOWN_TAGS:
            raise self.fail(f'Unsupported start tag "{name}"', lt)
        unclosed = f'Unclosed start tag "{name}"'
        attrs: dict[str, str] = {}
        pos = end
        while True:
            if pos == len(markup):  # right after the name or a value
                raise self.fail("Unclosed start tag", lt)
            pos = self.skip_spaces(pos)
            if pos < len(markup) and markup[pos] == ">":
                return _StartTag(name, attrs, lt), pos + 1
            key = _ATTR_NAME.match(markup, pos)
            assert key is not None  # the pattern also matches the empty string
            if not key.group():
                raise self.fail(f'Empty attribute name in the tag "{name}"', lt)
            pos = self.skip_spaces(key.end())
            if pos == len(markup):
                raise self.fail(unclosed, lt)
            if markup[pos] != "=":
                attrs[key.group().lower()] = ""
                continue
            pos = self.skip_spaces(pos + 1)
            if pos == len(markup):
                raise self.fail(unclosed, lt)
            attrs[key.group().lower()], pos = self.attribute_value(pos, lt)

    def attribute_value(self, pos: int, lt: int) -> tuple[str, int]:
        """A quoted value (references decoded) or a bare one (lowercased)."""
        markup = self.markup
        if markup[pos] in "\"'":
            closing = markup.find(markup[pos], pos + 1)
            if closing < 0:
                raise self.fail("Unclosed start tag", lt)
            return self.decode(pos + 1, closing), closing + 1
        token = _BARE_VALUE.match(markup, pos)
        assert token is not None
        after = token.end()
        if after < len(markup) and markup[after] not in _SPACES and markup[after] != ">":
            raise self.fail("Unexpected end of name token", pos)
        return token.group().lower(), after

    def end_tag(self, lt: int) -> tuple[_EndTag, int]:
        end = self.word_end(lt + 2)
        pos = self.skip_spaces(end)
        if pos == len(self.markup) or self.markup[pos] != ">":
            raise self.fail("Unclosed end tag", lt)
        return _EndTag(self.markup[lt + 2 : end].lower(), lt), pos + 1


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class _Span:
    """A closed element as its parent remembers it, to join ``<pre>`` and ``<code>``."""

    kind: str
    joinable: bool  # a <pre> without a language, or a <code> with one
    start: int
    end: int
    index: int  # position of its entity in the builder's list, or -1 when it has none
    language: str


@dataclass
class _Element:
    tag: str
    kind: str  # entity type, "" when the element yields none
    attrs: dict[str, str]
    start: int  # UTF-16 offset where its text begins
    first_piece: int  # where its text begins in the builder's pieces
    language: str = ""  # of a <code class="language-...">, or of a joined <pre>
    last_child: _Span | None = None


class _Builder:
    """Keeps the open elements on a stack; each closed one adds its entity, if it has one."""

    def __init__(self, lexer: _Lexer) -> None:
        self.lexer = lexer
        self.pieces: list[str] = []
        self.offset = 0
        self.stack: list[_Element] = []
        self.entities: list[dict[str, object] | None] = []  # None: dropped by a <pre> join

    def build(self) -> tuple[str, list[dict[str, object]]]:
        for token in self.lexer.tokens():
            if isinstance(token, _Text):
                self.pieces.append(token.value)
                self.offset += utf16_len(token.value)
            elif isinstance(token, _StartTag):
                self.stack.append(self.open(token))
            else:
                self.close(token)
        if self.stack:
            tag = self.stack[-1].tag
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        if self.lexer.decoded_surrogate:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        found = [entity for entity in self.entities if entity is not None]
        found.sort(key=_order)
        return "".join(self.pieces), found

    def open(self, tag: _StartTag) -> _Element:
        name, attrs = tag.name, tag.attrs
        kind = _PLAIN_TAGS.get(name) or _OTHER_TAGS[name]
        element = _Element(name, kind, attrs, self.offset, len(self.pieces))
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.lexer.fail('Tag "span" must have class "tg-spoiler"', tag.at)
        if name == "blockquote" and "expandable" in attrs:
            element.kind = "expandable_blockquote"
        if name == "code" and attrs.get("class", "").startswith("language-"):
            element.language = attrs["class"].removeprefix("language-")
        return element

    def close(self, tag: _EndTag) -> None:
        if not self.stack:
            raise self.lexer.fail("Unexpected end tag", tag.at)
        element = self.stack[-1]
        if tag.name and tag.name != element.tag:
            where = self.lexer.fail("Unmatched end tag", tag.at).reason
            raise HtmlParseError(f'{where}, expected "</{element.tag}>", found "</{tag.name}>"')
        self.stack.pop()
        joinable = (element.kind, bool(element.language)) in (("pre", False), ("code", True))
        child = element.last_child
        if (
            joinable
            and child is not None
            and child.joinable
            and child.kind != element.kind
            and child.index >= 0
            and (child.start, child.end) == (element.start, self.offset)
        ):
            # <pre><code class="language-x">...</code></pre>, or the other way round, is a
            # single pre entity with a language when the inner element holds all the text.
            self.entities[child.index] = None
            element.kind, element.language = "pre", child.language or element.language
            joinable = False
        index = -1
        if element.kind and self.offset > element.start:
            entity = self.entity(element)
            if entity is not None:
                index = len(self.entities)
                self.entities.append(entity)
        if self.stack and self.offset > element.start:  # empty elements do not count
            self.stack[-1].last_child = _Span(
                element.kind, joinable, element.start, self.offset, index, element.language
            )

    def entity(self, element: _Element) -> dict[str, object] | None:
        """The entity of a closed, non-empty element; its attributes are checked only now."""
        kind, attrs = element.kind, element.attrs
        extra: dict[str, object] = {}
        if kind == "pre" and element.language:
            extra["language"] = element.language
        elif kind == "text_link":
            # A link without a target links to its own text; a blank URL gives no entity.
            url = attrs.get("href") or "".join(self.pieces[element.first_piece :])
            url = url.strip(_SPACES)
            if not url:
                return None
            mention = _USER_LINK.fullmatch(url)
            user_id = _positive(mention.group(1), _MAX_ID) if mention else None
            if user_id is not None:
                kind, extra["user"] = "text_mention", {"id": user_id}
            else:
                extra["url"] = url
        elif kind == "custom_emoji":
            emoji_id = _positive(attrs.get("emoji-id", ""), _MAX_ID)
            if emoji_id is None:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            extra["custom_emoji_id"] = str(emoji_id)
        elif kind == "date_time":
            date_format = attrs.get("format", "")
            if not _DATE_FORMAT.fullmatch(date_format):
                raise HtmlParseError("Invalid date format used")
            unix_time = _positive(attrs.get("unix", ""), 2**31 - 1)
            if unix_time is None:
                return None
            extra["unix_time"] = unix_time
            if date_format:
                extra["date_time_format"] = date_format
        length = self.offset - element.start
        return {"type": kind, "offset": element.start, "length": length, **extra}


def _positive(value: str, limit: int) -> int | None:
    """``value`` as a number in 1..limit, or None when it is not one."""
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= limit else None


def _order(entity: dict[str, object]) -> tuple[int, int, int]:
    offset, length = entity["offset"], entity["length"]
    assert isinstance(offset, int) and isinstance(length, int)
    return offset, -length, _RANK.get(str(entity["type"]), len(_RANK))
