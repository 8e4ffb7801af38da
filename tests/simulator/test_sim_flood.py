"""The flood limiter and fault rules, on an injected clock (no sleeping)."""

from __future__ import annotations

import pytest

from simulator import Faults, FloodControl


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_off_by_default() -> None:
    flood = FloodControl(FakeClock())
    assert all(flood.check(1, private=True) is None for _ in range(100))


def test_private_burst_then_sliding_window() -> None:
    clock = FakeClock()
    flood = FloodControl(clock)
    flood.configure(True, private_per_second=1.0, private_burst=3)
    assert [flood.check(7, private=True) for _ in range(3)] == [None, None, None]
    assert flood.check(7, private=True) == 3
    clock.now += 2.2
    assert flood.check(7, private=True) == 1, "0.8 s left rounds up to 1"
    clock.now += 0.8
    assert flood.check(7, private=True) is None, "the window is strict: t0 + 3 s frees a slot"
    assert flood.check(8, private=True) is None, "other chats have their own window"
    assert flood.refusals == {7: 2}


def test_group_per_minute() -> None:
    clock = FakeClock()
    flood = FloodControl(clock)
    flood.configure(True, group_per_minute=20)
    for _ in range(20):
        assert flood.check(-5, private=False) is None
        clock.now += 1.0
    assert flood.check(-5, private=False) == 40
    clock.now += 40.0
    assert flood.check(-5, private=False) is None


def test_an_album_counts_each_picture_in_a_group_and_once_in_a_private_chat() -> None:
    clock = FakeClock()
    flood = FloodControl(clock)
    flood.configure(True, group_per_minute=20, private_burst=3)
    assert flood.check(-5, private=False, messages=10) is None
    assert flood.check(-5, private=False, messages=10) is None
    assert flood.check(-5, private=False) == 60, "20 pictures fill the group's minute"
    assert flood.check(7, private=True, messages=10) is None, "one burst in a private chat"
    assert flood.check(8, private=True) == 1, "30 pictures fill the overall second"
    clock.now += 1.0
    assert [flood.check(7, private=True) for _ in range(3)] == [None, None, 2]


def test_global_per_second() -> None:
    clock = FakeClock()
    flood = FloodControl(clock)
    flood.configure(True, global_per_second=30, private_burst=100, private_per_second=100)
    for chat in range(30):
        assert flood.check(chat, private=True) is None
    assert flood.check(99, private=True) == 1
    clock.now += 1.0
    assert flood.check(99, private=True) is None


def test_configure_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        FloodControl().configure(True, private_per_second=0)


def test_faults_are_consumed_in_order() -> None:
    faults = Faults()
    faults.fail_next("sendMessage", count=2)
    faults.delay_next("*", 1.5)
    assert faults.take_failure("getUpdates") is None
    assert faults.take_delay("getUpdates") == 0.0, "'*' spares getUpdates"
    assert faults.take_failure("SENDMESSAGE") == 500
    assert faults.take_failure("sendMessage") == 500
    assert faults.take_failure("sendMessage") is None
    assert faults.take_delay("editMessageText") == 1.5
    assert faults.pending == 0
    with pytest.raises(ValueError):
        faults.fail_next("sendMessage", status=404)
