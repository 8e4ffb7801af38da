"""Is this process fit to serve? `HealthState` holds what the leader lock last decided and
probes the database; `/healthz` answers 200 only when the database answers and this process is
the active one (the leader), else 503 with the reason.

Without a leader lock (SQLite: one process only) a process is the leader from the start; the
leadership module sets `leader` (False while standing by, None while it does not know).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from storage.db import Database
from storage.ops import health as probes

HEALTH_KEY = "health"


@dataclass
class Verdict:
    ok: bool
    database: str  # "ok" or why not
    leader: bool | None
    reason: str | None  # why not healthy, for people reading the probe's answer

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": self.database,
            "leader": self.leader,
            **({"reason": self.reason} if self.reason else {}),
        }


@dataclass
class HealthState:
    """What `/healthz` reports; one per Application (in `bot_data`)."""

    db: Database
    db_timeout: float = 2.0
    mode: str = "polling"
    leader: bool | None = True
    leader_detail: str | None = None  # e.g. "standby: another process holds the lock"
    last_db_problem: str | None = field(default=None, init=False)

    async def db_ok(self) -> bool:
        """Whether `SELECT 1` answers within the timeout (the reason kept for the verdict)."""
        self.last_db_problem = await probes.ping(self.db, within=self.db_timeout)
        return self.last_db_problem is None

    async def verdict(self) -> Verdict:
        db_ok = await self.db_ok()
        reasons: list[str] = []
        if not db_ok:
            reasons.append(self.last_db_problem or "database unavailable")
        if self.leader is not True:
            default = "standby: not the active process" if self.leader is False else None
            reasons.append(self.leader_detail or default or "leadership not yet decided")
        return Verdict(
            ok=not reasons,
            database="ok" if db_ok else (self.last_db_problem or "unavailable"),
            leader=self.leader,
            reason="; ".join(reasons) or None,
        )


def install(app: Application[Any, Any, Any, Any, Any, Any], state: HealthState) -> HealthState:
    app.bot_data[HEALTH_KEY] = state
    return state


def health_of(app: Application[Any, Any, Any, Any, Any, Any]) -> HealthState:
    """The application's health state (set up by `bot.runtime.running`)."""
    state = app.bot_data[HEALTH_KEY]
    assert isinstance(state, HealthState)
    return state
