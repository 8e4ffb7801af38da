"""The campaign's statistics as pure arithmetic: counts, ledger completion per unit, case
clocks met, and the 12345-style rates (response, resolution, satisfaction). No I/O: storage
hands in plain facts, handlers and the CLI show the results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain.campaign import Campaign, Phase
from domain.ledger.extensions import due_for_rating
from domain.membership.roles import Role
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import CaseClock, fraction_days

RESPONDED = frozenset({"answered", "closed"})
RESOLVED = frozenset({"closed"})
VERIFIED = "verified"
# 12345 practice: 满意率 counts "satisfied" and "basically satisfied".
SATISFIED_RATINGS = frozenset({"satisfied", "basically_satisfied"})
NO_PHASE = ""
T = TypeVar("T")


@dataclass(frozen=True)
class CaseFact:
    """What statistics need of one case (or of a purged complaint's tombstone)."""

    kind: str
    category_key: str
    unit_id: int | None
    status: str
    opened_on: date
    acknowledged_on: date | None = None
    answered_on: date | None = None
    closed_on: date | None = None
    rating: str | None = None
    purged: bool = False  # a tombstone: its clocks are unknown
    rehandled: int = 0  # 重办: reopened by the person's dissatisfaction (tombstones: unknown)


@dataclass(frozen=True)
class ItemFact:
    """What statistics need of one ledger item."""

    unit_id: int
    category_key: str
    status: str
    deadline: date | None
    created_at: datetime
    verified_at: datetime | None = None
    due_on: date | None = None  # the deadline lateness counts against (see `due`)

    @property
    def due(self) -> date | None:
        """The deadline as the bureau set it or an approved extension moved it; a day the unit
        chose alone does not make a late item timely."""
        return due_for_rating(self.deadline, self.due_on)


@dataclass(frozen=True)
class Scope:
    """Which units a person's statistics and exports cover: all (unit_id None), one, or a
    district: `unit_id` the district and `unit_ids` it with the schools under it."""

    unit_id: int | None
    unit_ids: frozenset[int] | None = None

    @property
    def all_units(self) -> bool:
        return self.unit_id is None

    @property
    def per_unit(self) -> bool:
        """Whether a breakdown by unit means something (all units, or a district's)."""
        return self.all_units or self.unit_ids is not None


def scope_for(
    role: Role | None, unit_id: int | None, oversees: frozenset[int] = frozenset()
) -> Scope | None:
    """Handlers and admins see every unit; a district head their district's; a unit head
    their own; anyone else nothing."""
    if role in (Role.ADMIN, Role.CASE_OFFICER):
        return Scope(None)
    if role is Role.UNIT_HEAD and unit_id is not None:
        return Scope(unit_id, oversees or None)
    return None


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (never a fake 0 % or 100 %)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    total: int
    responded: int
    resolved: int
    rated: int
    satisfied: int
    rehandled: int = 0  # cases re-handled (重办) at least once

    @property
    def response(self) -> float | None:
        return ratio(self.responded, self.total)

    @property
    def resolution(self) -> float | None:
        return ratio(self.resolved, self.total)

    @property
    def satisfaction(self) -> float | None:
        return ratio(self.satisfied, self.rated)


def rates(cases: Iterable[CaseFact]) -> Rates:
    """Response (answered or closed / all), resolution (closed / all), satisfaction
    (satisfied or basically satisfied / rated; a re-handled case by its last rating) and the
    cases re-handled (重办); rejected cases count in the total."""
    total = responded = resolved = rated = satisfied = rehandled = 0
    for case in cases:
        total += 1
        rehandled += case.rehandled > 0
        responded += case.status in RESPONDED
        resolved += case.status in RESOLVED
        if case.rating is not None:
            rated += 1
            satisfied += case.rating in SATISFIED_RATINGS
    return Rates(total, responded, resolved, rated, satisfied, rehandled)


@dataclass(frozen=True)
class Accountable:
    """One accountability row, as statistics need it."""

    handling_key: str
    unit_id: int | None  # the unit held accountable, or the case's unit for a person


def substantiated(findings: Iterable[str]) -> tuple[int, int]:
    """(属实 or 部分属实, all findings): 属实率 is the first over the second."""
    whole = part = 0
    for finding in findings:
        whole += 1
        part += finding in ("true", "partly")
    return part, whole


@dataclass(frozen=True)
class Completion:
    """One unit's ledger on a day: items verified of all, and of the verified, on time or
    late; `overdue` are the items not verified and past their deadline."""

    unit_id: int
    total: int
    verified: int
    on_time: int
    late: int
    overdue: int = 0

    @property
    def share(self) -> float | None:
        return ratio(self.verified, self.total)

    @property
    def listed(self) -> bool:
        """Whether the unit has a list at all (a unit expected to file one may have none)."""
        return self.total > 0

    @property
    def lateness(self) -> float | None:
        """Items verified late or still overdue, of all."""
        return ratio(self.late + self.overdue, self.total)


def verified_on_time(item: ItemFact, tz: ZoneInfo) -> bool | None:
    """None when not verified; else whether the local day of verification is ≤ the deadline
    (an item without a deadline cannot be late)."""
    if item.status != VERIFIED or item.verified_at is None:
        return None
    if item.due is None:
        return True
    return item.verified_at.astimezone(tz).date() <= item.due


def completion(
    items: Iterable[ItemFact],
    tz: ZoneInfo,
    as_of: date | None = None,
    expected: Iterable[int] = (),
) -> list[Completion]:
    """Completion per unit, in unit id order. With `as_of`, the ledger as it stood at the end
    of that day: later items are left out, later verifications do not count yet, and open
    items past their deadline are overdue. Each unit of `expected` (those that must file a
    problem list) is there even without items: all zero, not `listed`."""
    tally: dict[int, list[int]] = {unit: [0, 0, 0, 0, 0] for unit in expected}
    for item in items:
        if as_of is not None and item.created_at.astimezone(tz).date() > as_of:
            continue
        row = tally.setdefault(item.unit_id, [0, 0, 0, 0, 0])
        row[0] += 1
        timely = verified_on_time(item, tz)
        if timely is not None and as_of is not None:
            assert item.verified_at is not None
            if item.verified_at.astimezone(tz).date() > as_of:
                timely = None
        if timely is not None:
            row[1] += 1
            row[2 if timely else 3] += 1
        elif as_of is not None and item.due is not None and item.due < as_of:
            row[4] += 1
    return [Completion(unit, *tally[unit]) for unit in sorted(tally)]


def behind_first(rows: Iterable[Completion]) -> list[Completion]:
    """Units behind first: those with overdue items (the largest share overdue first), then
    those with no list yet, then the least verified (the larger ledger first on a tie)."""
    return sorted(
        rows,
        key=lambda c: (
            -(ratio(c.overdue, c.total) or 0.0),
            c.listed,
            c.share or 0.0,
            -c.total,
            c.unit_id,
        ),
    )


class UnitGrade(StrEnum):
    """The rating of a unit's rectification (目标绩效: 优秀 / 较好 / 一般)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"


def rating_day(campaign: Campaign, today: date) -> tuple[str | None, date]:
    """When units are rated: at the end of the latest phase that has ended (its key and last
    day), or today (None) while the first phase is still running."""
    ended = ended_phases(campaign, today)
    if not ended:
        return None, today
    return ended[-1].key, ended[-1].end


def ended_phases(campaign: Campaign, today: date) -> list[Phase]:
    """The phases whose last day is before `today`, in the order they ended."""
    return sorted((p for p in campaign.phases if p.end < today), key=lambda p: p.end)


def rating_window(campaign: Campaign, today: date) -> tuple[str | None, date, date, bool]:
    """(phase key or None, first day, rating day, whether the rating day is over): the window
    whose duty nights and evaluations a rating counts — the latest ended phase, or from the
    campaign's start to today while the first phase runs."""
    key, day = rating_day(campaign, today)
    phase = next((p for p in campaign.phases if p.key == key), None)
    if phase is not None:
        return key, phase.start, day, True
    starts = [p.start for p in campaign.phases]
    return None, min([*starts, today]), day, False


@dataclass(frozen=True)
class ClockTally:
    """Of the cases whose limit has passed or that were done: how many were done in time."""

    due: int = 0
    met: int = 0

    @property
    def share(self) -> float | None:
        return ratio(self.met, self.due)


def _tally(done: date | None, limit: date, today: date) -> tuple[int, int]:
    if done is not None:
        return 1, int(done <= limit)
    return (1, 0) if today > limit else (0, 0)


def clocks_met(
    case: CaseFact, clocks: Mapping[str, CaseClock], *, today: date, cal: WorkCalendar
) -> tuple[bool | None, bool | None]:
    """(acknowledged in time, answered in time) of one case: None where it has no clock, or
    is still within its limit and not done yet (the register's columns; `case_clocks` sums
    the same)."""
    clock = clocks.get(case.kind)
    if clock is None or case.purged or case.status == "rejected":
        return None, None
    ack: bool | None = None
    answer: bool | None = None
    if clock.acknowledge_days is not None:
        limit = fraction_days(
            case.opened_on, 1.0, days=clock.acknowledge_days, working_days=None, cal=cal
        )
        due, met = _tally(case.acknowledged_on, limit, today)
        ack = bool(met) if due else None
    if clock.answer_days is not None or clock.answer_working_days is not None:
        limit = fraction_days(
            case.opened_on,
            1.0,
            days=clock.answer_days,
            working_days=clock.answer_working_days,
            cal=cal,
        )
        due, met = _tally(case.answered_on, limit, today)
        answer = bool(met) if due else None
    return ack, answer


def case_clocks(
    cases: Iterable[CaseFact],
    clocks: Mapping[str, CaseClock],
    *,
    today: date,
    cal: WorkCalendar,
) -> tuple[ClockTally, ClockTally]:
    """(acknowledged in time, answered in time) over the cases with a configured clock; a
    case still within its limit and not done yet is not counted either way."""
    ack = [0, 0]
    answer = [0, 0]
    for case in cases:
        met_both = clocks_met(case, clocks, today=today, cal=cal)
        for tally, met in zip((ack, answer), met_both, strict=True):
            if met is not None:
                tally[0] += 1
                tally[1] += met
    return ClockTally(*ack), ClockTally(*answer)


def count_by(facts: Iterable[T], key: Callable[[T], Hashable]) -> Counter[Hashable]:
    """How many facts share each key."""
    return Counter(key(f) for f in facts)


def phase_of(campaign: Campaign, day: date) -> str:
    """The key of the campaign phase containing `day` ("" outside every phase)."""
    phase = campaign.phase_on(day)
    return phase.key if phase is not None else NO_PHASE


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    start: date
    opened: int
    closed: int


def weekly(cases: Iterable[CaseFact], *, first: date, last: date) -> list[Week]:
    """Cases opened and closed per week (Monday to Sunday) from `first`'s week to `last`'s."""
    opened: Counter[date] = Counter()
    closed: Counter[date] = Counter()
    for case in cases:
        opened[week_start(case.opened_on)] += 1
        if case.closed_on is not None:
            closed[week_start(case.closed_on)] += 1
    weeks: list[Week] = []
    start, end = week_start(first), week_start(last)
    while start <= end:
        weeks.append(Week(start, opened[start], closed[start]))
        start += timedelta(days=7)
    return weeks


def series_span(cases: Iterable[CaseFact], today: date, max_weeks: int = 26) -> tuple[date, date]:
    """The weeks a weekly chart shows: from the first case (at most `max_weeks` back) to today."""
    days = [c.opened_on for c in cases]
    first = min(days) if days else today
    return max(first, today - timedelta(weeks=max_weeks - 1)), today
