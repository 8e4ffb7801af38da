"""The inbox's filters as plain data: which cases a desk list shows (kind, status, category,
unit, assignee, overdue, page), their compact form inside callback data, the words of a typed
`/inbox overdue`, and the opening days past which a case misses its clocks. Pure rules.

The compact form is dot-separated tokens, each a letter and a value (`kc.sa.c2.u14.am.o.p3`):
kind, status, category index, unit id, assignee (`m` mine, `n` nobody, or a member id),
overdue, page. It fits Telegram's 64 bytes with room to spare and is never trusted: every
value is re-read and re-checked against the database by whoever uses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.cases.lifecycle import CaseStatus
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import CaseClock, fraction_days

KINDS: tuple[str, ...] = ("report", "complaint", "finding")
_KIND_CODE = {"report": "r", "complaint": "c", "finding": "f"}
_STATUS_CODE = {
    CaseStatus.RECEIVED: "r",
    CaseStatus.ACCEPTED: "a",
    CaseStatus.IN_PROGRESS: "p",
    CaseStatus.RECTIFIED: "t",
    CaseStatus.VERIFIED: "v",
    CaseStatus.ANSWERED: "w",
    CaseStatus.CLOSED: "c",
    CaseStatus.REJECTED: "x",
}
MINE, NOBODY = "m", "n"
MAX_PAGE = 10_000
MAX_ID = 10**12


@dataclass(frozen=True)
class InboxFilter:
    """What one inbox list shows. `assignee` is MINE, NOBODY or a member id."""

    kind: str | None = None
    status: CaseStatus | None = None
    category: int | None = None  # index in the campaign's categories
    unit_id: int | None = None
    assignee: str | int | None = None
    overdue: bool = False
    page: int = 0

    def at(self, page: int) -> InboxFilter:
        return replace(self, page=max(0, min(page, MAX_PAGE)))

    @property
    def is_plain(self) -> bool:
        """No filter chosen (any page)."""
        return self.at(0) == InboxFilter()


def encode(f: InboxFilter) -> str:
    """The compact form (always ends with the page)."""
    parts: list[str] = []
    if f.kind is not None:
        parts.append("k" + _KIND_CODE[f.kind])
    if f.status is not None:
        parts.append("s" + _STATUS_CODE[f.status])
    if f.category is not None:
        parts.append(f"c{f.category}")
    if f.unit_id is not None:
        parts.append(f"u{f.unit_id}")
    if f.assignee is not None:
        parts.append(f"a{f.assignee}")
    if f.overdue:
        parts.append("o")
    parts.append(f"p{f.page}")
    return ".".join(parts)


def _number(text: str, limit: int) -> int | None:
    """ASCII digits only: `str.isdigit()` alone takes '²', which `int()` refuses."""
    digits = text.isascii() and text.isdigit() and len(text) <= 13
    return int(text) if digits and int(text) <= limit else None


def decode(text: str) -> InboxFilter | None:
    """The filter of a compact form; None when any token is malformed or repeated."""
    kinds = {v: k for k, v in _KIND_CODE.items()}
    statuses = {v: k for k, v in _STATUS_CODE.items()}
    values: dict[str, object] = {}
    for token in text.split("."):
        key, rest = token[:1], token[1:]
        if not key or key in values:
            return None
        value: object
        if key == "k":
            value = kinds.get(rest)
        elif key == "s":
            value = statuses.get(rest)
        elif key in ("c", "u"):
            value = _number(rest, MAX_ID)
        elif key == "a":
            value = rest if rest in (MINE, NOBODY) else _number(rest, MAX_ID)
        elif key == "o":
            value = True if rest == "" else None
        elif key == "p":
            value = _number(rest, MAX_PAGE)
        else:
            return None
        if value is None:
            return None
        values[key] = value
    if "p" not in values:
        return None
    return InboxFilter(
        kind=values.get("k"),  # type: ignore[arg-type]
        status=values.get("s"),  # type: ignore[arg-type]
        category=values.get("c"),  # type: ignore[arg-type]
        unit_id=values.get("u"),  # type: ignore[arg-type]
        assignee=values.get("a"),  # type: ignore[arg-type]
        overdue=bool(values.get("o", False)),
        page=int(values["p"]),  # type: ignore[call-overload]
    )


@dataclass(frozen=True)
class TypedFilter:
    """What `/inbox <words>` asked for; the unit code and category key are still to be
    checked against the units and the campaign."""

    base: InboxFilter
    unit_code: str | None = None
    category_key: str | None = None


# `/inbox verify`: not a filter of cases but the verification queue of rectified ledger items.
VERIFY_WORDS: frozenset[str] = frozenset({"verify", "待核验"})

_WORDS: dict[str, dict[str, object]] = {
    "overdue": {"overdue": True},
    "late": {"overdue": True},
    "超期": {"overdue": True},
    "mine": {"assignee": MINE},
    "我的": {"assignee": MINE},
    "unassigned": {"assignee": NOBODY},
    "未受理": {"assignee": NOBODY},
    **{k: {"kind": k} for k in KINDS},
    **{k + "s": {"kind": k} for k in KINDS},
    "问题反映": {"kind": "report"},
    "举报": {"kind": "report"},  # the word staff typed before: still understood
    "投诉": {"kind": "complaint"},
    "督查": {"kind": "finding"},
}


def parse_words(words: Sequence[str]) -> TypedFilter | None:
    """`overdue`, `mine`, `unassigned`, a kind, `status S`, `unit CODE`, `category KEY`, in any
    order and combination; None when a word is not understood."""
    f = InboxFilter()
    unit_code: str | None = None
    category_key: str | None = None
    items = [w.strip() for w in words if w.strip()]
    i = 0
    while i < len(items):
        word = items[i].lower()
        if word in _WORDS:
            f = replace(f, **_WORDS[word])  # type: ignore[arg-type]
            i += 1
            continue
        if word in ("status", "unit", "category") and i + 1 < len(items):
            value = items[i + 1]
            if word == "status":
                try:
                    f = replace(f, status=CaseStatus(value.lower()))
                except ValueError:
                    return None
            elif word == "unit":
                unit_code = value.upper()
            else:
                category_key = value
            i += 2
            continue
        return None
    return TypedFilter(f, unit_code, category_key)


@dataclass(frozen=True)
class LateRule:
    """A case of `kind` misses a clock when that clock is not done and it was opened on or
    before the day given (None: that clock is not kept for the kind)."""

    kind: str
    ack_opened_by: date | None
    answer_opened_by: date | None


def _latest_late_opening(
    today: date, days: int | None, working_days: int | None, cal: WorkCalendar
) -> date | None:
    """The latest opening day whose limit (as `domain.reminders.overdue` computes it) is before
    today."""
    if days is None and working_days is None:
        return None
    span = working_days if working_days is not None else days
    assert span is not None
    day = today - timedelta(days=span + 1)  # a limit is at least `span` calendar days on
    for _ in range(400):  # holidays can push a working-day limit out by weeks, never a year
        if fraction_days(day, 1.0, days=days, working_days=working_days, cal=cal) < today:
            return day
        day -= timedelta(days=1)
    return day


def late_rules(
    clocks: Mapping[str, CaseClock], *, today: date, cal: WorkCalendar
) -> tuple[LateRule, ...]:
    """For each kind with a clock, the opening days past which its clocks are missed, so that
    storage can ask for overdue cases in SQL."""
    rules = []
    for kind, clock in sorted(clocks.items()):
        ack = _latest_late_opening(today, clock.acknowledge_days, None, cal)
        answer = _latest_late_opening(today, clock.answer_days, clock.answer_working_days, cal)
        if ack is not None or answer is not None:
            rules.append(LateRule(kind, ack, answer))
    return tuple(rules)
