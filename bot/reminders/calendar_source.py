"""Where the working-day calendar comes from: mainland China's public holidays and make-up
working days (调休) from the `holidays` package, plus an operator file that adds or overrides
days (`[reminders] calendar_file`).

`holidays` computes the statutory holidays of any year, but the State Council publishes each
year's schedule (which days are swapped, which weekend days are worked) only late in the year
before. A year counts as covered when the package lists make-up working days for it, or when
the operator file declares it complete (`years = [2027]`). Any other year is named in a
start-up warning; it is never silently treated as all working days.

The operator file, TOML:

    years = [2027]                     # years this file completes
    [[days]]
    date = 2027-10-09
    kind = "workday"                   # or "holiday"
    name = "国庆节调休上班"

or CSV with the header `date,kind,name`.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import holidays

from domain.reminders.calendar import WorkCalendar

KINDS = ("holiday", "workday")
_VERSION = version("holidays")


class CalendarFileError(ValueError):
    """The operator's calendar file is unreadable; the message names the line or entry."""


@dataclass(frozen=True)
class OperatorDays:
    holidays: dict[date, str]
    workdays: dict[date, str]
    years: frozenset[int]


def package_calendar(years: Iterable[int]) -> WorkCalendar:
    """China's holidays and make-up working days for `years` from the `holidays` package."""
    wanted = sorted(set(years))
    china = holidays.country_holidays("CN", years=wanted)
    off = {d: str(name) for d, name in china.items() if d.year in wanted}
    makeup: set[date] = set()
    for year in wanted:
        day = date(year, 1, 1)
        while day.year == year:
            if day.weekday() >= 5 and china.is_working_day(day):
                makeup.add(day)
            day += timedelta(days=1)
    covered = frozenset(y for y in wanted if any(d.year == y for d in makeup))
    return WorkCalendar(
        holidays=frozenset(off), makeup_workdays=frozenset(makeup), covered=covered, names=off
    )


def _entry(raw_date: object, kind: object, name: object, where: str) -> tuple[date, str, str]:
    if isinstance(raw_date, str):
        try:
            raw_date = date.fromisoformat(raw_date.strip())
        except ValueError:
            raise CalendarFileError(f"{where}: date must look like 2027-10-09") from None
    if not isinstance(raw_date, date):
        raise CalendarFileError(f"{where}: date must look like 2027-10-09")
    if kind not in KINDS:
        raise CalendarFileError(f"{where}: kind must be 'holiday' or 'workday'")
    return raw_date, str(kind), str(name or "")


def read_operator_file(path: Path) -> OperatorDays:
    """The operator's days; raises CalendarFileError naming the bad entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    entries: list[tuple[date, str, str]] = []
    years: set[int] = set()
    if path.suffix.lower() == ".csv":
        for n, row in enumerate(csv.DictReader(text.splitlines()), start=2):
            entries.append(_entry(row.get("date"), row.get("kind"), row.get("name"), f"line {n}"))
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CalendarFileError(f"{path}: {exc}") from None
        raw_years = data.get("years", [])
        if not isinstance(raw_years, list) or not all(isinstance(y, int) for y in raw_years):
            raise CalendarFileError("years: must be a list of years like [2027]")
        years.update(raw_years)
        for i, item in enumerate(data.get("days", [])):
            if not isinstance(item, dict):
                raise CalendarFileError(f"days[{i}]: must be a table")
            entries.append(
                _entry(item.get("date"), item.get("kind"), item.get("name"), f"days[{i}]")
            )
    off = {d: name for d, kind, name in entries if kind == "holiday"}
    on = {d: name for d, kind, name in entries if kind == "workday"}
    return OperatorDays(holidays=off, workdays=on, years=frozenset(years))


def load_calendar(years: Iterable[int], path: Path | None) -> tuple[WorkCalendar, list[str]]:
    """The calendar for `years`, and the warnings to log at start-up."""
    wanted = sorted(set(years))
    calendar = package_calendar(wanted)
    if path is not None:
        extra = read_operator_file(path)
        calendar = calendar.with_overrides(
            holidays=extra.holidays,
            workdays=extra.workdays,
            covered=extra.years,
            names={**extra.holidays, **extra.workdays},
        )
    warnings = [
        f"working-day calendar: {year} is not covered (no make-up working days known)"
        for year in calendar.uncovered_years(wanted)
    ]
    return calendar, warnings


def campaign_years(start: date, end: date) -> tuple[int, ...]:
    """The years of a campaign from `start` to `end`: the ones whose calendar must be known."""
    return tuple(range(start.year, end.year + 1))


def working_calendar(years: tuple[int, ...], path: Path | None) -> WorkCalendar:
    """The calendar for the campaign's `years` and the next one (escalations may cross it),
    with the operator's file at `path` (`[reminders] calendar_file`) if there is one."""
    calendar, _ = load_calendar((*years, years[-1] + 1), path)
    return calendar


def calendar_warnings(years: Iterable[int], calendar: WorkCalendar) -> list[str]:
    """What to log at start-up: every campaign year the calendar does not cover."""
    return [
        f"working-day calendar: no published holiday schedule with make-up working days for "
        f"{year} (holidays {_VERSION}); working days in {year} count weekends and the "
        f"package's estimated public holidays only. Add {year} to [reminders] calendar_file."
        for year in calendar.uncovered_years(years)
    ]
