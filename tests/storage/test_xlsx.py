"""The streaming xlsx writer (`storage.stats.xlsx`): every part well-formed and declared,
texts that come back exactly as typed (never a formula), sheet names Excel accepts and the
references to them, no time or author in the file."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from storage.stats import xlsx
from storage.stats.xlsx import Book, Cell


def _written(sheets: list[tuple[str, list[list[Cell]]]], title: str = "") -> bytes:
    out = io.BytesIO()
    book = Book(out)
    for name, rows in sheets:
        book.sheet(name, [("甲", 10), ("乙", 20), ("丙", 12)], title)
        for row in rows:
            book.row(row)
    book.close()
    return out.getvalue()


def _as_excel_shows(value: str) -> str:
    """A text as a spreadsheet shows it: the file format's `_xHHHH_` escapes decoded (ECMA-376
    ST_Xstring), which Excel and LibreOffice do and openpyxl leaves to its caller."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def test_every_part_is_well_formed_declared_and_undated() -> None:
    data = _written([("台账", [[1, "a", date(2027, 4, 1)]]), ("124", [["x", None, None]])], "t")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        for entry in package.infolist():
            assert entry.date_time == (1980, 1, 1, 0, 0, 0)  # no time of making
            ElementTree.fromstring(package.read(entry))  # well-formed
        types = ElementTree.fromstring(package.read("[Content_Types].xml"))
        declared = {e.get("PartName") for e in types if e.get("PartName")}
    assert declared == {f"/{n}" for n in names if n.endswith(".xml") and "[" not in n}
    assert not any(n.startswith("docProps") for n in names)  # no author, no dates


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("http://x","点我")',
        "+1",
        "0012",
        "1e5",
        "http://example.org",
        "a<b & c>d",
        "_x0041_ stays as typed",
        "控制\x01字符\x1f与回车\r",
        "  leading and trailing  ",
        "换行\n第二行\t制表",
        "😀 astral",
        "\ufffe",
    ],
)
def test_a_text_comes_back_as_typed_and_never_as_a_formula(typed: str) -> None:
    book = load_workbook(io.BytesIO(_written([("s", [[typed, 1, None]])])))
    cell = book["s"]["A2"]
    assert cell.data_type == "s" and _as_excel_shows(cell.value) == typed


def test_a_long_text_is_cut_at_excels_limit_in_utf16_units() -> None:
    long = "字" * (xlsx.MAX_TEXT - 1) + "😀" + "尾"  # the pair would cross the limit
    kept = xlsx.text_xml(long)
    assert kept == f"<t>{'字' * (xlsx.MAX_TEXT - 1)}</t>"
    exact = "😀" * (xlsx.MAX_TEXT // 2) + "a"
    assert xlsx.text_xml(exact) == f"<t>{exact}</t>"
    assert xlsx.text_xml("x" * 40_000) == f"<t>{'x' * xlsx.MAX_TEXT}</t>"


def test_sheet_names_are_made_valid_unique_and_referred_to_correctly() -> None:
    rows: list[list[Cell]] = [[1, "a", None], [2, "b", None]]
    data = _written(
        [("O'Brien's [unit]: a/b?", rows), ("o'brien's [UNIT]: A/B?", rows), ("'", rows)],
        "标题",
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["O'Brien's _unit__ a_b_", "o'brien's _UNIT__ A_B_ (2)", "Sheet"]
    for sheet in book.worksheets:
        assert sheet.print_title_rows == "$2:$2"
        assert sheet.auto_filter.ref == "A2:C4"
        assert sheet["B4"].value == "b"
    long = "单" * 40
    assert xlsx.sheet_name(long) == "单" * 31


def test_cells_of_each_kind_and_the_empty_book() -> None:
    at = datetime(2027, 4, 3, 10, 20, 30)
    data = _written([("s", [[7, True, date(2027, 4, 1)], [None, "", at]])])
    sheet = load_workbook(io.BytesIO(data))["s"]
    assert sheet["A2"].value == 7 and sheet["B2"].value == 1
    assert sheet["C2"].value == datetime(2027, 4, 1) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["A3"].value is None and sheet["B3"].value is None
    assert sheet["A3"].border.left.style == "thin"  # an empty cell keeps the table's grid
    assert sheet["C3"].value == at and sheet["C3"].number_format == "yyyy-mm-dd hh:mm"
    out = io.BytesIO()
    with pytest.raises(TypeError):
        book = Book(out)
        book.sheet("s", [("a", 5)])
        book.row([1.5])  # type: ignore[list-item]
    empty = io.BytesIO()
    Book(empty).close()
    assert load_workbook(empty).sheetnames == ["Sheet1"]


def test_a_sheet_refuses_more_rows_than_excel_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    book = Book(io.BytesIO())
    book.sheet("s", [("a", 5)])  # the header is row 1
    book.row([1])
    book.row([2])
    with pytest.raises(ValueError, match="rows"):
        book.row([3])


def test_column_letters_past_z() -> None:
    assert [xlsx.column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip
