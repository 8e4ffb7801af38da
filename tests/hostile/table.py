"""Tables the hostile, authorisation and fault suites print at the end of the run.

A test records rows with `row(request, title, headers, cells)`; they travel in the test
report's `user_properties` (which pytest-xdist ships from its workers to the controller), and
the terminal-summary hook prints one table per title whatever `-r` option was given.
The two hooks are imported by tests/conftest.py so that the controller process has them.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pytest

KEY = "suite_table_row"
_rows: dict[str, list[tuple[str, ...]]] = defaultdict(list)
_headers: dict[str, tuple[str, ...]] = {}


def row(
    request: pytest.FixtureRequest, title: str, headers: Sequence[str], cells: Sequence[object]
) -> None:
    """Record one row of the table `title` for the end-of-run summary."""
    limit = 160 if len(cells) <= 2 else 80  # a figures line may be long; table cells not
    request.node.user_properties.append(
        (KEY, (title, tuple(headers), tuple(_cell(c, limit) for c in cells)))
    )


def _cell(value: object, limit: int) -> str:
    text = " ".join(str(value).split())
    text = "".join(c if unicodedata.category(c)[0] != "C" else "·" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == KEY:
            title, headers, cells = value
            _headers[title] = tuple(headers)
            _rows[title].append(tuple(cells))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for title in sorted(_rows):
        headers, rows = _headers[title], sorted(_rows[title])
        widths = [
            max(_width(h), *(_width(r[i]) for r in rows if i < len(r)))
            for i, h in enumerate(headers)
        ]
        terminalreporter.write_sep("=", f"{title} ({len(rows)} rows)")
        line = " | ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True))
        terminalreporter.write_line(line)
        terminalreporter.write_line("-+-".join("-" * w for w in widths))
        for r in rows:
            terminalreporter.write_line(
                " | ".join(_pad(c, w) for c, w in zip(r, widths, strict=False))
            )
