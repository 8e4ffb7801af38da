"""The xlsx sheet as the office gets it: whatever someone typed stays text (never a formula,
a number, an error code or a link), control characters cannot break the file, dates and
instants are date cells, and every sheet is set up to print (title row, filter over the
header, header repeated on each page, A4 landscape fitted to the page's width, wrapped text)."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook  # type: ignore[import-untyped]

from storage.stats.files import LEDGER_COLUMNS, Cell, Heading, _csv_text, write_table

TYPED: list[Cell] = [
    1,
    "=1+1",
    "+SUM(A1)",
    "-3",
    "@cmd",
    '=HYPERLINK("http://x","点我")',
    "#N/A",
    "http://example.com",
    "  前后有空格  ",
    "教师迟到<早退>&",
    "a\x01b",
    date(2027, 3, 1),
    "0012",
    "第1版",
    datetime(2027, 4, 3, 10, 20),
]


async def _book(rows: list[list[Cell]], heading: Heading | None) -> object:
    out = io.BytesIO()
    count = await write_table(
        out, fmt="xlsx", title="整改台账", columns=LEDGER_COLUMNS, rows=rows, heading=heading
    )
    assert count == len(rows)
    return load_workbook(io.BytesIO(out.getvalue()))


async def test_typed_text_is_never_a_formula_or_a_number() -> None:
    book = await _book([TYPED], None)
    sheet = book.worksheets[0]  # type: ignore[attr-defined]
    cells = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    texts = [c for c in cells if isinstance(c.value, str)]
    assert len(texts) == 12 and all(c.data_type == "s" for c in texts)
    values = [c.value for c in cells]
    assert values[1:9] == TYPED[1:9]
    assert values[12] == "0012"  # not the number 12
    assert "\x01" not in values[10]  # escaped by the writer: the file still opens
    assert cells[11].is_date and cells[11].number_format == "yyyy-mm-dd"
    assert values[14] == datetime(2027, 4, 3, 10, 20)
    assert cells[14].number_format == "yyyy-mm-dd hh:mm"
    assert not any(c.hyperlink for c in cells)


async def test_each_sheet_is_ready_to_print_and_filter() -> None:
    rows: list[list[Cell]] = [[n, f"问题描述 {n}"] for n in range(1, 4)]
    book = await _book(rows, Heading("教文广新体系统干部作风整顿", date(2027, 4, 22)))
    sheet = book.worksheets[0]  # type: ignore[attr-defined]
    assert sheet["A1"].value == "教文广新体系统干部作风整顿 整改台账（截至2027年4月22日）"
    assert sheet["A2"].value == "序号" and sheet["O2"].value == "签字时间"
    assert sheet.auto_filter.ref == "A2:O5"
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$2:$2"  # the header on every page
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (1 is the file format's default, left out), as many pages down as needed
    assert setup.fitToWidth in (None, 1) and int(setup.fitToHeight) == 0
    assert sheet["B3"].alignment.wrap_text and sheet["B3"].alignment.vertical == "top"
    assert "第 &P 页" in sheet.oddFooter.center.text


def test_csv_cells_that_a_spreadsheet_would_run_are_kept_as_text() -> None:
    assert _csv_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_text("+1") == "'+1" and _csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_text("-1") == "'-1"
    assert _csv_text("迟到早退") == "迟到早退" and _csv_text(7) == "7"
    assert _csv_text(datetime(2027, 4, 3, 10, 20)) == "2027-04-03 10:20"


async def test_dates_and_instants_read_back_as_written() -> None:
    """Date cells are written as Excel serial numbers: the same days and wall times come
    back on either side of 1 March 1900 (Excel's leap-year bug), repeated days included."""
    days: list[Cell] = [
        date(1900, 2, 27),
        date(1900, 3, 1),
        date(2027, 3, 1),
        date(2027, 3, 1),
        datetime(1900, 2, 28, 12, 0),
        datetime(2027, 4, 3, 10, 20, 30),
    ]
    book = await _book([[1, *days]], None)
    sheet = book.worksheets[0]  # type: ignore[attr-defined]
    cells = next(iter(sheet.iter_rows(min_row=2, max_row=2)))[1 : 1 + len(days)]
    assert [c.is_date for c in cells] == [True] * len(days)
    back = [
        c.value.date() if isinstance(d, date) and not isinstance(d, datetime) else c.value
        for c, d in zip(cells, days, strict=True)
    ]
    assert back == days
