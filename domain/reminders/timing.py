"""When a reminder may go out: the policy (send time, quiet hours, ladders), local days to UTC
instants across DST, and the "current slot" of a ladder. Pure functions of their arguments.

A slot is one planned moment of a rule for one subject (e.g. "3 days before April 5"). Only
the latest slot that has come is ever due: a bot that was down for a week sends one reminder
on start, not one per missed slot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.reminders.calendar import WorkCalendar


@dataclass(frozen=True)
class CaseClock:
    """Time limits for one kind of case, from the day it was opened (a re-handled one's from
    the day it reopened)."""

    acknowledge_days: int | None = None
    answer_days: int | None = None
    answer_working_days: int | None = None
    warn_at: tuple[float, ...] = (0.5, 0.8, 1.0)
    rehandle_days: int | None = None  # 重办: answer again within this many days of reopening


@dataclass(frozen=True)
class Policy:
    """The reminder settings, as plain data."""

    timezone: ZoneInfo
    send_time: time = time(9, 0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    phase_days_before: tuple[int, ...] = (3, 1)
    deadline_ladder: tuple[int, ...] = (7, 3, 1, 0)
    item_ladder: tuple[int, ...] = (3, 1, 0)
    overdue_every_days: int = 2
    escalate_after_working_days: int = 5
    # An overdue item of a school goes to its district (学区) head this many working days
    # after its deadline, before the bureau; None skips districts.
    district_after_working_days: int | None = 3
    digest_weekday: int = 0  # Monday: the weekly per-unit overdue digest
    case_clocks: Mapping[str, CaseClock] = field(default_factory=dict)

    @property
    def longest_lead(self) -> int:
        """How many days ahead any ladder looks: the candidate window of the queries."""
        return max((*self.item_ladder, *self.deadline_ladder, *self.phase_days_before, 0))


def in_quiet_hours(local: time, policy: Policy) -> bool:
    start, end = policy.quiet_start, policy.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`day` at wall-clock time `at` in `tz`, as UTC. A time skipped by a DST change is read
    with the offset before the change (02:30 on a spring-forward night is 03:30 summer time)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_allowed(instant: datetime, policy: Policy) -> datetime:
    """`instant`, or the end of the quiet hours it falls in."""
    local = instant.astimezone(policy.timezone)
    if not in_quiet_hours(local.timetz().replace(tzinfo=None), policy):
        return instant
    day = local.date()
    if local.time() >= policy.quiet_end and policy.quiet_start > policy.quiet_end:
        day += timedelta(days=1)
    return local_instant(day, policy.quiet_end, policy.timezone)


def send_instant(day: date, policy: Policy) -> datetime:
    """When reminders planned for local `day` go out: the send time, outside quiet hours."""
    return _send_instant(
        day, policy.send_time, policy.quiet_start, policy.quiet_end, policy.timezone
    )


@lru_cache(maxsize=8192)
def _send_instant(
    day: date, send_time: time, quiet_start: time, quiet_end: time, zone: ZoneInfo
) -> datetime:
    # A sweep asks this for every ladder step of every candidate item: the zone arithmetic
    # was most of a large sweep's time. The answer depends only on these values.
    hours = Policy(timezone=zone, send_time=send_time, quiet_start=quiet_start, quiet_end=quiet_end)
    return next_allowed(local_instant(day, send_time, zone), hours)


def local_day(now: datetime, policy: Policy) -> date:
    return now.astimezone(policy.timezone).date()


@dataclass(frozen=True)
class Slot:
    day: date  # the local day it is planned for
    key: str  # stable within its rule and subject
    due_at: datetime  # UTC


def current_slot(
    planned: Iterable[tuple[date, str]],
    *,
    now: datetime,
    policy: Policy,
    valid_until: date | None = None,
    not_before: date | None = None,
) -> Slot | None:
    """The latest planned slot whose send instant has come, or None.

    `valid_until`: after this local day nothing of the ladder is due any more.
    `not_before`: slots planned before this day (before the subject existed) never count.
    """
    today = local_day(now, policy)
    if valid_until is not None and today > valid_until:
        return None
    best: Slot | None = None
    for day, key in planned:
        if not_before is not None and day < not_before:
            continue
        at = send_instant(day, policy)
        if at <= now and (best is None or day > best.day):
            best = Slot(day=day, key=key, due_at=at)
    return best


def ladder(target: date, days_before: Iterable[int], prefix: str = "") -> list[tuple[date, str]]:
    """The warn-before ladder of `target`: (day, key) for each offset."""
    return [(target - timedelta(days=k), f"{prefix}{target.isoformat()}:-{k}") for k in days_before]


def overdue_chase(deadline: date, today: date, every: int) -> list[tuple[date, str]]:
    """Chasing after `deadline`: the day after it, then every `every` days. Only the latest
    chasing day up to today and the one before it are returned: before today's send time
    the previous one is still the current slot."""
    late = (today - deadline).days
    if late < 1:
        return []
    last = 1 + ((late - 1) // every) * every
    return [
        (deadline + timedelta(days=n), f"{deadline.isoformat()}:+{n}")
        for n in (last - every, last)
        if n >= 1
    ]


def fraction_days(
    opened: date, fraction: float, *, days: int | None, working_days: int | None, cal: WorkCalendar
) -> date:
    """The day on which `fraction` of a time limit (calendar or working days) is used up."""
    if working_days is not None:
        return cal.add_working_days(opened, math.ceil(fraction * working_days - 1e-9))
    assert days is not None
    return opened + timedelta(days=math.ceil(fraction * days - 1e-9))


def days_late(deadline: date, today: date) -> int:
    """Whole days past the deadline (0 on or before it)."""
    return max(0, (today - deadline).days)
