"""The `[stats]` section: defaults, its thresholds for the rules, and refused orderings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config.stats import StatsConfig
from domain.stats import RatingThresholds


def test_defaults_become_the_rules_thresholds() -> None:
    assert StatsConfig().thresholds() == RatingThresholds()
    custom = StatsConfig(excellent_completion=1.0, good_completion=0.5).thresholds()
    assert (custom.excellent_completion, custom.good_completion) == (1.0, 0.5)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"good_completion": 0.95}, "good_completion must not be above"),
        ({"good_max_late": 0.05}, "good_max_late must not be below"),
        ({"excellent_completion": 1.5}, "less than or equal to 1"),
        ({"typo": 1}, "Extra inputs are not permitted"),
    ],
)
def test_bad_thresholds_are_refused(values: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        StatsConfig.model_validate(values)
