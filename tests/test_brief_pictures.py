"""The weekly brief hides no unit: with 120 units every one is drawn on some picture (the
worst first, the best last), the pictures say "(n/4)", and the sender cuts them into albums
Telegram takes (2-10 pictures each, never one left alone)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.sender import ALBUM, albums
from domain.brief import UnitProgress, laggards_first
from handlers.i18n import Catalogs
from handlers.stats import charts
from handlers.stats.brief import brief_pictures, brief_text

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
