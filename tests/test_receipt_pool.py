"""The receipts' fair pool: a sender's checks queue behind their own, senders take turns, and
no more checks run at once than the pool has workers."""

from __future__ import annotations

import asyncio
import threading

from handlers.hotline.throttle import FairPool


async def test_senders_take_turns_and_one_check_runs_at_a_time() -> None:
    pool = FairPool(1)
    ran: list[str] = []
    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def check(name: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        with lock:
            ran.append(name)
            running -= 1
        return name.lower()

    flood = [asyncio.create_task(pool.run("A", check, f"A{i}")) for i in range(1, 5)]
    await asyncio.sleep(0.05)  # A1 is running; A2..A4 wait
    owner = asyncio.create_task(pool.run("B", check, "B1"))
    await asyncio.sleep(0.05)
    assert pool.waiting() == 4
    release.set()
    assert await owner == "b1"
    assert [await t for t in flood] == ["a1", "a2", "a3", "a4"]
    # B waited for the check running and the one queued before it came, not for A's flood.
    assert ran == ["A1", "A2", "B1", "A3", "A4"]
    assert most == 1


async def test_a_failing_check_reaches_its_caller_and_the_queue_goes_on() -> None:
    pool = FairPool(1)

    def boom() -> None:
        raise ValueError("bad hash")

    failing = asyncio.create_task(pool.run("A", boom))
    fine = asyncio.create_task(pool.run("B", str.upper, "ok"))
    try:
        await failing
    except ValueError as error:
        assert str(error) == "bad hash"
    else:
        raise AssertionError("the error was swallowed")
    assert await fine == "OK"
