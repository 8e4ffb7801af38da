"""The xlsx export writes plain rows as XML itself: the sheets must be exactly what openpyxl's
own cells would have written (compared as canonical XML), tricky values included."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from xml.etree import ElementTree

from storage.stats.files import LEDGER_COLUMNS, Cell, _csv_text, _XlsxSink

ROWS: list[list[Cell]] = [
    [
        1,
        "城关一中",
        "纪律",
        "教师迟到<早退>&",
        "限期整改",
        date(2027, 3, 1),
        "王主任",
        None,
        "整改中",
    ],
    [2, "  前后有空格  ", "", "   ", "x", date(1900, 2, 1), "y", "进展", "已销号"],
    [3, "x", "\u4e2d\u6587", "line\nbreak", "tab\there", None, None, None, None],
    [4, "=1+1", "#N/A", '=HYPERLINK("http://x")', None, None, None, None, None],  # typed text
]


def _sheets(fast: bool) -> dict[str, bytes]:
    sink = _XlsxSink(LEDGER_COLUMNS, "整改台账")
    sink.new_sheet("整改台账", drop_unit=False)
    for values in ROWS:
        if fast:
            sink.write(list(values))
        else:
            assert sink._rows is not None
            sink._rows.send(("cells", sink._cells(list(values))))
    out = io.BytesIO()
    sink.book.save(out)
    book = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    return {
        name: ElementTree.canonicalize(book.read(name).decode()).encode()
        for name in book.namelist()
        if name.startswith("xl/")
    }


def test_plain_rows_are_written_exactly_as_openpyxl_writes_them() -> None:
    fast, reference = _sheets(fast=True), _sheets(fast=False)
    assert fast.keys() == reference.keys()
    for name in reference:
        assert fast[name] == reference[name], name
    sheet = reference["xl/worksheets/sheet1.xml"].decode()
    # What someone typed is text in the office's spreadsheet, never a formula or an error.
    assert "<f>" not in sheet and "=1+1" in sheet and "#N/A" in sheet


def test_csv_cells_that_a_spreadsheet_would_run_are_kept_as_text() -> None:
    assert _csv_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_text("+1") == "'+1" and _csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_text("迟到早退") == "迟到早退" and _csv_text(7) == "7"
