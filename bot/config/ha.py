"""`[ha]`: active/standby on PostgreSQL — which lock the processes share, how soon a standby
takes over, how often the active one checks that it still holds the lock."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

# "RECT" in ASCII: the advisory lock key unless the operator runs several bots on one server.
DEFAULT_LOCK_KEY = 0x52454354


class HaConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    # True when several processes run against one database: one that cannot reach the
    # database at start then waits for it as a standby (saying so once a minute) instead of
    # failing after `[storage] connect_wait_seconds`.
    enabled: bool = False
    # PostgreSQL advisory lock key; give each bot sharing a database server its own.
    lock_key: Annotated[StrictInt, Field(ge=1, le=2**62)] = DEFAULT_LOCK_KEY
    # The promise: a standby is serving within this many seconds after the active one died.
    takeover_seconds: Annotated[float, Field(gt=0, le=600)] = 15.0
    # How often a standby tries the lock, and how often the active one checks it still has it.
    retry_seconds: Annotated[float, Field(gt=0, le=60)] = 2.0
    check_seconds: Annotated[float, Field(gt=0, le=60)] = 2.0

    @model_validator(mode="after")
    def _fits(self) -> HaConfig:
        if self.retry_seconds >= self.takeover_seconds:
            raise ValueError("retry_seconds must be shorter than takeover_seconds")
        return self

    @property
    def keepalive_seconds(self) -> tuple[int, int, int]:
        """TCP keepalive (idle, interval, count) for the lock's connection, so that the server
        drops the lock of a vanished machine well within `takeover_seconds`."""
        idle = max(1, int(self.takeover_seconds / 3))
        interval = max(1, int(self.takeover_seconds / 10))
        return idle, interval, 3
