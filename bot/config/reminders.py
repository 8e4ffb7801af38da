"""The `[reminders]` config section: when reminders go out (send time, quiet hours), the
ladders, chasing and escalation, case clocks per kind, the sweep and the sender."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from bot.reminders.calendar_source import read_operator_file
from domain.reminders.timing import CaseClock, Policy

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Days = Annotated[StrictInt, Field(ge=0, le=365)]


def _clock(value: str) -> time:
    match = _HHMM.fullmatch(value.strip())
    if match is None:
        raise ValueError("must be a time of day like 09:00")
    return time(int(match[1]), int(match[2]))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class CaseClockConfig(_Model):
    acknowledge_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = None
    answer_days: Annotated[StrictInt, Field(ge=1, le=730)] | None = None
    answer_working_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = None
    warn_at: tuple[Annotated[float, Field(gt=0, le=1)], ...] = (0.5, 0.8, 1.0)
    rehandle_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = 15

    @model_validator(mode="after")
    def _one_answer_clock(self) -> CaseClockConfig:
        if self.answer_days is not None and self.answer_working_days is not None:
            raise ValueError("set answer_days or answer_working_days, not both")
        return self


class RemindersConfig(_Model):
    send_time: str = "09:00"
    quiet_hours: str = "21:00-08:00"
    phase_days_before: tuple[Days, ...] = (3, 1)
    deadline_ladder: tuple[Days, ...] = (7, 3, 1, 0)
    item_ladder: tuple[Days, ...] = (3, 1, 0)
    overdue_every_days: Annotated[StrictInt, Field(ge=1, le=60)] = 2
    escalate_after_working_days: Annotated[StrictInt, Field(ge=1, le=120)] = 5
    # A school's overdue item goes to its district (学区) head first; `false` skips districts.
    escalate_to_district: bool = True
    district_after_working_days: Annotated[StrictInt, Field(ge=1, le=120)] = 3
    digest_weekday: Annotated[StrictInt, Field(ge=0, le=6)] = 0
    case_clocks: dict[str, CaseClockConfig] = Field(
        default_factory=lambda: {
            "complaint": CaseClockConfig(acknowledge_days=7, answer_days=90),
            "report": CaseClockConfig(acknowledge_days=7, answer_working_days=13),
        }
    )
    sweep_interval_seconds: Annotated[StrictInt, Field(ge=5, le=3600)] = 60
    misfire_grace_seconds: Annotated[StrictInt, Field(ge=1, le=86400)] = 3600
    calendar_file: Path | None = None
    max_send_attempts: Annotated[StrictInt, Field(ge=1, le=20)] = 5

    @field_validator("send_time")
    @classmethod
    def _send_time(cls, value: str) -> str:
        _clock(value)
        return value.strip()

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parts = value.split("-")
        if len(parts) != 2:
            raise ValueError('must be two times like "21:00-08:00" (or "" for none)')
        _clock(parts[0]), _clock(parts[1])
        return value.strip()

    @field_validator("calendar_file")
    @classmethod
    def _calendar_readable(cls, value: Path | None) -> Path | None:
        if value is not None:
            read_operator_file(value)  # CalendarFileError is a ValueError naming the entry
        return value

    @field_validator("case_clocks")
    @classmethod
    def _kinds(cls, value: dict[str, CaseClockConfig]) -> dict[str, CaseClockConfig]:
        unknown = sorted(set(value) - {"report", "complaint", "finding"})
        if unknown:
            raise ValueError(f"unknown case kind {unknown[0]!r} (report, complaint, finding)")
        return value

    @model_validator(mode="after")
    def _district_first(self) -> RemindersConfig:
        if (
            self.escalate_to_district
            and self.district_after_working_days >= self.escalate_after_working_days
        ):
            raise ValueError(
                "district_after_working_days must be less than escalate_after_working_days "
                "(the district hears of an overdue item before the bureau), or set "
                "escalate_to_district = false"
            )
        return self

    def policy(self, tz: ZoneInfo) -> Policy:
        """The settings as the pure rules read them."""
        start, end = (_clock(p) for p in self.quiet_hours.split("-"))
        return Policy(
            timezone=tz,
            send_time=_clock(self.send_time),
            quiet_start=start,
            quiet_end=end,
            phase_days_before=self.phase_days_before,
            deadline_ladder=self.deadline_ladder,
            item_ladder=self.item_ladder,
            overdue_every_days=self.overdue_every_days,
            escalate_after_working_days=self.escalate_after_working_days,
            district_after_working_days=(
                self.district_after_working_days if self.escalate_to_district else None
            ),
            digest_weekday=self.digest_weekday,
            case_clocks={
                kind: CaseClock(
                    acknowledge_days=c.acknowledge_days,
                    answer_days=c.answer_days,
                    answer_working_days=c.answer_working_days,
                    warn_at=tuple(sorted(c.warn_at)),
                    rehandle_days=c.rehandle_days,
                )
                for kind, c in self.case_clocks.items()
            },
        )
