"""What a form is, as plain data built from the `[[forms]]` config: its questions, audience,
dates, repeat and reminder ladder, and the unit rating it feeds (if any)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    """A question's type."""

    SINGLE = "single"  # one option, with buttons
    MULTIPLE = "multiple"  # several options, toggled with buttons
    SCALE = "scale"  # 1..scale_max, with buttons
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    FILE = "file"  # a photo or a document


BUTTON_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE})


class Audience(StrEnum):
    """Who answers a form."""

    UNIT_HEADS = "unit_heads"  # one answer per unit head and period
    MEMBERS = "members"  # active members of the listed roles (and unit kinds)
    CADRES = "cadres"  # school-level cadres (the "124" duty's marks)
    MONITORS = "monitors"  # 评议员: each rates several units, one answer per unit and period
    PUBLIC = "public"  # anyone, through a deep link per unit; always anonymous


NAMED_AUDIENCES = frozenset(
    {Audience.UNIT_HEADS, Audience.MEMBERS, Audience.CADRES, Audience.MONITORS}
)


class Repeat(StrEnum):
    ONCE = "once"  # one period: from opens to closes
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    PHASE = "phase"  # one period per campaign phase


class Rating(StrEnum):
    """Which evaluation of the unit rating a form's scores count towards."""

    SATISFACTION = "satisfaction"  # 满意度评议
    CONDUCT = "conduct"  # 行风评议
    SPECIAL = "special"  # 专项评议


@dataclass(frozen=True)
class Text:
    """A text in both languages (English falls back to Chinese)."""

    zh: str
    en: str | None = None

    def __call__(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.zh


@dataclass(frozen=True)
class Option:
    key: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier single/multiple question's answer is (or
    includes) `equals`."""

    question: str
    equals: str


@dataclass(frozen=True)
class Question:
    key: str
    kind: Kind
    text: Text
    required: bool = True
    options: tuple[Option, ...] = ()
    scale_max: int = 5
    max_chars: int = 500
    show_if: Condition | None = None

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Form:
    key: str
    title: Text
    audience: Audience
    questions: tuple[Question, ...]
    opens: date
    closes: date
    purpose: Text | None = None
    anonymous: bool = False
    repeat: Repeat = Repeat.ONCE
    due_day: int = 0  # monthly: day of the month; weekly: weekday (0 = Monday); else unused
    roles: tuple[str, ...] = ()  # MEMBERS: which roles; empty: every role
    unit_kinds: tuple[str, ...] = ()  # which units answer (MONITORS/PUBLIC: which are rated)
    ladder: tuple[int, ...] = (3, 1, 0)  # reminders, days before a period's due day
    rating: Rating | None = None
    weight: float = 0.0  # the share of the unit rating (0 to 1)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    @property
    def named(self) -> bool:
        return self.audience in NAMED_AUDIENCES

    @property
    def keeps_identity(self) -> bool:
        """Whether answers name their author (never for the public or anonymous forms)."""
        return self.named and not self.anonymous


@dataclass(frozen=True)
class FormCatalog:
    """Every configured form, in config order."""

    forms: tuple[Form, ...] = ()
    by_key: dict[str, Form] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_key.update({f.key: f for f in self.forms})

    def get(self, key: str) -> Form | None:
        return self.by_key.get(key)

    def __iter__(self) -> Iterator[Form]:
        return iter(self.forms)
