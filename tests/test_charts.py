"""Charts render Chinese: the bundled font has the glyphs, matplotlib warns of no missing
glyph, and the result is a PNG; with 120 units every unit is drawn, the worst first, and each
picture says the day it shows."""

from __future__ import annotations

import tomllib
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from matplotlib import ft2font

from bot.app import settings_from
from bot.config import config_from_dict
from domain.stats import ItemFact
from handlers.i18n import Catalogs
from handlers.stats.charts import Bar, bar_chart, bar_figure, cjk_font_path, line_chart, pages
from handlers.stats.texts import completion_data
from storage.stats.facts import Facts, UnitName

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"

PNG = b"\x89PNG\r\n\x1a\n"
LABELS = "整改完成率城关第一中学每周受理办结弱松庸慢散懒推奢销号"


def test_the_bundled_font_has_the_chinese_glyphs() -> None:
    font = ft2font.FT2Font(str(cjk_font_path()))
    missing = [c for c in LABELS if font.get_char_index(ord(c)) == 0]
    assert missing == []
    assert font.family_name == "Noto Sans SC"


def test_charts_render_chinese_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bars = bar_chart(
            "各单位整改完成情况",
            [Bar("城关第一中学", 66.7, "2/3"), Bar("城关第二小学", 0, "0/1")],
            axis_label="已销号比例（%）",
            percent=True,
            as_of="截至 2027年4月22日",
        )
        lines = line_chart(
            "每周受理与办结件数",
            ["03-01", "03-08"],
            [("受理", [2, 1]), ("办结", [0, 1])],
            axis_label="件数",
            as_of="截至 2027年4月22日",
        )
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert [w for w in caught if issubclass(w.category, UserWarning)] == []
    assert bars.startswith(PNG) and lines.startswith(PNG)
    assert len(bars) > 5000


def _many_units(count: int) -> Facts:
    """`count` schools with 4 items each; school 77 has all 4 overdue (the worst), the others
    1 to 4 verified on time."""
    items = []
    for unit in range(1, count + 1):
        verified = 0 if unit == 77 else 1 + unit % 4
        for n in range(4):
            done = n < verified
            items.append(
                ItemFact(
                    unit_id=unit,
                    category_key="slow",
                    status="verified" if done else "open",
                    deadline=date(2027, 4, 1),
                    created_at=datetime(2027, 3, 1, tzinfo=UTC),
                    verified_at=datetime(2027, 3, 20, tzinfo=UTC) if done else None,
                )
            )
    names = {u: UnitName(u, f"S{u:03d}", f"第{u}学校") for u in range(1, count + 1)}
    return Facts(cases=(), items=tuple(items), units=names)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_chart_of_120_units_shows_every_unit_worst_first_with_the_day(language: str) -> None:
    config = config_from_dict(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")), env={})
    settings = settings_from(config)
    t = Catalogs(timezone=settings.timezone).get(language)
    data = completion_data(t, settings, _many_units(120), date(2027, 4, 22))
    assert len(data.bars) == 120
    assert data.bars[0].label == "第77学校"  # the worst: everything overdue
    assert data.as_of == ("截至 2027年4月22日" if language == "zh_CN" else "As of April 22, 2027")
    pictures = pages(data.bars)
    assert [len(p) for p in pictures] == [30, 30, 30, 30]
    drawn: list[str] = []
    for page in pictures:
        figure = bar_figure(data.title, page, axis_label=data.axis, percent=True, as_of=data.as_of)
        [ax] = figure.axes
        drawn += [label.get_text() for label in ax.get_yticklabels()]
        assert data.as_of in [text.get_text() for text in figure.texts]
    assert drawn[0] == "第77学校"
    assert sorted(drawn) == sorted(f"第{u}学校" for u in range(1, 121))  # none hidden
    with pytest.raises(ValueError, match="pages"):
        bar_chart(data.title, data.bars, axis_label=data.axis, percent=True, as_of=data.as_of)
