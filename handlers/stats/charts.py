"""Statistics charts as PNG bytes: completion per unit, cases per category (bars) and weekly
intake and closures (lines), with Chinese glyphs from the Noto Sans SC font (SIL Open Font
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
MAX_BARS = 30  # more would not be readable in a chat picture


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
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def bar_chart(title: str, bars: Sequence[Bar], *, axis_label: str, percent: bool) -> bytes:
    """Horizontal bars, the first bar on top; values in percent (0-100) or counts."""
    font = _font()
    shown = list(bars)[:MAX_BARS]
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
    return _png(figure)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    axis_label: str,
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
    return _png(figure)
