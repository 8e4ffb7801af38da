"""The `[hotline]` config section: the server-side pepper, the key that wraps complaints' data
keys and where those keys live, the receipt hash's cost, limits on complaints and evidence,
and how long closed complaints are kept."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictInt
from sqlalchemy.engine import make_url

from domain.hotline.crypto import Kek, kek_from_secret
from domain.hotline.receipts import HashParams
from domain.hotline.rules import HotlinePolicy
from domain.hotline.throttle import ThrottlePolicy

if TYPE_CHECKING:
    from bot.config import Config

ENV_PEPPER = "BOT_HOTLINE_PEPPER"
ENV_DATA_KEY = "BOT_HOTLINE_DATA_KEY"
MIN_PEPPER_CHARS = 32


class HotlineConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    # Required by `run` (or env BOT_HOTLINE_PEPPER); the demo and tests make a random one.
    pepper: SecretStr | None = None
    # The key-encryption key that wraps each complaint's data key (or env
    # BOT_HOTLINE_DATA_KEY); unset, one is derived from the pepper. Rotate by moving the old
    # value to `retired_data_keys` and running `python -m bot hotline rekey`.
    data_key: SecretStr | None = None
    retired_data_keys: tuple[SecretStr, ...] = ()
    # Where the wrapped data keys live: a database of their own, never the main one (deleting
    # a key must shred the complaint in the main database's backups too). Unset: a SQLite file
    # beside a SQLite database (`bot.db` → `bot.keyring.db`); with PostgreSQL the database
    # `<name>_keyring` on the same server (created at start-up if the user may).
    keyring_url: str | None = None
    # Argon2id cost of the receipt hash (RFC 9106's second recommendation by default).
    hash_time_cost: Annotated[StrictInt, Field(ge=1, le=20)] = 3
    hash_memory_kib: Annotated[StrictInt, Field(ge=64, le=1048576)] = 65536
    hash_parallelism: Annotated[StrictInt, Field(ge=1, le=16)] = 4
    max_per_day: Annotated[StrictInt, Field(ge=1, le=50)] = 3
    retention_days: Annotated[StrictInt, Field(ge=30, le=3650)] = 365
    max_evidence_files: Annotated[StrictInt, Field(ge=0, le=20)] = 5
    max_file_mb: Annotated[StrictInt, Field(ge=1, le=20)] = 20
    # Throttles, kept in the database under keyed hashes (they outlive a restart): receipts
    # one sender may have checked per hour; past `wrong_receipts_per_hour` wrong receipts from
    # everyone, every check waits `flood_delay_seconds` first (slower, never refused); how
    # many receipt hashes are checked at once.
    status_checks_per_hour: Annotated[StrictInt, Field(ge=1, le=1000)] = 12
    wrong_receipts_per_hour: Annotated[StrictInt, Field(ge=1, le=100000)] = 300
    flood_delay_seconds: Annotated[float, Field(ge=0, le=60)] = 2.0
    receipt_workers: Annotated[StrictInt, Field(ge=1, le=8)] = 1


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
        throttle=ThrottlePolicy(
            checks_per_hour=config.status_checks_per_hour,
            global_wrong_per_hour=config.wrong_receipts_per_hour,
            flood_delay=timedelta(seconds=config.flood_delay_seconds),
            workers=config.receipt_workers,
        ),
    )


def data_keys(
    config: HotlineConfig, pepper: bytes, env: Mapping[str, str] | None = None
) -> tuple[Kek, ...]:
    """The KEKs, current first: env BOT_HOTLINE_DATA_KEY or `data_key`, else one derived from
    the pepper (its own label, so neither key reveals the other); then the retired ones."""
    source = os.environ if env is None else env
    current = source.get(ENV_DATA_KEY, "").strip() or (
        config.data_key.get_secret_value().strip() if config.data_key is not None else ""
    )
    first = kek_from_secret(current) if current else kek_from_secret(pepper)
    retired = tuple(kek_from_secret(k.get_secret_value().strip()) for k in config.retired_data_keys)
    return (first, *(k for k in retired if k.key_id != first.key_id))


def keyring_url(config: HotlineConfig, storage_url: str) -> str:
    """Where the keyring is: the configured URL; else beside the main database: a SQLite file
    next to its file (`bot.db` → `bot.keyring.db`), a database of the same server named
    `<name>_keyring` (to be created by the operator, like the main one)."""
    if config.keyring_url:
        return config.keyring_url
    parsed = make_url(storage_url)
    name = parsed.database
    if not name or name == ":memory:":
        raise ValueError(
            "hotline.keyring_url: required for this database (a database of its own for the "
            "complaints' keys, never the main one)"
        )
    if parsed.get_backend_name() == "sqlite":
        path = Path(name)
        keyring = parsed.set(database=str(path.with_name(f"{path.stem}.keyring{path.suffix}")))
    else:
        keyring = parsed.set(database=f"{name}_keyring")
    return keyring.render_as_string(hide_password=False)


def keyring_problem(config: Config) -> str | None:
    """Why `run` cannot find a keyring for the complaints' keys, or None."""
    try:
        keyring_url(config.hotline, config.storage.url)
    except ValueError as error:
        return str(error)
    return None
