"""The sender's pacing: the overall rate is shared by every chat, and each chat keeps its own
interval without holding up the others."""

from __future__ import annotations

import asyncio
import time

from bot.reminders.sender import Pacer, backoff


async def test_overall_rate_and_per_chat_interval() -> None:
    pacer = Pacer(per_second=10, private_interval=0.3, group_interval=0.6)
    started = time.monotonic()
    stamps: dict[int, list[float]] = {}

    async def chat(chat_id: int, sends: int, private: bool) -> None:
        for _ in range(sends):
            await pacer.wait(chat_id, private=private)
            stamps.setdefault(chat_id, []).append(time.monotonic() - started)

    await asyncio.gather(
        chat(1, 2, True), chat(-2, 2, False), *(chat(c, 1, True) for c in range(10, 19))
    )
    everything = sorted(t for times in stamps.values() for t in times)
    assert len(everything) == 13
    assert everything[10] >= 0.95  # the 11th send waited for the one-second window
    assert stamps[1][1] - stamps[1][0] >= 0.29
    assert stamps[-2][1] - stamps[-2][0] >= 0.59
    assert stamps[10][0] < 0.2  # other chats were not held up by chat 1's interval


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(20).total_seconds() == 3600
