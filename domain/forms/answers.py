"""Answering a form: the draft, which question comes next (conditions), what a typed answer
must look like, and the values as the summary and the export show them."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.forms.definitions import Form, Kind, Question
from domain.ledger.deadlines import DeadlineProblem, parse_deadline

NUMBER_MAX_ABS = 10**12
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)$")


@dataclass
class FormDraft:
    """One person's answers so far (values: text, option keys, numbers, ISO dates, files)."""

    form_key: str
    unit_id: int  # the unit answered for (a monitor's or the public's: the unit rated)
    period: str
    answers: dict[str, Any] = field(default_factory=dict)
    current: str | None = None  # the question being asked
    editing: bool = False  # one answer changed from the summary: back to it afterwards
    public: bool = False
    # Names this draft on its buttons: a press on an earlier draft's card is not this one's.
    token: str = field(default_factory=lambda: secrets.token_hex(4))


def shown(question: Question, answers: dict[str, Any]) -> bool:
    """Whether `question` is asked, given the answers so far (its condition, if any)."""
    cond = question.show_if
    if cond is None:
        return True
    given = answers.get(cond.question)
    if isinstance(given, list):
        return cond.equals in given
    return given == cond.equals


def visible(form: Form, answers: dict[str, Any]) -> list[Question]:
    return [q for q in form.questions if shown(q, answers)]


def kept(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers of the questions still shown (an answer behind a condition that no longer
    holds is dropped at submit)."""
    keys = {q.key for q in visible(form, answers)}
    return {k: v for k, v in answers.items() if k in keys}


def next_question(form: Form, answers: dict[str, Any], after: str | None) -> Question | None:
    """The first shown question after `after` (None: from the start) that is still open."""
    seen = after is None
    for question in form.questions:
        if not seen:
            seen = question.key == after
            continue
        if shown(question, answers):
            return question
    return None


def missing(form: Form, answers: dict[str, Any]) -> list[Question]:
    """Required questions shown but not answered."""
    return [q for q in visible(form, answers) if q.required and q.key not in answers]


class Problem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NOT_A_DATE = "not_a_date"
    NO_SUCH_DAY = "no_such_day"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    OUT_OF_RANGE = "out_of_range"
    NOT_AN_OPTION = "not_an_option"


def read_text(question: Question, text: str) -> str | Problem:
    cleaned = text.strip()
    if not cleaned:
        return Problem.EMPTY
    if len(cleaned) > question.max_chars:
        return Problem.TOO_LONG
    return cleaned


def read_number(text: str) -> int | float | Problem:
    """A number in ASCII or full-width digits, with a decimal point or not."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        return Problem.NOT_A_NUMBER
    value = float(cleaned)
    if abs(value) > NUMBER_MAX_ABS:
        return Problem.OUT_OF_RANGE
    return int(value) if value.is_integer() and "." not in cleaned else value


def read_date(text: str, today: date) -> str | Problem:
    """An ISO date from the forms the ledger reads; a date without a year is this year (an
    answer may well be in the past, unlike a deadline)."""
    found = parse_deadline(text, date(today.year, 1, 1))
    if found is DeadlineProblem.NO_SUCH_DAY:
        return Problem.NO_SUCH_DAY
    if not isinstance(found, date):
        return Problem.NOT_A_DATE
    return found.isoformat()


def read_scale(question: Question, value: str) -> int | Problem:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= question.scale_max:
        return Problem.OUT_OF_RANGE
    return int(value)


def toggle(chosen: list[str], key: str) -> list[str]:
    """A multiple-choice answer with `key` added or removed (kept in option order later)."""
    return [k for k in chosen if k != key] if key in chosen else [*chosen, key]


def as_text(question: Question, value: Any, language: str) -> str:
    """An answer as the summary and the export show it."""
    if value is None:
        return ""
    if question.kind is Kind.SINGLE:
        option = question.option(str(value))
        return option.label(language) if option else str(value)
    if question.kind is Kind.MULTIPLE:
        keys = value if isinstance(value, list) else []
        return "、".join(o.label(language) for o in question.options if o.key in keys)
    if question.kind is Kind.SCALE:
        return f"{value}/{question.scale_max}"
    if question.kind is Kind.FILE:
        return str(value.get("kind", "file")) if isinstance(value, dict) else ""
    return str(value)
