"""Telegram's HTML parse mode: markup in, plain text and message entities out. Stdlib only.

Follows https://core.telegram.org/bots/api#html-style and mirrors the parser Telegram runs
(TDLib's ``parse_html``): the same tags, attributes and error messages, byte offsets into the
UTF-8 text, entity offsets and lengths in UTF-16 code units, entities ordered as Telegram orders
them (by offset, longer first). One deliberate difference, on by default: Telegram leaves an
unsupported named entity such as ``&nbsp;`` in the text as it is, while this parser refuses it
(``strict_entities=False`` restores Telegram's behaviour).

Not simulated here: Telegram's later clean-up of the parsed text (trimming surrounding
whitespace, dropping entities that may not nest, URL normalisation of ``<a href>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HtmlParseError", "parse_html", "utf16_len"]

PREFIX = "Bad Request: can't parse entities: "

_TAGS = frozenset(b"a b strong i em s strike del u ins tg-spoiler tg-emoji tg-time".split()) | {
    b"span",
    b"pre",
    b"code",
    b"blockquote",
}
_SIMPLE = {
    b"b": "bold",
    b"strong": "bold",
    b"i": "italic",
    b"em": "italic",
    b"u": "underline",
    b"ins": "underline",
    b"s": "strikethrough",
    b"strike": "strikethrough",
    b"del": "strikethrough",
    b"tg-spoiler": "spoiler",
    b"span": "spoiler",
}
_NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
# TDLib's order for entities at the same offset and length (lower first).
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "date_time": 30,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SPACE = frozenset(b" \t\r\n\v\0")  # TDLib's is_space(); NUL also stands for "end of text"
_NAME_END = _SPACE | frozenset(b"=>/\"'")
_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_ALPHA = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset(b"0123456789")
_HEX = _DIGITS | frozenset(b"abcdefABCDEF")
_USER_LINK = re.compile(r"tg:(?://)?user\?id=([0-9]+)", re.IGNORECASE)
_DATE_FORMAT = re.compile(r"[rR]|[tTdDwW]*")
_LT, _GT, _AMP, _SLASH, _EQ, _SEMI = (ord(c) for c in "<>&/=;")


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; ``str()`` is Telegram's error description."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(PREFIX + reason)


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (characters outside the BMP count twice)."""
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, object]]]:
    """Parse ``text`` in HTML parse mode; raise :class:`HtmlParseError` where Telegram would."""
    return _Parser(text, strict_entities).run()


@dataclass
class _Open:
    tag: bytes
    argument: bytes
    date: int
    offset: int  # UTF-16 offset in the output
    start: int  # byte position in the output


def _int32(value: bytes) -> int:
    """TDLib's lenient ``to_integer<int32>``: optional '-', leading digits, wrapping."""
    negative = value.startswith(b"-")
    digits = re.match(rb"[0-9]*", value[1:] if negative else value)
    number = int(digits.group() or b"0") if digits else 0
    number = (-number if negative else number) % 2**32
    return number - 2**32 if number >= 2**31 else number


class _Parser:
    def __init__(self, text: str, strict_entities: bool) -> None:
        self.src = text.encode("utf-8", "surrogatepass")
        self.strict = strict_entities
        self.out = bytearray()
        self.utf16 = 0
        self.surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        self.stack: list[_Open] = []
        self.entities: list[dict[str, object]] = []

    def at(self, i: int) -> int:
        return self.src[i] if i < len(self.src) else 0

    def skip_spaces(self, i: int) -> int:
        while self.at(i) != 0 and self.at(i) in _SPACE:
            i += 1
        return i

    def run(self) -> tuple[str, list[dict[str, object]]]:
        i = 0
        while i < len(self.src):
            c = self.src[i]
            if c == _AMP and (decoded := self.entity(i)) is not None:
                code, i = decoded
                self.utf16 += 2 if code > 0xFFFF else 1
                self.out += chr(code).encode("utf-8", "surrogatepass")
            elif c != _LT:
                if c & 0xC0 != 0x80:  # first byte of a UTF-8 sequence
                    self.utf16 += 2 if c >= 0xF0 else 1
                self.out.append(c)
                i += 1
            elif self.at(i + 1) != _SLASH:
                i = self.start_tag(i) + 1
            else:
                i = self.end_tag(i) + 1
        if self.stack:
            tag = self.stack[-1].tag.decode()
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # a language counts only for pre
        self.entities.sort(key=_sort_key)
        if self.surrogate:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        return self.out.decode("utf-8"), self.entities

    def entity(self, pos: int) -> tuple[int, int] | None:
        """Decode the character reference at ``pos``: (code point, position after it)."""
        end = pos + 1
        if self.at(end) == ord("#"):
            hexadecimal = self.at(end + 1) == ord("x")
            end += 2 if hexadecimal else 1
            base, digits, code = (16, _HEX, 0) if hexadecimal else (10, _DIGITS, 0)
            while self.at(end) in digits:
                code = min(code * base + int(chr(self.at(end)), 16), 0x110000)
                end += 1
            if code == 0 or code >= 0x10FFFF or end - pos >= 10:
                return None
        else:
            while self.at(end) in _ALPHA:
                end += 1
            name = self.src[pos + 1 : end]
            if name not in _NAMED:
                if self.strict and name and self.at(end) == _SEMI:
                    raise HtmlParseError(
                        f'Unsupported HTML entity "&{name.decode()};" at byte offset {pos}'
                    )
                return None
            code = _NAMED[name]
        if 0xD800 <= code <= 0xDFFF:
            self.surrogate = True
        return code, end + 1 if self.at(end) == _SEMI else end

    def start_tag(self, begin: int) -> int:
        """Read the start tag at ``begin``; return the position of its '>'."""
        i = begin + 1
        while self.at(i) not in _SPACE and self.at(i) != _GT:
            i += 1
        if self.at(i) == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.src[begin + 1 : i].lower()
        name = tag.decode("utf-8", "replace")
        if tag not in _TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument, date = b"", 0
        while self.at(i) != _GT:
            i = self.skip_spaces(i)
            if self.at(i) == _GT:
                break
            attr_begin = i
            while self.at(i) not in _NAME_END:
                i += 1
            attr = self.src[attr_begin:i]
            if not attr:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {begin}'
                )
            i = self.skip_spaces(i)
            if self.at(i) != _EQ:
                if self.at(i) == 0:
                    raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
                if tag == b"blockquote" and attr == b"expandable":
                    argument = b"1"
                continue
            i = self.skip_spaces(i + 1)
            if self.at(i) == 0:
                raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            if self.at(i) == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            if (tag, attr) in (
                (b"a", b"href"),
                (b"tg-emoji", b"emoji-id"),
                (b"tg-time", b"format"),
            ):
                argument = value
            elif tag == b"code" and attr == b"class" and value.startswith(b"language-"):
                argument = value[9:]
            elif tag == b"span" and attr == b"class" and value.startswith(b"tg-"):
                argument = value[3:]
            elif tag == b"blockquote" and attr == b"expandable":
                argument = b"1"
            elif tag == b"tg-time" and attr == b"unix":
                date = _int32(value)
        if tag == b"span" and argument != b"spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(_Open(tag, argument, date, self.utf16, len(self.out)))
        return i

    def attribute_value(self, i: int) -> tuple[bytes, int]:
        quote = self.at(i)
        if quote not in (ord('"'), ord("'")):  # a name token, case-insensitive
            token_begin = i
            while self.at(i) in _TOKEN:
                i += 1
            if self.at(i) not in _SPACE and self.at(i) != _GT:
                raise HtmlParseError(f"Unexpected end of name token at byte offset {token_begin}")
            return self.src[token_begin:i].lower(), i
        value = bytearray()
        i += 1
        while self.at(i) not in (quote, 0):
            if self.at(i) == _AMP and (decoded := self.entity(i)) is not None:
                code, i = decoded
                value += chr(code).encode("utf-8", "surrogatepass")
            else:
                value.append(self.at(i))
                i += 1
        return bytes(value), i + 1 if self.at(i) == quote else i

    def end_tag(self, begin: int) -> int:
        """Read the end tag at ``begin``; return the position of its '>'."""
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 1
        while self.at(i) not in _SPACE and self.at(i) != _GT:
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if self.at(i) != _GT:
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        top = self.stack[-1]
        if end_name and end_name != top.tag:
            found = end_name.decode("utf-8", "replace")
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{top.tag.decode()}>", found "</{found}>"'
            )
        if self.utf16 > top.offset:  # empty entities are dropped
            self.close(top, self.utf16 - top.offset)
        self.stack.pop()
        return i

    def close(self, top: _Open, length: int) -> None:
        entity: dict[str, object] = {"type": "", "offset": top.offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (top.offset, length)
        argument = top.argument.decode("utf-8", "replace")
        if top.tag in _SIMPLE:
            entity["type"] = _SIMPLE[top.tag]
        elif top.tag == b"tg-emoji":
            if not re.fullmatch(r"-?[0-9]+", argument) or not 0 < abs(int(argument)) < 2**63:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=str(int(argument)))
        elif top.tag == b"tg-time":
            if not _DATE_FORMAT.fullmatch(argument):
                raise HtmlParseError("Invalid date format used")
            if top.date <= 0:
                return
            entity.update(type="date_time", unix_time=top.date)
            if argument:
                entity["date_time_format"] = argument
        elif top.tag == b"a":
            url = argument or self.out[top.start :].decode("utf-8", "surrogatepass")
            if user := _USER_LINK.fullmatch(url.strip()):
                entity.update(type="text_mention", user={"id": int(user.group(1))})
            elif url.strip():
                entity.update(type="text_link", url=url.strip())
            else:
                return
        elif top.tag == b"pre":
            if last is not None and same_span and last["type"] == "code" and "language" in last:
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        elif top.tag == b"code":
            if last is not None and same_span and last["type"] == "pre" and argument:
                last["language"] = argument
                return
            entity["type"] = "code"
            if argument:
                entity["language"] = argument
        else:  # blockquote
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        self.entities.append(entity)


def _sort_key(entity: dict[str, object]) -> tuple[int, int, int]:
    offset, length = entity["offset"], entity["length"]
    assert isinstance(offset, int) and isinstance(length, int)
    return offset, -length, _PRIORITY[str(entity["type"])]
