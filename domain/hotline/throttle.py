"""The hotline's throttles as pure rules: who a count belongs to (a keyed hash, never an id),
how long a sender waits, and what a flood of wrong receipts does to everyone else.

A sender's counts are kept under HMAC(day key, purpose + user id), the day key derived from
the pepper and the local day: the counts survive a restart, yet yesterday's rows (deleted at
the day's end anyway) could only be tied to a person by someone holding both the database and
the pepper who already suspects that person. Each purpose has its own tag, so the row that
counts a sender's complaints cannot be matched with the row that counts their receipts.

The global ceiling on wrong receipts never refuses anybody: past it, every receipt check waits
`flood_delay` first, so that many accounts guessing together are slowed down, while the owner
of a real receipt still gets in (a few seconds later). Refusals are per sender only.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

FREE_RECEIPT_TRIES = 3
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


class Purpose(StrEnum):
    FILED = "filed"  # complaints filed today
    CHECKS = "checks"  # receipts checked this hour (right or wrong: each costs an Argon2id)
    WRONG = "wrong"  # wrong receipts in a row
    DUPLICATE = "duplicate"  # the sender half of the same-text fingerprint


@dataclass(frozen=True)
class ThrottlePolicy:
    checks_per_hour: int = 12  # receipts one sender may have checked in an hour
    global_wrong_per_hour: int = 300  # past this, every check waits `flood_delay` first
    flood_delay: timedelta = timedelta(seconds=2)
    workers: int = 1  # Argon2id checks at once (the other core keeps answering)


def day_key(pepper: bytes, day: date) -> bytes:
    return hmac.new(
        pepper, b"sender day key v1:" + day.isoformat().encode(), hashlib.sha256
    ).digest()


def sender_tag(pepper: bytes, day: date, purpose: Purpose, user_id: int) -> str:
    """The key a sender's count is kept under for `purpose` on `day` (no identifier in it)."""
    message = f"{purpose.value}:{user_id}".encode()
    return hmac.new(day_key(pepper, day), message, hashlib.sha256).hexdigest()[:40]


def hour_tag(purpose: Purpose, now: datetime, suffix: str = "") -> str:
    """An hourly counter's key: everyone's (no suffix) or a sender's (their tag)."""
    return f"{purpose.value}@{now.strftime('%Y%m%d%H')}{':' if suffix else ''}{suffix}"[:64]


def receipt_wait(failures: int) -> timedelta:
    """How long a sender waits after `failures` wrong receipts in a row (free tries first)."""
    if failures < FREE_RECEIPT_TRIES:
        return timedelta(0)
    doubled: timedelta = FIRST_WAIT * int(2 ** min(failures - FREE_RECEIPT_TRIES, 12))
    return min(doubled, LONGEST_WAIT)


def next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@dataclass(frozen=True)
class Gate:
    """Whether a sender's receipt may be checked now: `wait` > 0 refuses (for that long);
    `delay` is how long the check waits first (a flood of wrong receipts going on)."""

    wait: timedelta = timedelta(0)
    delay: timedelta = timedelta(0)
    spent: bool = False  # the wait is for the hour's checks, not for wrong receipts


def receipt_gate(
    policy: ThrottlePolicy,
    *,
    now: datetime,
    blocked_until: datetime | None,
    checks_this_hour: int,
    wrong_this_hour: int,
) -> Gate:
    """The sender's own wait first (their wrong receipts, their checks this hour), then the
    slowdown everyone shares while wrong receipts exceed the ceiling."""
    if blocked_until is not None and blocked_until > now:
        return Gate(wait=blocked_until - now)
    if checks_this_hour >= policy.checks_per_hour:
        return Gate(wait=next_hour(now) - now, spent=True)
    flooded = wrong_this_hour >= policy.global_wrong_per_hour
    return Gate(delay=policy.flood_delay if flooded else timedelta(0))
