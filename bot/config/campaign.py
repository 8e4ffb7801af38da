"""The campaign's part of the config: phases, fixed deadlines, categories, and the small
types and helpers every config section shares (kept apart from the loader in `bot.config`)."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from itertools import pairwise
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.functional_validators import BeforeValidator, field_validator, model_validator
from pydantic.types import StringConstraints

SLUG_PATTERN = r"^[a-z0-9_]{1,32}$"
Language = Literal["zh_CN", "en"]
Audience = Literal["unit_heads", "members", "handlers", "all"]
_T = TypeVar("_T")
Loc = tuple[str | int, ...]
_K = TypeVar("_K", bound="Keyed")


class LocatedProblems(ValueError):
    """Raised by model validators: problems located relative to the validated model."""

    def __init__(self, items: list[tuple[Loc, str]]) -> None:
        self.items = items
        super().__init__("; ".join(f"{dotted(loc)}: {msg}" for loc, msg in items))


def _parse_date(value: object) -> object:
    if isinstance(value, datetime):
        raise ValueError("must be a date like 2027-02-14, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a real calendar date") from None
    raise ValueError("must be a date like 2027-02-14")


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Day = Annotated[date, BeforeValidator(_parse_date)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Hint = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


class ConfigModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


def _pick(language: str, zh: _T, en: _T | None) -> _T:
    return en if language == "en" and en else zh


def find_key(entries: Iterable[_K], key: str) -> _K:
    for entry in entries:
        if entry.key == key:
            return entry
    raise KeyError(key)


class Keyed(ConfigModel):
    key: Slug
    name: Name
    name_en: Name | None = None

    def name_for(self, language: str) -> str:
        """``name_en`` when ``language`` is "en" and it is set, else the Chinese ``name``."""
        return _pick(language, self.name, self.name_en)


class Phase(Keyed):
    start: Day
    end: Day
    description: LongText | None = None
    description_en: LongText | None = None

    @model_validator(mode="after")
    def _dates(self) -> Phase:
        if self.end < self.start:
            raise LocatedProblems([(("end",), "before start")])
        return self

    def description_for(self, language: str) -> str | None:
        return _pick(language, self.description, self.description_en)


class Deadline(Keyed):
    due: Day
    audience: Audience


class Campaign(ConfigModel):
    name: Name
    name_en: Name | None = None
    timezone: str = "Asia/Shanghai"
    language: Language = "zh_CN"
    phases: tuple[Phase, ...]
    deadlines: tuple[Deadline, ...] = ()

    @field_validator("phases")
    @classmethod
    def _ordered_phases(cls, value: tuple[Phase, ...]) -> tuple[Phase, ...]:
        if not value:
            raise ValueError("needs at least one phase")
        problems = duplicate_keys("phases", value)
        for i, (prev, cur) in enumerate(pairwise(value), 1):
            if cur.start < prev.start:
                why = f"before phase {prev.key!r} (phases must be in date order)"
                problems.append(((i, "start"), why))
            elif cur.start <= prev.end:
                problems.append(((i, "start"), f"overlaps phase {prev.key!r}"))
        if problems:
            raise LocatedProblems(problems)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            if not zoneinfo.available_timezones():
                raise ValueError("no time zone database found (pip install tzdata)") from None
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _check_deadlines(self) -> Campaign:
        first, last = self.start, self.end
        problems = duplicate_keys("deadlines", self.deadlines, ("deadlines",))
        for i, deadline in enumerate(self.deadlines):
            if not first <= deadline.due <= last:
                why = f"outside the campaign ({first.isoformat()} to {last.isoformat()})"
                problems.append((("deadlines", i, "due"), why))
        if problems:
            raise LocatedProblems(problems)
        return self

    def name_for(self, language: str) -> str:
        return _pick(language, self.name, self.name_en)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def start(self) -> date:
        return min(p.start for p in self.phases)

    @property
    def end(self) -> date:
        return max(p.end for p in self.phases)

    def phase(self, key: str) -> Phase:
        return find_key(self.phases, key)

    def deadline(self, key: str) -> Deadline:
        return find_key(self.deadlines, key)

    def phase_on(self, day: date) -> Phase | None:
        """The phase running on ``day`` (a datetime is first converted to campaign time)."""
        if isinstance(day, datetime):
            day = day.astimezone(self.tz).date() if day.tzinfo else day.date()
        return next((p for p in self.phases if p.start <= day <= p.end), None)


class Category(Keyed):
    description: Hint
    description_en: Hint | None = None
    items: tuple[Hint, ...] = ()
    items_en: tuple[Hint, ...] | None = None

    @model_validator(mode="after")
    def _items_match(self) -> Category:
        if self.items_en is not None and len(self.items_en) != len(self.items):
            why = f"has {len(self.items_en)} entries but items has {len(self.items)}"
            raise LocatedProblems([(("items_en",), why)])
        return self

    def description_for(self, language: str) -> str:
        return _pick(language, self.description, self.description_en)

    def items_for(self, language: str) -> tuple[str, ...]:
        return _pick(language, self.items, self.items_en)


class _HasKey(Protocol):
    @property
    def key(self) -> str: ...


def duplicate_keys(field: str, entries: Iterable[_HasKey], at: Loc = ()) -> list[tuple[Loc, str]]:
    seen: dict[str, int] = {}
    found: list[tuple[Loc, str]] = []
    for i, entry in enumerate(entries):
        if entry.key in seen:
            first = seen[entry.key]
            why = f"duplicate key {entry.key!r} (also {field}[{first}], the {ordinal(first + 1)})"
            found.append(((*at, i, "key"), why))
        seen.setdefault(entry.key, i)
    return found


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
