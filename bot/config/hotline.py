"""The `[hotline]` config section: the server-side pepper, the receipt hash's cost, limits
on complaints and evidence, and how long closed complaints are kept."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictInt

from domain.hotline.receipts import HashParams
from domain.hotline.rules import HotlinePolicy

ENV_PEPPER = "BOT_HOTLINE_PEPPER"
MIN_PEPPER_CHARS = 32


class HotlineConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    # Required by `run` (or env BOT_HOTLINE_PEPPER); the demo and tests make a random one.
    pepper: SecretStr | None = None
    # Argon2id cost of the receipt hash (RFC 9106's second recommendation by default).
    hash_time_cost: Annotated[StrictInt, Field(ge=1, le=20)] = 3
    hash_memory_kib: Annotated[StrictInt, Field(ge=64, le=1048576)] = 65536
    hash_parallelism: Annotated[StrictInt, Field(ge=1, le=16)] = 4
    max_per_day: Annotated[StrictInt, Field(ge=1, le=50)] = 3
    retention_days: Annotated[StrictInt, Field(ge=30, le=3650)] = 365
    max_evidence_files: Annotated[StrictInt, Field(ge=0, le=20)] = 5
    max_file_mb: Annotated[StrictInt, Field(ge=1, le=20)] = 20


def pepper_of(config: HotlineConfig, env: Mapping[str, str] | None = None) -> str | None:
    """The pepper from env BOT_HOTLINE_PEPPER or the file; None when neither sets it."""
    source = os.environ if env is None else env
    from_env = source.get(ENV_PEPPER, "").strip()
    if from_env:
        return from_env
    if config.pepper is not None and config.pepper.get_secret_value().strip():
        return config.pepper.get_secret_value().strip()
    return None


def pepper_problem(config: HotlineConfig) -> str | None:
    """Why `run` must refuse to start, or None."""
    pepper = pepper_of(config)
    if pepper is None:
        return f"hotline.pepper: required (set it in the file or in env {ENV_PEPPER})"
    if len(pepper) < MIN_PEPPER_CHARS:
        return f"hotline.pepper: too short: at least {MIN_PEPPER_CHARS} characters"
    return None


def hotline_policy(config: HotlineConfig) -> HotlinePolicy:
    """The policy handlers use; without a configured pepper (demo, tests) a random one that
    lives as long as the process — `run` refuses to start without a real one."""
    pepper = pepper_of(config)
    return HotlinePolicy(
        pepper=pepper.encode() if pepper else secrets.token_bytes(32),
        hash_params=HashParams(
            time_cost=config.hash_time_cost,
            memory_kib=config.hash_memory_kib,
            parallelism=config.hash_parallelism,
        ),
        max_per_day=config.max_per_day,
        retention_days=config.retention_days,
        max_evidence_files=config.max_evidence_files,
        max_file_bytes=config.max_file_mb * 1024 * 1024,
    )
