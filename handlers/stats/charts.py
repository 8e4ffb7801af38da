"""Statistics charts as PNG bytes: completion per unit, cases per category (bars) and weekly
intake and closures (lines), each saying the day it shows ("截至 2027年4月22日"). No bar is
ever dropped: more bars than one picture holds go on several pictures (`pages`). Chinese
glyphs from the Noto Sans SC font (SIL Open Font
License) that the `pylopdf-fonts-zh-cn` package ships.

matplotlib is imported only when a chart is drawn (it is slow to import), through its
object API and the Agg canvas (no pyplot, no global backend or rcParams): each text gets the
font explicitly. Rendering is CPU work: callers run it in a thread (`asyncio.to_thread`)."""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
DPI = 110
MAX_BARS = 30  # bars on one picture; more would not be readable in a chat picture


class FontMissingError(RuntimeError):
    """The CJK font package is not installed."""


@cache
def cjk_font_path() -> Path:
    """Where the bundled Noto Sans SC font is, found without importing its package."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        raise FontMissingError(f"the {FONT_PACKAGE} package is not installed")
    path = Path(next(iter(locations))) / FONT_FILE
    if not path.is_file():
        raise FontMissingError(f"{path} is missing")
    return path


def _font() -> Any:
    """The CJK font's properties, registered with matplotlib's font manager once."""
    from matplotlib import font_manager

    path = str(cjk_font_path())
    if all(entry.fname != path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # written at the end of the bar, e.g. "3/4"


def _figure(height_rows: int) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, max(3.0, 0.6 + 0.38 * height_rows)), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _png(figure: Any) -> bytes:
    figure.tight_layout(rect=(0, 0.04, 1, 1))  # the bottom strip keeps the as-of day
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def pages(bars: Sequence[Bar], size: int = MAX_BARS) -> list[tuple[Bar, ...]]:
    """The bars cut into pictures of at most `size`, in order: none is left out."""
    return [tuple(bars[i : i + size]) for i in range(0, len(bars), size)] or [()]


def bar_figure(
    title: str, bars: Sequence[Bar], *, axis_label: str, percent: bool, as_of: str
) -> Any:
    """The figure of `bar_chart` (tests read its labels): horizontal bars, the first on top,
    values in percent (0-100) or counts, `as_of` under the title."""
    font = _font()
    shown = list(bars)
    figure, ax = _figure(len(shown))
    positions = list(range(len(shown)))
    ax.barh(positions, [b.value for b in shown], color="#c0392b" if percent else "#2e6da4")
    ax.set_yticks(positions, [b.label for b in shown], fontproperties=font)
    ax.invert_yaxis()
    ax.set_title(title, fontproperties=font, fontsize=13)
    ax.set_xlabel(axis_label, fontproperties=font)
    top = 100.0 if percent else max([b.value for b in shown] + [1.0])
    ax.set_xlim(0, top * 1.15)
    for position, bar in zip(positions, shown, strict=True):
        ax.text(bar.value, position, f" {bar.note}", va="center", fontproperties=font)
    ax.grid(axis="x", alpha=0.3)
    _as_of(figure, as_of, font)
    return figure


def bar_chart(
    title: str, bars: Sequence[Bar], *, axis_label: str, percent: bool, as_of: str
) -> bytes:
    """One picture of bars (at most `MAX_BARS`: callers cut longer lists with `pages`)."""
    if len(bars) > MAX_BARS:
        raise ValueError(f"{len(bars)} bars do not fit on one picture; cut them with pages()")
    return _png(bar_figure(title, bars, axis_label=axis_label, percent=percent, as_of=as_of))


def _as_of(figure: Any, text: str, font: Any) -> None:
    """The day the chart shows, in the lower right corner."""
    figure.text(0.99, 0.005, text, ha="right", va="bottom", fontproperties=font, fontsize=9)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    axis_label: str,
    as_of: str,
) -> bytes:
    """One line per series over the labelled points (e.g. weeks)."""
    font = _font()
    figure, ax = _figure(8)
    positions = list(range(len(labels)))
    for (name, values), style in zip(series, ("o-", "s--", "^-."), strict=False):
        ax.plot(positions, list(values), style, label=name)
    step = max(1, len(labels) // 10)
    ax.set_xticks(positions[::step], list(labels)[::step], fontproperties=font, rotation=30)
    ax.set_title(title, fontproperties=font, fontsize=13)
    ax.set_ylabel(axis_label, fontproperties=font)
    ax.set_ylim(bottom=0)
    ax.legend(prop=font)
    ax.grid(alpha=0.3)
    _as_of(figure, as_of, font)
    return _png(figure)
