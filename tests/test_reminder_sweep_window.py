"""An item far from its deadline comes into the sweep's window by the clock alone (nothing
written): the incremental sweep reads it on the day it does, as a whole sweep would — while
it no longer looks at every never-looked-at item of the window each time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import TravelClock
from tests.test_reminder_sweep_incremental import START, _engine, _outbox, _world


async def test_an_item_that_comes_into_the_window_is_read_that_day(tmp_path: Path) -> None:
    paths = tmp_path / "incremental.db", tmp_path / "whole.db"
    dbs = [await _world(p) for p in paths]
    clocks = [TravelClock(START), TravelClock(START)]
    incremental, whole = (_engine(db, clock) for db, clock in zip(dbs, clocks, strict=True))
    read: list[set[int]] = []
    for _ in range(24):  # three days in steps of three hours, nothing written
        whole._last = None
        await incremental.sweep_once()
        await whole.sweep_once()
        assert await _outbox(dbs[0]) == await _outbox(dbs[1])
        assert incremental._looked is not None
        read.append({item.id for item in incremental._looked.items})
        for clock in clocks:
            clock.advance(timedelta(hours=3))
    # Item 15 (deadline in 9 days) enters the 7-day window on the third day: read then.
    assert 15 not in read[0] and any(15 in ids for ids in read[1:])
    for db in dbs:
        await db.dispose()
