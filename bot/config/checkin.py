"""The `[checkin]` config section: the "124" boarding duty's evenings, its window, when the
next morning's list and the weekly summary go out, and whether make-up working days count."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from domain.duties.checkin import DutyPolicy

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Weekday = Annotated[StrictInt, Field(ge=0, le=6)]


def _clock(value: str) -> time:
    match = _HHMM.fullmatch(value.strip())
    if match is None:
        raise ValueError("must be a time of day like 19:00")
    return time(int(match[1]), int(match[2]))


class CheckinConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    weekdays: tuple[Weekday, ...] = (0, 1, 3)  # Monday = 0: Monday, Tuesday, Thursday
    window: str = "19:00-22:30"
    report_time: str = "08:30"
    weekly_weekday: Weekday = 0
    makeup_days: StrictBool = False

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or len(set(value)) != len(value):
            raise ValueError("must list distinct weekdays 0-6 (Monday = 0)")
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        parts = value.split("-")
        if len(parts) != 2:
            raise ValueError('must be two times like "19:00-22:30"')
        if _clock(parts[0]) >= _clock(parts[1]):
            raise ValueError("must end after it starts, on the same evening")
        return value.strip()

    @field_validator("report_time")
    @classmethod
    def _report_time(cls, value: str) -> str:
        _clock(value)
        return value.strip()

    def policy(self, tz: ZoneInfo) -> DutyPolicy:
        start, end = self.window.split("-")
        return DutyPolicy(
            weekdays=frozenset(self.weekdays),
            window_start=_clock(start),
            window_end=_clock(end),
            report_time=_clock(self.report_time),
            weekly_weekday=self.weekly_weekday,
            makeup_days=self.makeup_days,
            timezone=tz,
        )
