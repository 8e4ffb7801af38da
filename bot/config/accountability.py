"""The `[accountability]` config section: the handlings a closed case may record (批评教育 …
移送纪检监察机关) and, per unit code, the superior (a Telegram user id) who decides the
extensions of items a unit listed itself (a unit without one inherits its parent's)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from bot.config.campaign import Keyed, duplicate_keys
from domain.cases.accountability import DEFAULT_HANDLINGS, Handling


class HandlingConfig(Keyed):
    pass


def _defaults() -> tuple[HandlingConfig, ...]:
    return tuple(
        HandlingConfig(key=h.key, name=h.name, name_en=h.name_en) for h in DEFAULT_HANDLINGS
    )


class AccountabilityConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    handlings: tuple[HandlingConfig, ...] = Field(default_factory=_defaults)
    superiors: dict[str, StrictInt] = Field(default_factory=dict)

    @field_validator("handlings")
    @classmethod
    def _handlings(cls, value: tuple[HandlingConfig, ...]) -> tuple[HandlingConfig, ...]:
        if not value:
            raise ValueError("needs at least one handling")
        if problems := duplicate_keys("handlings", value):
            raise ValueError(problems[0][1])
        return value

    @field_validator("superiors")
    @classmethod
    def _superiors(cls, value: dict[str, int]) -> dict[str, int]:
        for code, user in value.items():
            if user < 1:
                raise ValueError(f"{code}: a Telegram user id is a positive number")
        return value

    def domain_handlings(self) -> tuple[Handling, ...]:
        return tuple(Handling(h.key, h.name, h.name_en) for h in self.handlings)
