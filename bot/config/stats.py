"""The `[stats]` config section: the thresholds of the unit rating (优秀 / 较好 / 一般) that
`/stats` gives at the end of each phase from ledger completion and lateness; `[stats.brief]`
the weekly brief to the staff chat (its day and time)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.brief import BriefPolicy
from domain.stats import RatingThresholds

Share = Annotated[float, Field(ge=0, le=1)]


class BriefConfig(BaseModel):
    """`[stats.brief]`: the weekly brief (一周简报) to the staff chat."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    enabled: bool = True
    weekday: Annotated[int, Field(ge=0, le=6)] = 0  # 0 = Monday
    time: dt.time = dt.time(8, 30)  # "08:30", campaign time

    def policy(self, tz: ZoneInfo) -> BriefPolicy:
        return BriefPolicy(enabled=self.enabled, weekday=self.weekday, at=self.time, timezone=tz)


class StatsConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    excellent_completion: Share = 0.9
    excellent_max_late: Share = 0.1
    good_completion: Share = 0.7
    good_max_late: Share = 0.3
    brief: BriefConfig = BriefConfig()

    @model_validator(mode="after")
    def _ordered(self) -> StatsConfig:
        if self.good_completion > self.excellent_completion:
            raise ValueError("good_completion must not be above excellent_completion")
        if self.good_max_late < self.excellent_max_late:
            raise ValueError("good_max_late must not be below excellent_max_late")
        return self

    def thresholds(self) -> RatingThresholds:
        return RatingThresholds(
            excellent_completion=self.excellent_completion,
            excellent_max_late=self.excellent_max_late,
            good_completion=self.good_completion,
            good_max_late=self.good_max_late,
        )
