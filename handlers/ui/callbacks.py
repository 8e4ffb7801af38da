"""Callback data: the one builder and the one parser of every button's data.

The wire format is `<route>:v1:<action>:<value>` (at most 64 bytes, Telegram's limit); a value
of several parts joins them with the route's separator (`desk:v1:rt:12.3`, `pub:v1:go:4:2`).
The version lets buttons sent before a deploy still parse after it.

Callback data is never trusted: the parser is the only place that reads numbers from it, and
it reads only ASCII digits (with a leading minus where the route's ids may be negative) within
SQLite's signed 64-bit range. `str.isdigit()` would take '²' or '①' (which `int()` then refuses)
and a number past 2**63 would reach the database and fail there; both are "not a valid press".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, Update

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for callback_data
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MAX_DIGITS = len(str(INT64_MAX))


@dataclass(frozen=True)
class Route:
    """One feature's buttons: `name` is the route, `empty` the value of a button without
    values, `sep` what joins several values."""

    name: str
    empty: str = "0"
    sep: str = "."
    version: str = VERSION

    @property
    def prefix(self) -> str:
        return f"{self.name}:{self.version}:"

    @property
    def pattern(self) -> str:
        """The regex of every button of this route (for a CallbackQueryHandler)."""
        return f"^{self.prefix}"

    def action_pattern(self, action: str) -> str:
        """The regex of this route's `action` buttons."""
        return f"^{self.prefix}{action}:"

    def exact_pattern(self, action: str, *values: object) -> str:
        """The regex of one button whose data never varies (Skip, Done, Cancel): the same
        action with any other value is not a button we built, and falls through to the
        route's stale-button notice instead of acting."""
        return f"^{re.escape(self.data(action, *values))}$"

    def data(self, action: str, *values: object) -> str:
        """`<route>:v1:<action>:<values joined>`; over 64 bytes is a programming error."""
        value = self.sep.join(str(v) for v in values) if values else self.empty
        text = f"{self.prefix}{action}:{value}"
        if len(text.encode()) > MAX_BYTES:
            raise ValueError("callback data over 64 bytes")
        return text

    def button(self, text: str, action: str, *values: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=self.data(action, *values))


@dataclass(frozen=True)
class Press:
    """A pressed button's data, split; its values are still untrusted text."""

    route: str
    version: str
    action: str
    value: str

    def parts(self, sep: str = ":") -> list[str]:
        return self.value.split(sep)

    def fields(self, count: int, sep: str = ".") -> tuple[str, ...] | None:
        """Exactly `count` non-empty fields of the value; None for more, fewer or an empty
        one (the arity check every route gets from the parser)."""
        return fields(self.value, count, sep=sep)

    def number(self, *, negative: bool = False) -> int | None:
        return number(self.value, negative=negative)

    def numbers(
        self, count: int | None = None, *, sep: str = ".", negative: bool = False
    ) -> tuple[int, ...] | None:
        return numbers(self.value, count, sep=sep, negative=negative)


def parse(data: str | None, *, fields: int | None = None, sep: str = ".") -> Press | None:
    """The four parts of `<route>:<version>:<action>:<value>`; None for anything else, and,
    when `fields` is given, for a value that is not exactly that many non-empty fields."""
    pieces = (data or "").split(":", 3)
    if len(pieces) != 4:
        return None
    press = Press(*pieces)
    if fields is not None and press.fields(fields, sep) is None:
        return None
    return press


def pressed(update: Update, *, fields: int | None = None, sep: str = ".") -> Press | None:
    """The pressed button's data, parsed (None: no button, data of another shape, or not
    exactly `fields` fields when the caller says how many its action carries)."""
    query = update.callback_query
    return parse(query.data, fields=fields, sep=sep) if query is not None else None


def press_value(update: Update, part: str = "value") -> str:
    """The action or value of the pressed button ("" when its data is not of our shape)."""
    press = pressed(update)
    if press is None:
        return ""
    return press.action if part == "action" else press.value


def fields(text: str, count: int, *, sep: str = ".") -> tuple[str, ...] | None:
    """`text` split by `sep` into exactly `count` non-empty fields, else None."""
    parts = tuple(text.split(sep))
    return parts if len(parts) == count and all(parts) else None


def number(text: str, *, negative: bool = False) -> int | None:
    """A whole number of ASCII digits (a leading "-" only when `negative`) that fits a signed
    64-bit column; None for anything else."""
    digits = text[1:] if negative and text.startswith("-") else text
    if not digits or len(digits) > _MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if INT64_MIN <= value <= INT64_MAX else None


def numbers(
    text: str, count: int | None = None, *, sep: str = ".", negative: bool = False
) -> tuple[int, ...] | None:
    """`count` numbers joined by `sep` (any count when None; "" is none); None when any part
    is not a `number`."""
    parts = text.split(sep) if text or count is not None else []
    if count is not None and len(parts) != count:
        return None
    found = [number(part, negative=negative) for part in parts]
    if any(n is None for n in found):
        return None
    return tuple(n for n in found if n is not None)
