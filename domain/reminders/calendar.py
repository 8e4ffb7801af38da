"""The working-day calendar: which local days are working days, given a country's public
holidays, its make-up working days (调休: a weekend day that is worked) and an operator's
overrides. Pure data; `bot/` fills it from a maintained package and the operator's file.

A year the data does not cover is never silently treated as all working days: callers ask
`uncovered_years()` and warn at start-up; counting still uses weekends only for such a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends off, minus make-up working days, plus holidays; overrides win."""

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    covered: frozenset[int] = frozenset()  # years whose holidays AND make-up days are known
    names: dict[date, str] = field(default_factory=dict, compare=False)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The day that is `n` working days after `start` (start itself not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed from start to end."""
        if end <= start:
            return 0
        return sum(
            1
            for i in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=i))
        )

    def uncovered_years(self, years: Iterable[int]) -> tuple[int, ...]:
        """Those of `years` the data does not cover (to be named in a start-up warning)."""
        return tuple(sorted({y for y in years if y not in self.covered}))

    def with_overrides(
        self,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        covered: Iterable[int] = (),
        names: dict[date, str] | None = None,
    ) -> WorkCalendar:
        """This calendar with an operator's days added; an override replaces the package's
        verdict for that day (a day listed as a holiday stops being a make-up day and back)."""
        extra_off, extra_on = frozenset(holidays), frozenset(workdays)
        return WorkCalendar(
            holidays=(self.holidays - extra_on) | extra_off,
            makeup_workdays=(self.makeup_workdays - extra_off) | extra_on,
            covered=self.covered | frozenset(covered),
            names={**self.names, **(names or {})},
        )
