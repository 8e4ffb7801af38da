"""The at-least-once poller (bot/updates/polling.py): an update is confirmed to Telegram only once
it and every earlier one were handled; a process stopped mid-update leaves it with Telegram, and
the next poller gets it again. Against the Bot API simulator, whose getUpdates keeps every
update until an offset confirms it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.updates import polling, transport
from bot.updates.polling import Watermark
from bot.updates.processor import PerUserOrderedProcessor
from simulator import BotApiSimulator

TOKEN = "123456:TEST-polling"
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def test_the_offset_confirms_only_the_finished_prefix() -> None:
    marks = Watermark()
    assert marks.offset is None  # nothing fetched: no offset
    assert marks.fresh([5, 6, 7]) == [5, 6, 7]
    assert marks.offset == 5
    marks.finish(6)
    assert marks.offset == 5  # 5 still running: 6 is done but not confirmed
    assert marks.fresh([5, 6, 7, 8]) == [8]  # Telegram sends the unconfirmed ones again
    marks.finish(5)
    assert marks.offset == 7
    marks.finish(8)
    marks.finish(7)
    assert marks.offset == 9  # all done: one past the highest
    assert marks.fresh([3, 9], now=100.0) == [9]  # an old id is never taken twice
    assert marks.fresh([10], now=200.0) == [10]
    assert marks.offset == 9
    assert marks.release_taken_before(150.0) == [9]  # hung too long: no longer holds it
    assert marks.offset == 10


def test_the_pause_between_asks_grows_with_the_updates_in_flight() -> None:
    # Each answer repeats every update in flight: few in flight, ask often; many, less often.
    assert polling.gap(1) == polling.MIN_GAP
    assert polling.MIN_GAP < polling.gap(60) < polling.MAX_GAP
    assert polling.gap(100) == polling.gap(500) == polling.MAX_GAP


class Handled:
    """What the handler saw, and a gate the word "slow" waits at."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.gate = asyncio.Event()

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        if text.startswith("slow"):
            await self.gate.wait()
        self.texts.append(text)


@asynccontextmanager
async def polling_app(sim: BotApiSimulator, seen: Handled) -> AsyncIterator[AnyApp]:
    app: AnyApp = (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.base_url)
        .base_file_url(sim.base_file_url)
        .concurrent_updates(PerUserOrderedProcessor(8))
        .get_updates_request(transport.updates_request())  # drops the re-sent ones unparsed
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, seen))
    await app.initialize()
    await app.start()
    poller = await polling.install(app)
    assert app.updater is poller
    await poller.start_polling(timeout=1)
    try:
        yield app
    finally:
        if poller.running:
            await poller.stop()
        await app.stop()
        await app.shutdown()


def pending(sim: BotApiSimulator) -> list[int]:
    return [int(u["update_id"]) for u in sim.state.updates.pending]


async def until(condition: Any, within: float = 5.0) -> None:
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def test_an_update_is_confirmed_only_once_it_and_all_before_it_are_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(polling, "STOP_SECONDS", 0.3)
    async with BotApiSimulator(token=TOKEN, bot_username="poll_bot") as sim:
        ann, bob = sim.add_user("Ann"), sim.add_user("Bob")
        first = Handled()
        async with polling_app(sim, first) as app:
            await sim.send_text(ann, "slow 1")
            await sim.send_text(ann, "after slow")  # Ann's next waits for her first
            await sim.send_text(bob, "bob 1")  # Bob is not held up by Ann
            await until(lambda: first.texts == ["bob 1"])
            await asyncio.sleep(0.3)  # the poller asks again meanwhile
            assert pending(sim) == [1, 2, 3]  # nothing confirmed: update 1 still runs
            poller = app.updater
            assert isinstance(poller, polling.AtLeastOncePoller)
            assert poller.redelivered > 0  # Telegram sent them again; they were dropped
            # Stopping while update 1 hangs: it stays with Telegram, and so do those after.
        assert first.texts == ["bob 1"]
        assert pending(sim) == [1, 2, 3]

        second = Handled()  # the next process
        second.gate.set()
        async with polling_app(sim, second):
            await until(lambda: len(second.texts) == 3)
            assert second.texts.index("slow 1") < second.texts.index("after slow")
            await until(lambda: pending(sim) == [])  # handled, then confirmed
        assert sim.violations == []


async def test_a_failing_get_updates_is_retried_after_a_pause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="poll_bot") as sim:
        ann = sim.add_user("Ann")
        seen = Handled()
        async with polling_app(sim, seen):
            await until(lambda: sim.stats.calls_by_method.get("getUpdates", 0) >= 1)
            sim.faults.fail_next("getUpdates", status=502, count=1)
            await sim.send_text(ann, "hello")  # ends the long poll; the next ask fails
            await until(lambda: seen.texts == ["hello"], within=5)
            await until(lambda: pending(sim) == [])
        assert "getUpdates failed" in caplog.text and "asking again in 1.0 s" in caplog.text
