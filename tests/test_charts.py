"""Charts render Chinese: the bundled font has the glyphs, matplotlib warns of no missing
glyph, and the result is a PNG."""

from __future__ import annotations

import warnings

from matplotlib import ft2font

from handlers.stats.charts import Bar, bar_chart, cjk_font_path, line_chart

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
