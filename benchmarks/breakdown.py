"""Where the time of one conversation step goes, seen from the simulator.

A step runs from the user's action (the update queued) to the bot's answer arriving in their
chat. The simulator sees every moment in between that crosses the wire, so a step splits into:

- poll: the update waiting to be fetched (queued until a getUpdates answer carries it);
- bot before the first call: the getUpdates answer travelling to the bot, python-telegram-bot
  parsing it, the update waiting its turn, the member lookup and the handler's own code up to
  its first Bot API call;
- API calls: time with at least one of the step's Bot API calls in flight at the simulator
  (each answered after the set latency: the floor);
- bot between calls: the rest up to the answer (the bot's code and HTTP between calls).

Calls are the step's when they are in the user's private chat (answerCallbackQuery: the chat of
the pressed message), so this is exact when each user has one step in flight, as at light load.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.support import median, percentile
from simulator import BotApiSimulator


@dataclass
class Step:
    sent: float
    delivered: float | None = None
    calls: list[tuple[float, float]] = field(default_factory=list)  # (arrived, answered)
    answered: float | None = None


@dataclass
class Parts:
    poll: float
    before_first_call: float
    in_calls: float
    between_calls: float
    calls: int

    @property
    def total(self) -> float:
        return self.poll + self.before_first_call + self.in_calls + self.between_calls


def split(step: Step) -> Parts | None:
    """The step's time in the four parts (None when a moment is missing)."""
    if step.delivered is None or step.answered is None:
        return None
    end = step.answered
    calls = sorted((a, min(b, end)) for a, b in step.calls if a < end)
    if not calls:
        return None
    busy, reach = 0.0, calls[0][0]  # the union of the calls' intervals
    for arrived, answered in calls:
        start = max(arrived, reach)
        if answered > start:
            busy += answered - start
            reach = answered
    first = calls[0][0]
    return Parts(
        poll=step.delivered - step.sent,
        before_first_call=first - step.delivered,
        in_calls=busy,
        between_calls=(end - first) - busy,
        calls=len(calls),
    )


class Breakdown:
    """Timestamps each step's moments by wrapping the simulator's getUpdates and its answer to
    every call (only while attached: the wrappers cost the simulator a little CPU)."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim
        self.open: dict[int, Step] = {}  # user id -> the step in flight
        self.done: list[Step] = []
        updates = sim.state.updates
        fetch: Callable[..., Any] = updates.get_updates
        answer: Callable[..., Any] = sim._answer

        async def get_updates(**kwargs: Any) -> Any:
            result = await fetch(**kwargs)
            now = time.perf_counter()
            for update in result:
                step = self.open.get(chat_of_update(update) or 0)
                if step is not None and step.delivered is None:
                    step.delivered = now
            return result

        async def timed_answer(request: Any, call: Any, raw: Any) -> Any:
            arrived = time.perf_counter()
            try:
                return await answer(request, call, raw)
            finally:
                chat = self._chat_of_call(call.method, call.params)
                step = self.open.get(chat or 0)
                if step is not None and call.method != "getUpdates":
                    step.calls.append((arrived, time.perf_counter()))

        updates.get_updates = get_updates  # type: ignore[method-assign]
        sim._answer = timed_answer  # type: ignore[method-assign]

    def _chat_of_call(self, method: str, params: dict[str, Any]) -> int | None:
        if method == "answerCallbackQuery":
            return self.sim.state.callback_chats.get(str(params.get("callback_query_id")))
        chat = params.get("chat_id")
        try:
            return int(chat) if chat is not None else None
        except (TypeError, ValueError):
            return None

    def begin(self, user_id: int, sent: float) -> None:
        self.open[user_id] = Step(sent=sent)

    def end(self, user_id: int, answered: float) -> None:
        step = self.open.pop(user_id, None)
        if step is not None:
            step.answered = answered
            self.done.append(step)

    def lines(self, latency: float) -> list[str]:
        """The breakdown as printed: p50, p95 and mean of each part over all steps, and the
        same for the slowest 5 % of steps (what makes the p95)."""
        parts = [p for p in map(split, self.done) if p is not None]
        if not parts:
            return ["  step breakdown: no complete step recorded"]
        slow_from = percentile([p.total for p in parts], 95)
        slow = [p for p in parts if p.total >= slow_from]
        floor = median([p.calls for p in parts])
        out = [
            f"  step breakdown ({len(parts)} steps; ms p50 / p95 / mean; slowest 5 %: mean): "
            f"API calls per step p50 {floor:.0f} (each {latency * 1000:.0f} ms)"
        ]
        for label, get in (
            ("poll (sent -> fetched)", lambda p: p.poll),
            ("bot before 1st call", lambda p: p.before_first_call),
            ("in API calls", lambda p: p.in_calls),
            ("bot between calls", lambda p: p.between_calls),
            ("step total", lambda p: p.total),
        ):
            values = [get(p) for p in parts]
            out.append(
                f"    {label:<24} {median(values) * 1000:6.1f} / "
                f"{percentile(values, 95) * 1000:6.1f} / {sum(values) / len(values) * 1000:6.1f}"
                f"; slowest {sum(map(get, slow)) / len(slow) * 1000:6.1f}"
            )
        return out


def chat_of_update(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (a message's, or the pressed message's)."""
    message = update.get("message")
    if message is None:
        query = update.get("callback_query") or {}
        message = query.get("message")
    chat = (message or {}).get("chat") or {}
    found = chat.get("id")
    return found if isinstance(found, int) else None
