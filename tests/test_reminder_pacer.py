"""The sender's pacing: the overall rate is shared by every chat, and each chat keeps its own
interval without holding up the others."""

from __future__ import annotations

import asyncio
import time

from bot.reminders.pacer import PacedLimiter
from bot.reminders.sender import Pacer, backoff
from handlers.ui.deliver import in_bulk


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
    # Other chats were not held up by chat 1's interval (compared with chat 1's own second send,
    # not with the wall clock: a loaded machine delays everything alike).
    assert stamps[10][0] < stamps[1][1]


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(20).total_seconds() == 3600


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_send_counts_until_its_answer_came_back() -> None:
    """Telegram may count a message as late as its answer: the window runs from there."""
    clock = _Clock()
    pacer = Pacer(per_second=2, margin=0.0, lead_share=0.0, monotonic=clock)
    async with pacer.sending(1, private=True):
        clock.now += 0.5  # a slow answer
    async with pacer.sending(2, private=True):
        pass
    third = asyncio.create_task(pacer.wait(3, private=True))
    await asyncio.sleep(0.05)
    assert not third.done()  # the first send still counts: answered at 1000.5
    clock.now = 1001.49
    await asyncio.sleep(0.05)
    assert not third.done()  # a window counted from the sending instant would have let it go
    clock.now = 1001.5
    await asyncio.wait_for(third, 2)  # the timer fires; the window has moved past it


async def test_answers_go_before_bulk_and_a_waiting_bulk_send_can_be_cancelled() -> None:
    pacer = Pacer(per_second=2, margin=0.0)
    order: list[str] = []
    started = time.monotonic()
    await pacer.wait(1, private=True)

    async def bulk(chat: int) -> None:
        await pacer.wait(chat, private=True)
        order.append(f"bulk {chat}")

    async def answer() -> None:
        await pacer.wait_overall()
        order.append("answer")

    first = asyncio.create_task(bulk(2))
    dropped = asyncio.create_task(bulk(3))
    await asyncio.sleep(0.01)
    replied = asyncio.create_task(answer())  # asks last, while the others wait
    await asyncio.sleep(0.01)
    assert pacer.waiting == 3
    dropped.cancel()
    await asyncio.wait_for(asyncio.gather(first, replied), 3)
    assert order == ["answer", "bulk 2"]
    assert time.monotonic() - started >= 0.95  # bulk 2 was the third in the one-second window
    assert pacer.waiting == 0 and pacer.sent == 3


async def test_a_group_gets_at_most_its_per_minute_share_but_others_go_on() -> None:
    clock = _Clock()
    pacer = Pacer(group_per_minute=2, group_interval=1.0, margin=0.0, monotonic=clock)
    for _ in range(2):
        async with pacer.sending(-100, private=False):
            pass
        clock.now += 1.0
    third = asyncio.create_task(pacer.wait(-100, private=False))
    await asyncio.wait_for(pacer.wait(-200, private=False), 1)  # another group is not held
    clock.now += 0.1
    await asyncio.wait_for(pacer.wait(7, private=True), 1)  # nor is a person
    await asyncio.sleep(0.05)
    assert not third.done()  # 2 in the last minute already
    third.cancel()
    clock.now = 1000.0 + 60.0  # a minute after the first
    await asyncio.wait_for(pacer.wait(-100, private=False), 1)


async def test_an_album_counts_each_picture_in_the_group_minute() -> None:
    pacer = Pacer(per_second=1000, group_per_minute=20, group_interval=0.0, margin=0.0)
    for _ in range(2):  # two albums of ten fill the group's minute
        async with pacer.sending(-100, private=False, messages=10):
            pass
    assert pacer.sent == 20
    one_more = asyncio.create_task(pacer.wait(-100, private=False))
    await asyncio.sleep(0.05)
    assert not one_more.done()
    one_more.cancel()

    other = Pacer(per_second=1000, group_per_minute=20, group_interval=0.0, margin=0.0)
    for _ in range(15):
        await other.wait(-100, private=False)
    album = asyncio.create_task(_album(other, -100, 10))  # 15 + 10 > 20: it waits
    await asyncio.sleep(0.05)
    assert not album.done()
    album.cancel()
    await asyncio.wait_for(_album(other, -100, 5), 1)  # 15 + 5 fit


async def _album(pacer: Pacer, chat_id: int, pictures: int) -> None:
    async with pacer.sending(chat_id, private=False, messages=pictures):
        pass


async def test_the_rate_limiter_counts_every_message_in_the_one_pacer() -> None:
    clock = _Clock()
    pacer = Pacer(per_second=30, group_per_minute=1, margin=0.0, monotonic=clock)
    limiter = PacedLimiter(pacer)
    calls: list[tuple[str, object]] = []

    async def call(endpoint: str, chat: object, *, bulk: bool = False) -> object:
        async def callback() -> bool:
            calls.append((endpoint, chat))
            return True

        clock.now += 0.1  # (the fake clock moves only when told: past the overall spacing)
        data = {"chat_id": chat}
        if bulk:
            with in_bulk():
                return await limiter.process_request(callback, (), {}, endpoint, data, None)
        return await limiter.process_request(callback, (), {}, endpoint, data, None)

    await call("getUpdates", None)  # not a message: not counted
    await call("sendMessage", 5)  # an answer: counted, never waits
    await call("sendMessage", 5)
    clock.now += 0.1
    async with pacer.sending(6, private=True):  # the reminder sender: counted once, here
        await call("sendMessage", 6)
    await call("sendMessage", -100)  # a group: its turn (1 a minute here)
    assert pacer.sent == 4 and len(calls) == 5
    second = asyncio.create_task(call("sendMessage", -100))
    bulk = asyncio.create_task(call("sendMessage", 6, bulk=True))  # 1 s after the last to 6
    await asyncio.sleep(0.05)
    assert not second.done() and not bulk.done()
    clock.now += 1.0
    await asyncio.wait_for(bulk, 3)
    assert not second.done()  # the group still waits for its minute
    second.cancel()
    assert pacer.sent == 5
