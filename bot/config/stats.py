"""The leader's view in config: `[rating]`, how the unit rating (优秀 / 较好 / 一般) that
`/stats` and `/publish` give weighs its inputs, the credit of an item verified late, and the
scores the grades need (evaluation forms bring their own weights, `[[forms]] weight`); and
`[brief]`, the weekly brief (一周简报) to the staff chat, its day and time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.brief import BriefPolicy
from domain.rating import RatingRules

Weight = Annotated[float, Field(ge=0, le=1)]
Score = Annotated[float, Field(ge=0, le=100)]


class RatingConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    ledger_weight: Weight = 0.6
    clocks_weight: Weight = 0.2
    checkin_weight: Weight = 0.2
    late_credit: Weight = 0.5
    excellent: Score = 90.0
    good: Score = 75.0

    @model_validator(mode="after")
    def _sane(self) -> RatingConfig:
        if self.ledger_weight <= 0:
            raise ValueError("ledger_weight must be above 0: the ledger is what a unit is rated on")
        if self.good > self.excellent:
            raise ValueError("good must not be above excellent")
        return self

    def rules(self) -> RatingRules:
        return RatingRules(
            ledger_weight=self.ledger_weight,
            clocks_weight=self.clocks_weight,
            checkin_weight=self.checkin_weight,
            late_credit=self.late_credit,
            excellent=self.excellent,
            good=self.good,
        )


class BriefConfig(BaseModel):
    """`[brief]`: the weekly brief to the staff chat."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    enabled: bool = True
    weekday: Annotated[int, Field(ge=0, le=6)] = 0  # 0 = Monday
    time: dt.time = dt.time(8, 30)  # "08:30", campaign time

    def policy(self, tz: ZoneInfo) -> BriefPolicy:
        return BriefPolicy(enabled=self.enabled, weekday=self.weekday, at=self.time, timezone=tz)
