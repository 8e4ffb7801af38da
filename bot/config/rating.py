"""The `[rating]` config section: how the unit rating (优秀 / 较好 / 一般) that `/stats` and
`/publish` give weighs its inputs, the credit of an item verified late, and the scores the
grades need. Evaluation forms bring their own weights (`[[forms]] weight`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
