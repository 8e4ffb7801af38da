"""The weekly brief hides no unit: with 120 units every one is drawn on some picture (the
worst first, the best last), the pictures say "(n/4)", and the sender cuts them into albums
Telegram takes (2-10 pictures each, never one left alone), the caption on the first."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.error import RetryAfter

from bot.clock import TravelClock
from bot.reminders.sender import ALBUM, Outgoing, Pacer, Sender, albums
from domain.brief import UnitProgress, laggards_first
from domain.reminders.digest import Pending
from handlers.i18n import Catalogs
from handlers.stats import charts
from handlers.stats.brief import brief_pictures, brief_text
from storage.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n"


def _payload(count: int) -> dict[str, object]:
    """`count` schools: 第1学校 has everything overdue (the worst), 第2学校 everything verified
    (the best), the others part of the way."""
    rows = [UnitProgress("第1学校", 4, 0, 4), UnitProgress("第2学校", 4, 4, 0)]
    rows += [UnitProgress(f"第{n}学校", 4, 1 + n % 3, 0) for n in range(3, count + 1)]
    return {
        "first": "2027-04-12",
        "last": "2027-04-18",
        "today": "2027-04-19",
        "units": [[r.name, r.total, r.verified, r.overdue] for r in laggards_first(rows)],
    }


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_brief_of_120_units_draws_every_unit_worst_first(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[tuple[str, list[str]]] = []
    real = charts.bar_chart

    def recording(title: str, bars: Any, **kwargs: Any) -> bytes:
        drawn.append((title, [b.label for b in bars]))
        return real(title, bars, **kwargs)

    monkeypatch.setattr(charts, "bar_chart", recording)
    t = Catalogs(timezone=SHANGHAI).get(language)
    pictures = brief_pictures(t, _payload(120))
    assert len(pictures) == 4 and all(p.startswith(PNG) for p in pictures)
    labels = [label for _, page in drawn for label in page]
    assert len(labels) == 120 and sorted(labels) == sorted(f"第{n}学校" for n in range(1, 121))
    assert labels[0] == "第1学校" and labels[-1] == "第2学校"  # the worst and the best
    pages = [f"{n}/4" for n in range(1, 5)]
    assert [title[-4:-1] for title, _ in drawn] == pages  # "（1/4）" in Chinese, "(1/4)" in English
    day = "2027年4月18日" if language == "zh_CN" else "April 18, 2027"
    assert all(day in title for title, _ in drawn)
    text = brief_text(t, _payload(120))
    more = (
        "……另有 112 个单位见 4 张图" if language == "zh_CN" else "… and 112 more in the 4 pictures"
    )
    assert more in text and len(text) <= 1024


def test_a_small_brief_is_one_picture() -> None:
    t = Catalogs(timezone=SHANGHAI).get("zh_CN")
    assert len(brief_pictures(t, _payload(30))) == 1
    assert "……另有 22 个单位见图" in brief_text(t, _payload(30))
    assert len(brief_pictures(t, {**_payload(0), "units": []})) == 1  # an empty chart


def test_albums_keep_every_picture_in_sends_telegram_takes() -> None:
    assert albums([]) == []
    assert albums([b"a"]) == [(b"a",)]
    assert [len(a) for a in albums([b"p"] * 4)] == [4]
    assert [len(a) for a in albums([b"p"] * 11)] == [6, 5]
    for count in range(1, 301):
        pictures = [bytes([n % 256, n // 256]) for n in range(count)]
        parts = albums(pictures)
        assert [p for part in parts for p in part] == pictures  # in order, none left out
        assert len(parts) == -(-count // ALBUM)
        assert all(len(part) <= ALBUM for part in parts)
        assert count == 1 or all(len(part) >= 2 for part in parts)


async def test_the_sender_sends_21_pictures_as_three_albums_resuming_after_a_429(
    db: Database,
) -> None:
    calls: list[tuple[int, str]] = []
    refused = [True]

    async def send_pictures(chat_id: int, pictures: Sequence[bytes], caption: str) -> int:
        if len(calls) == 1 and refused[0]:  # the second album waits once
            refused[0] = False
            with warnings.catch_warnings():  # PTB 22.2+ warns on the int it reads back
                warnings.simplefilter("ignore")
                error = RetryAfter(0)
            raise error
        calls.append((len(pictures), caption))
        return 100 + len(calls)

    async def send_text(chat_id: int, text: str, markup: object) -> int:
        raise AssertionError("a brief with pictures is not sent as text")

    sender = Sender(
        db=db,
        clock=TravelClock(datetime(2027, 4, 19, 1, 0, tzinfo=UTC)),
        send=send_text,
        pacer=Pacer(group_interval=0.0, group_per_minute=60),  # a refused album counts too
        max_attempts=3,
        send_pictures=send_pictures,
    )
    row = Pending(
        1, "weekly_brief", "brief", "staff", "2027-W16", datetime(2027, 4, 19, tzinfo=UTC)
    )
    message = Outgoing(
        rows=(row,),
        chat_id=-100,
        text="一周简报",
        markup=None,
        private=False,
        photos=tuple(bytes([n]) for n in range(21)),
    )
    outcome = await sender.deliver([message])
    assert outcome.sent == 1 and outcome.retrying == 0
    assert calls == [(7, "一周简报"), (7, ""), (7, "")]  # the first album not sent again
