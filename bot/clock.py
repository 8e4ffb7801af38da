"""Clocks: the real one, and one that travels so tests and the demo never sleep to a deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class TravelClock:
    """A clock that starts at a given instant and moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("TravelClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move forward; never backward, since rules may assume time is monotonic."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += delta

    def set(self, instant: datetime) -> None:
        """Jump to `instant`, which must not be earlier than now."""
        self.advance(instant.astimezone(UTC) - self._now)
