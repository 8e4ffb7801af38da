"""The "124" boarding duty (严格"124"住校制度): school-level cadres of boarding schools stay at
school on Monday, Tuesday and Thursday nights. Pure rules over plain data: which local days
are duty days, when the check-in window is open, how far a shared location is from the school,
who is missing, and which reminders the engine should send (as `domain.reminders.due.Due`).

A duty day is a configured weekday that is a working day (no duty on a public holiday). A
make-up working day (调休, a weekend day that is worked) carries the duty only when the
operator turns `makeup_days` on: the weekday rule names school nights, and on a worked
weekend the school's own schedule decides whether pupils board.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import STAFF, Due, Rule, member_recipient

EARTH_RADIUS_M = 6_371_000.0
WEEKLY_LINES = 30


@dataclass(frozen=True)
class DutyPolicy:
    weekdays: frozenset[int] = frozenset({0, 1, 3})  # Monday = 0
    window_start: time = time(19, 0)
    window_end: time = time(22, 30)
    report_time: time = time(8, 30)  # next morning's list of missing check-ins
    weekly_weekday: int = 0  # the weekly summary (of the week before) goes out on this day
    makeup_days: bool = False
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


class Refusal(StrEnum):
    NOT_DUTY_DAY = "not_duty_day"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"


def is_duty_day(day: date, policy: DutyPolicy, cal: WorkCalendar) -> bool:
    """A configured weekday that is a working day; a make-up working day only if enabled."""
    if day in cal.makeup_workdays and day.weekday() >= 5:
        return policy.makeup_days
    return day.weekday() in policy.weekdays and cal.is_working_day(day)


def at(day: date, clock: time, policy: DutyPolicy) -> datetime:
    """The instant of local `clock` on `day`."""
    return datetime.combine(day, clock, tzinfo=policy.timezone)


def local_day(now: datetime, policy: DutyPolicy) -> date:
    return now.astimezone(policy.timezone).date()


def check_in_day(now: datetime, policy: DutyPolicy, cal: WorkCalendar) -> date | Refusal:
    """The duty day a check-in at `now` counts for, or why it is refused."""
    day = local_day(now, policy)
    if not is_duty_day(day, policy, cal):
        return Refusal.NOT_DUTY_DAY
    if now < at(day, policy.window_start, policy):
        return Refusal.TOO_EARLY
    if now > at(day, policy.window_end, policy):
        return Refusal.TOO_LATE
    return day


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in whole metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


def parse_days(text: str, today: date) -> tuple[date, date] | None:
    """`2027-03-15`, `2027-03-15..2027-03-17`, `3-15` or `3-15..3-17` (month-day of this year,
    or of next year when already past); None when unreadable, reversed or in the past."""

    def one(part: str) -> date | None:
        bits = part.strip().replace("/", "-").split("-")
        try:
            if len(bits) == 3:
                return date(int(bits[0]), int(bits[1]), int(bits[2]))
            if len(bits) == 2:
                day = date(today.year, int(bits[0]), int(bits[1]))
                return day if day >= today else date(today.year + 1, day.month, day.day)
        except ValueError:
            return None
        return None

    first_text, _, last_text = text.partition("..")
    first = one(first_text)
    last = one(last_text) if last_text else first
    if first is None or last is None or last < first or first < today:
        return None
    if (last - first).days > 60:
        return None
    return first, last


# -- who is missing --------------------------------------------------------------------------


@dataclass(frozen=True)
class CadreFacts:
    member_id: int
    unit_id: int
    name: str
    since: date | None = None  # marked (or the school marked) on this local day


@dataclass(frozen=True)
class DutyUnit:
    id: int
    code: str
    name: str
    heads: tuple[int, ...] = ()  # active unit heads' member ids


@dataclass(frozen=True)
class DutyFacts:
    """What storage found for some duty days: boarding units, their cadres, who checked in
    and who had approved leave, per day."""

    units: Mapping[int, DutyUnit]
    cadres: tuple[CadreFacts, ...]
    checked: frozenset[tuple[int, date]] = frozenset()  # (member id, day)
    excused: frozenset[tuple[int, date]] = frozenset()  # approved absence covers that day


@dataclass(frozen=True)
class DayTally:
    day: date
    unit_id: int
    present: tuple[CadreFacts, ...]
    excused: tuple[CadreFacts, ...]
    missing: tuple[CadreFacts, ...]


def tally(facts: DutyFacts, day: date) -> list[DayTally]:
    """Per boarding unit (by code), who was at school, excused or missing on `day`."""
    out: list[DayTally] = []
    for unit in sorted(facts.units.values(), key=lambda u: u.code):
        cadres = sorted(
            (
                c
                for c in facts.cadres
                if c.unit_id == unit.id and (c.since is None or c.since <= day)
            ),
            key=lambda c: c.name,
        )
        if not cadres:
            continue
        present = tuple(c for c in cadres if (c.member_id, day) in facts.checked)
        excused = tuple(
            c
            for c in cadres
            if (c.member_id, day) in facts.excused and (c.member_id, day) not in facts.checked
        )
        missing = tuple(c for c in cadres if c not in present and c not in excused)
        out.append(DayTally(day, unit.id, present, excused, missing))
    return out


def duty_days_between(first: date, last: date, policy: DutyPolicy, cal: WorkCalendar) -> list[date]:
    days, day = [], first
    while day <= last:
        if is_duty_day(day, policy, cal):
            days.append(day)
        day += timedelta(days=1)
    return days


# -- reminders -------------------------------------------------------------------------------


def evening_calls(
    facts: DutyFacts, *, now: datetime, policy: DutyPolicy, cal: WorkCalendar
) -> list[Due]:
    """During the window of a duty day: each cadre not yet checked in and not excused."""
    day = local_day(now, policy)
    start, end = at(day, policy.window_start, policy), at(day, policy.window_end, policy)
    if not is_duty_day(day, policy, cal) or not start <= now <= end:
        return []
    out: list[Due] = []
    for entry in tally(facts, day):
        for cadre in entry.missing:
            payload = {"day": day.isoformat(), "until": policy.window_end.strftime("%H:%M")}
            out.append(
                Due(
                    Rule.CHECKIN,
                    f"duty:{day.isoformat()}",
                    member_recipient(cadre.member_id),
                    day.isoformat(),
                    start,
                    entry.unit_id,
                    payload,
                )
            )
    return out


def _names(cadres: Iterable[CadreFacts]) -> list[str]:
    return [c.name for c in cadres]


def morning_lists(
    facts: DutyFacts, *, now: datetime, policy: DutyPolicy, cal: WorkCalendar, staff: bool
) -> list[Due]:
    """On the day after a duty day, from the report time to the end of that day: each unit
    head gets the unit's missing cadres; the staff chat gets all units' in one message."""
    today = local_day(now, policy)
    duty = today - timedelta(days=1)
    when = at(today, policy.report_time, policy)
    if not is_duty_day(duty, policy, cal) or now < when:
        return []
    out: list[Due] = []
    units: list[dict[str, object]] = []
    for entry in tally(facts, duty):
        if not entry.missing:
            continue
        unit = facts.units[entry.unit_id]
        payload = {
            "day": duty.isoformat(),
            "unit": unit.name,
            "missing": _names(entry.missing),
            "excused": _names(entry.excused),
            "present": len(entry.present),
        }
        units.append(payload)
        for head in unit.heads:
            out.append(
                Due(
                    Rule.CHECKIN_MISSING,
                    f"unit:{unit.id}",
                    member_recipient(head),
                    duty.isoformat(),
                    when,
                    unit.id,
                    payload,
                )
            )
    if staff and units:
        payload = {"day": duty.isoformat(), "units": units}
        out.append(Due(Rule.CHECKIN_MISSING, "all", STAFF, duty.isoformat(), when, None, payload))
    return out


def weekly_summaries(
    facts: DutyFacts, *, now: datetime, policy: DutyPolicy, cal: WorkCalendar, staff: bool
) -> list[Due]:
    """On the weekly day, about the seven days before it: per unit, each cadre's nights at
    school, excused and missing; to the unit heads, and all units to the staff chat."""
    today = local_day(now, policy)
    if today.weekday() != policy.weekly_weekday:
        return []
    when = at(today, policy.report_time, policy)
    if now < when:
        return []
    first, last = today - timedelta(days=7), today - timedelta(days=1)
    days = duty_days_between(first, last, policy, cal)
    if not days:
        return []
    year, week, _ = first.isocalendar()
    slot = f"{year}-W{week:02d}"
    per_unit: dict[int, dict[str, list[int]]] = {}
    for day in days:
        for entry in tally(facts, day):
            table = per_unit.setdefault(entry.unit_id, {})
            for index, group in enumerate((entry.present, entry.excused, entry.missing)):
                for cadre in group:
                    table.setdefault(cadre.name, [0, 0, 0])[index] += 1
    out: list[Due] = []
    overview: list[dict[str, object]] = []
    for unit_id, table in sorted(per_unit.items(), key=lambda kv: facts.units[kv[0]].code):
        unit = facts.units[unit_id]
        rows = [[name, *counts] for name, counts in sorted(table.items())][:WEEKLY_LINES]
        payload = {
            "first": first.isoformat(),
            "last": last.isoformat(),
            "nights": len(days),
            "unit": unit.name,
            "rows": rows,
        }
        overview.append(
            {
                "unit": unit.name,
                "present": sum(c[0] for c in table.values()),
                "excused": sum(c[1] for c in table.values()),
                "missing": sum(c[2] for c in table.values()),
            }
        )
        for head in unit.heads:
            out.append(
                Due(
                    Rule.CHECKIN_WEEKLY,
                    f"unit:{unit.id}",
                    member_recipient(head),
                    slot,
                    when,
                    unit.id,
                    payload,
                )
            )
    if staff and overview:
        payload = {"first": first.isoformat(), "last": last.isoformat(), "units": overview}
        out.append(Due(Rule.CHECKIN_WEEKLY, "all", STAFF, slot, when, None, payload))
    return out


def facts_window(now: datetime, policy: DutyPolicy) -> tuple[date, date]:
    """The local days whose check-ins and absences the rules may need at `now`."""
    today = local_day(now, policy)
    return today - timedelta(days=7), today


def duty_reminders(
    facts: DutyFacts, *, now: datetime, policy: DutyPolicy, cal: WorkCalendar, staff: bool
) -> list[Due]:
    """Every duty reminder due at `now`."""
    return [
        *evening_calls(facts, now=now, policy=policy, cal=cal),
        *morning_lists(facts, now=now, policy=policy, cal=cal, staff=staff),
        *weekly_summaries(facts, now=now, policy=policy, cal=cal, staff=staff),
    ]


@dataclass(frozen=True)
class Compliance:
    unit_id: int
    present: int
    excused: int
    missing: int

    @property
    def share(self) -> float | None:
        """Nights at school of the nights owed (approved leave owes none)."""
        owed = self.present + self.missing
        return self.present / owed if owed else None


def compliance(facts: DutyFacts, days: Iterable[date]) -> list[Compliance]:
    """Per boarding unit with cadres, their nights at school, on leave and missing."""
    totals: dict[int, list[int]] = {}
    for day in days:
        for entry in tally(facts, day):
            counts = totals.setdefault(entry.unit_id, [0, 0, 0])
            counts[0] += len(entry.present)
            counts[1] += len(entry.excused)
            counts[2] += len(entry.missing)
    return [Compliance(unit_id, *counts) for unit_id, counts in totals.items()]
