"""Flood control modelled on Telegram's limits, with strict sliding windows.

Telegram documents roughly 30 messages per second overall, 20 messages per minute in one
group and about one message per second in one private chat (short bursts are tolerated).
A refused send is answered with 429 and ``parameters.retry_after``: the whole seconds until
the window that refused it frees a slot.  The clock is injectable so tests need not sleep, and
its ``speed`` makes the same strict windows pass N times faster (a bot paced at the same
speed, ``[telegram] pace_speed``, keeps them in a fraction of the time).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class FloodLimits:
    """The limits in force; see :meth:`FloodControl.configure`."""

    global_per_second: int = 30
    group_per_minute: int = 20
    private_per_second: float = 1.0
    private_burst: int = 3

    @property
    def private_window(self) -> float:
        """Length in seconds of the private-chat window holding ``private_burst`` sends."""
        return self.private_burst / self.private_per_second


def _prune(window: deque[float], now: float, length: float) -> None:
    while window and window[0] <= now - length:
        window.popleft()


class FloodControl:
    """Counts message sends and refuses those over the limits (off until enabled)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock: Clock = clock
        self.enabled = False
        self.speed = 1.0
        self.limits = FloodLimits()
        self.refusals: dict[int, int] = {}
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def configure(
        self,
        enabled: bool,
        *,
        global_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: float = 1.0,
        private_burst: int = 3,
        speed: float = 1.0,
    ) -> None:
        """Switch flood control on or off and set the limits; the windows start empty.
        ``speed``: seconds of the windows that pass in one second of the clock."""
        if global_per_second < 1 or group_per_minute < 1 or private_burst < 1:
            raise ValueError("flood limits must be at least 1")
        if private_per_second <= 0 or speed <= 0:
            raise ValueError("private_per_second and speed must be positive")
        self.enabled = enabled
        self.speed = speed
        self.limits = FloodLimits(
            global_per_second=global_per_second,
            group_per_minute=group_per_minute,
            private_per_second=private_per_second,
            private_burst=private_burst,
        )
        self._global.clear()
        self._per_chat.clear()

    def check(self, chat_id: int, *, private: bool, messages: int = 1) -> int | None:
        """Count one send to ``chat_id`` of ``messages`` messages (an album's pictures: each
        counts overall and in a group; a private chat takes the album as one burst).

        Returns ``None`` when the send is allowed (and counts it), otherwise the
        ``retry_after`` in whole seconds (at least 1); a refused send is not counted.
        """
        if not self.enabled:
            return None
        now = self.clock() * self.speed
        limits = self.limits
        _prune(self._global, now, 1.0)
        if private:
            cap, length = limits.private_burst, limits.private_window
        else:
            cap, length = limits.group_per_minute, 60.0
        chat_window = self._per_chat.setdefault(chat_id, deque())
        _prune(chat_window, now, length)
        overall = min(messages, limits.global_per_second)
        in_chat = 1 if private else min(messages, cap)
        waits: list[float] = []
        if len(self._global) > limits.global_per_second - overall:
            oldest = self._global[len(self._global) - limits.global_per_second + overall - 1]
            waits.append(oldest + 1.0 - now)
        if len(chat_window) > cap - in_chat:
            waits.append(chat_window[len(chat_window) - cap + in_chat - 1] + length - now)
        if waits:
            self.refusals[chat_id] = self.refusals.get(chat_id, 0) + 1
            return max(1, math.ceil(max(waits) / self.speed - 1e-9))
        self._global.extend([now] * overall)
        chat_window.extend([now] * in_chat)
        return None
