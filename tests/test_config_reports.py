"""The `[reports]` config section: defaults, limits, and errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.app import settings_from
from bot.config import ConfigError, config_from_dict

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def example(**reports: object) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["reports"] = reports
    return data


def test_defaults_reach_the_handlers() -> None:
    settings = settings_from(config_from_dict(example(), env={}))
    assert settings.evidence.max_files == 5
    assert settings.evidence.max_bytes == 20 * 1024 * 1024
    assert "application/pdf" in settings.evidence.allowed_mime
    assert settings.occurred_max_chars == 200


def test_the_example_documents_the_defaults() -> None:
    data: dict[str, Any] = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    from_file = config_from_dict(data, env={}).reports
    assert from_file == config_from_dict(example(), env={}).reports


@pytest.mark.parametrize(
    ("reports", "problem"),
    [
        ({"max_file_mb": 21}, "reports.max_file_mb: must be at most 20"),
        ({"max_evidence_files": -1}, "reports.max_evidence_files: must be at least 0"),
        ({"allowed_mime_types": ["pdf"]}, "reports.allowed_mime_types: not a MIME type"),
        ({"max_files": 3}, "reports.max_files: unknown key"),
    ],
)
def test_bad_values_name_the_key(reports: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(example(**reports), env={})
    assert any(line.startswith(problem) for line in caught.value.problems), caught.value.problems


def test_mime_types_are_normalised() -> None:
    config = config_from_dict(example(allowed_mime_types=[" Application/PDF "]), env={})
    assert config.reports.allowed_mime_types == ("application/pdf",)
