"""The `[rating]` section: defaults that the example documents, the rules it becomes, and
errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.app import settings_from
from bot.config import ConfigError, config_from_dict
from domain.rating import RatingRules

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def example(**rating: object) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["rating"] = rating
    return data


def test_the_example_documents_the_defaults_and_they_reach_the_handlers() -> None:
    data: dict[str, Any] = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert "rating" in data
    from_file = config_from_dict(data, env={})
    assert from_file.rating == config_from_dict(example(), env={}).rating
    assert settings_from(from_file).unit_rating == RatingRules()


def test_the_former_stats_section_is_refused_by_name() -> None:
    data = example()
    data["stats"] = {"excellent_completion": 0.9}
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data, env={})
    assert caught.value.problems == ("stats: unknown key",)


def test_custom_weights_become_the_rules() -> None:
    config = config_from_dict(example(clocks_weight=0.0, excellent=95, good=80), env={})
    rules = settings_from(config).unit_rating
    assert (rules.clocks_weight, rules.excellent, rules.good) == (0.0, 95.0, 80.0)


@pytest.mark.parametrize(
    ("rating", "problem"),
    [
        ({"good": 95}, "rating: good must not be above excellent"),
        ({"ledger_weight": 0}, "rating: ledger_weight must be above 0"),
        ({"checkin_weight": 1.5}, "rating.checkin_weight: "),
        ({"excellent": 101}, "rating.excellent: "),
        ({"typo": 1}, "rating.typo: "),
    ],
)
def test_bad_values_name_the_key(rating: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(example(**rating), env={})
    assert any(line.startswith(problem) for line in caught.value.problems), caught.value.problems
