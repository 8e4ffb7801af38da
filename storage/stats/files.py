"""Writing the exports to a file: xlsx (openpyxl's write-only mode: rows go to disk as they
come, memory stays flat) or CSV (UTF-8 with a BOM, so Excel opens Chinese correctly).

The file is the bureau office's document, so its column headers are the office's Chinese
ones; the caller passes how codes read (category names, status names) as `Labels`. Dates are
real dates (xlsx date cells formatted yyyy-mm-dd); instants are cut to the campaign's local
day, never a time of day."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo

from openpyxl import LXML, Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import (  # type: ignore[import-untyped]
    ERROR_CODES,
    ILLEGAL_CHARACTERS_RE,
)
from openpyxl.compat import safe_string  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.datetime import to_excel  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import IllegalCharacterError  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.xml.functions import XML_NS, SubElement  # type: ignore[import-untyped]
from openpyxl.xml.functions import Element as XmlElement

from storage.stats.exports import AccountabilityRow, CaseRow, LedgerRow

Format = Literal["xlsx", "csv"]
DATE_FORMAT = "yyyy-mm-dd"
SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})

# (header, width in characters); 单位 is left out of a sheet per unit.
LEDGER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("单位", 18),
    ("问题类别", 10),
    ("问题描述", 40),
    ("整改措施", 36),
    ("整改时限", 12),
    ("责任人", 10),
    ("整改进展", 36),
    ("状态", 10),
    ("销号时间", 12),
    ("来源", 12),
)
CASE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("编号", 14),
    ("类型", 10),
    ("类别", 10),
    ("单位", 18),
    ("状态", 10),
    ("受理日期", 12),
    ("答复日期", 12),
    ("办结日期", 12),
    ("问题描述", 40),
    ("办结情况", 36),
    ("来源渠道", 10),
    ("承办人", 10),
    ("按时签收", 8),
    ("按时答复", 8),
    ("核查结论", 10),
    ("问责情况", 30),
    ("满意度", 10),
    ("重办次数", 8),
)
ACCOUNTABILITY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("案件编号", 14),
    ("类型", 10),
    ("涉及单位", 18),
    ("核查结论", 10),
    ("处理方式", 16),
    ("被问责人", 12),
    ("被问责单位", 18),
    ("决定日期", 12),
    ("办结日期", 12),
)
UNIT_COLUMN = "单位"


@dataclass(frozen=True)
class Labels:
    """How stored codes read in the file."""

    category: Callable[[str], str]
    ledger_status: Callable[[str], str]
    case_status: Callable[[str], str]
    case_kind: Callable[[str], str]
    self_inspection: str  # the 来源 of an item that did not come from a case
    tz: ZoneInfo
    channel: Callable[[str], str] = str
    finding: Callable[[str], str] = str
    handling: Callable[[str], str] = str
    rating: Callable[[str], str] = str
    # (acknowledged in time, answered in time) of a case row: "是" / "否" / "" (not due yet)
    in_time: Callable[[CaseRow], tuple[str, str]] = lambda _row: ("", "")


Cell = str | int | date | None
# (sheet title, (header, width) columns, rows) of a sheet added after the main one
ExtraSheet = tuple[str, Sequence[tuple[str, int]], Sequence[Sequence[Cell]]]


def ledger_values(row: LedgerRow, labels: Labels) -> list[Cell]:
    """One ledger line; 序号 is the item's number within its unit, as the bot shows it."""
    verified = row.verified_at.astimezone(labels.tz).date() if row.verified_at else None
    return [
        row.seq,
        row.unit_name,
        labels.category(row.category_key),
        row.description,
        row.measure,
        row.deadline,
        row.responsible,
        row.progress,
        labels.ledger_status(row.status),
        verified,
        row.source_number or labels.self_inspection,
    ]


def case_values(row: CaseRow, number: int, labels: Labels) -> list[Cell]:
    return [
        number,
        row.number,
        labels.case_kind(row.kind),
        labels.category(row.category_key),
        row.unit_name,
        labels.case_status(row.status),
        row.opened_on,
        row.answered_on,
        row.closed_on,
        row.description,
        row.closing_summary,
        labels.channel(row.channel),
        row.owner,
        *labels.in_time(row),
        labels.finding(row.finding) if row.finding else None,
        "；".join(f"{labels.handling(key)}：{who}" for key, who in row.accountability) or None,
        labels.rating(row.rating) if row.rating else None,
        row.rehandled,
    ]


def accountability_values(row: AccountabilityRow, number: int, labels: Labels) -> list[Cell]:
    return [
        number,
        row.number,
        labels.case_kind(row.kind),
        row.case_unit,
        labels.finding(row.finding) if row.finding else None,
        labels.handling(row.handling_key),
        row.person,
        row.unit,
        row.decided_on,
        row.closed_on,
    ]


def sheet_title(code: str, name: str) -> str:
    """A valid Excel sheet name: the unit's code and as much of its name as fits."""
    return f"{code} {name}".translate(_SHEET_FORBIDDEN)[:SHEET_TITLE_MAX]


class _XlsxSink:
    """One workbook in openpyxl's write-only mode. The header goes through openpyxl's cells;
    plain rows (text, whole numbers, dates) are turned into the sheet's XML directly — the
    same elements openpyxl would write, without building a cell object per value (about 5x
    faster); a row with anything else (a text openpyxl would read as a formula or an error
    code) goes through openpyxl's cells as before."""

    def __init__(self, columns: Sequence[tuple[str, int]], title: str) -> None:
        self.book = Workbook(write_only=True)
        self.columns = columns
        self.title = title
        self.sheet: WriteOnlyWorksheet | None = None
        self._rows: Generator[None, tuple[str, Any], None] | None = None
        self._date_style: str | None = None  # registered at the first date, as openpyxl does

    def new_sheet(self, title: str, drop_unit: bool) -> None:
        sheet: Any = self.book.create_sheet(title=title)
        columns = [c for c in self.columns if not (drop_unit and c[0] == UNIT_COLUMN)]
        for index, (_, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name, _ in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        sheet._get_writer()
        self._rows = sheet._rows = self._stream(sheet)  # sheet.close() ends it
        next(self._rows)
        self._rows.send(("cells", header))
        self.sheet = sheet

    def write(self, values: list[Cell]) -> None:
        assert self.sheet is not None and self._rows is not None
        self._rows.send(("values", values))

    def _cells(self, values: list[Cell]) -> list[Any]:
        cells: list[Any] = []
        for value in values:
            if isinstance(value, date):
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            elif isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
                text = WriteOnlyCell(self.sheet, value=value)
                text.data_type = "s"  # typed text, never a formula (openpyxl guesses one)
                cells.append(text)
            else:
                cells.append(value)
        return cells

    def _stream(self, sheet: Any) -> Generator[None, tuple[str, Any], None]:
        """openpyxl's `WriteOnlyWorksheet._write_rows`, taking ready row elements too."""
        xf = sheet._writer.xf.send(True)
        with xf.element("sheetData"):
            index = 1
            try:
                while True:
                    kind, row = yield
                    element = self._row_element(row, index) if kind == "values" else None
                    if element is not None:
                        xf.write(element)
                    else:
                        cells = row if kind == "cells" else self._cells(row)
                        sheet._writer.write_row(xf, sheet._values_to_row(cells, index), index)
                    index += 1
            except GeneratorExit:
                pass
        sheet._writer.xf.send(None)

    def _row_element(self, values: list[Cell], index: int) -> Any:
        """The `<row>` openpyxl writes for these values, or None where it would differ."""
        row = XmlElement("row", {"r": str(index)})
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            ref = f"{get_column_letter(column)}{index}"
            if isinstance(value, str):
                text = value[:32767]
                # Always a string, whatever it starts with: text someone typed ("=HYPERLINK(…",
                # "#N/A") is never a formula or an error code in an office's spreadsheet.
                if ILLEGAL_CHARACTERS_RE.search(text):
                    raise IllegalCharacterError(f"{text} cannot be used in worksheets.")
                cell = SubElement(row, "c", {"r": ref, "t": "inlineStr"})
                if text:
                    preserve = text != text.strip() if LXML else text.strip() not in ("", text)
                    attrs = {f"{{{XML_NS}}}space": "preserve"} if preserve else {}
                    SubElement(SubElement(cell, "is"), "t", attrs).text = text
            elif isinstance(value, date) and not isinstance(value, datetime):
                if self._date_style is None:
                    styled = WriteOnlyCell(self.sheet, value=value)
                    styled.number_format = DATE_FORMAT
                    self._date_style = str(styled.style_id)
                cell = SubElement(row, "c", {"r": ref, "s": self._date_style, "t": "n"})
                SubElement(cell, "v").text = safe_string(to_excel(value, self.book.epoch))
            elif isinstance(value, int) and not isinstance(value, bool):
                cell = SubElement(row, "c", {"r": ref, "t": "n"})
                SubElement(cell, "v").text = safe_string(value)
            else:
                return None
        return row


async def write_export(
    out: IO[bytes],
    *,
    what: Literal["ledger", "cases", "accountability"],
    fmt: Format,
    batches: AsyncIterator[Sequence[LedgerRow]]
    | AsyncIterator[Sequence[CaseRow]]
    | AsyncIterator[Sequence[AccountabilityRow]],
    labels: Labels,
    sheet_per_unit: bool = False,
    progress: Callable[[int], None] | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
) -> int:
    """Stream the rows into `out` as xlsx or CSV; returns the number of rows written.
    `extra_sheets` (xlsx only) follow the main rows, e.g. the "124" check-in sheet.

    Each batch is written in a worker thread so a long export never stalls the bot."""
    columns = {
        "ledger": LEDGER_COLUMNS,
        "cases": CASE_COLUMNS,
        "accountability": ACCOUNTABILITY_COLUMNS,
    }[what]
    per_unit = sheet_per_unit and what == "ledger" and fmt == "xlsx"
    written = 0
    text: io.TextIOWrapper | None = None
    xlsx: _XlsxSink | None = None
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([name for name, _ in columns])
    else:
        titles = {"ledger": "整改台账", "cases": "案件登记", "accountability": "问责台账"}
        xlsx = _XlsxSink(columns, titles[what])
        if not per_unit:
            xlsx.new_sheet(xlsx.title, drop_unit=False)
    current_unit: str | None = None

    def write_batch(
        batch: Sequence[LedgerRow] | Sequence[CaseRow] | Sequence[AccountabilityRow],
    ) -> None:
        nonlocal written, current_unit
        for row in batch:
            written += 1
            if isinstance(row, LedgerRow):
                if per_unit and xlsx is not None and row.unit_code != current_unit:
                    current_unit = row.unit_code
                    xlsx.new_sheet(sheet_title(row.unit_code, row.unit_name), drop_unit=True)
                values = ledger_values(row, labels)
                if per_unit:
                    del values[1]
            elif isinstance(row, AccountabilityRow):
                values = accountability_values(row, written, labels)
            else:
                values = case_values(row, written, labels)
            if text is not None:
                writer.writerow(["" if v is None else _csv_text(v) for v in values])
            elif xlsx is not None:
                xlsx.write(values)

    async for batch in batches:
        await asyncio.to_thread(write_batch, batch)
        if progress is not None:
            progress(written)
    if text is not None:
        text.flush()
        text.detach()
    elif xlsx is not None:
        if xlsx.sheet is None:  # no rows and a sheet per unit: still a valid, headed book
            xlsx.new_sheet(xlsx.title, drop_unit=False)
        for title, extra_columns, rows in extra_sheets:
            xlsx.columns = extra_columns
            xlsx.new_sheet(title, drop_unit=False)
            for extra_row in rows:
                xlsx.write(list(extra_row))
        await asyncio.to_thread(xlsx.book.save, out)
    return written


# A spreadsheet opening a CSV reads a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str | int | date) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # shown as text, as the apostrophe does when typed into a cell
    return str(value)


async def write_table(
    out: IO[bytes],
    *,
    fmt: Format,
    title: str,
    columns: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[Cell]],
) -> int:
    """One sheet (or CSV) of plain rows under `columns`, with the same cells, formula guard and
    BOM as the ledger's export (e.g. a form's answers); returns the number of rows written."""

    def write() -> None:
        if fmt == "csv":
            text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow([name for name, _ in columns])
            for row in rows:
                writer.writerow(["" if v is None else _csv_text(v) for v in row])
            text.flush()
            text.detach()
            return
        xlsx = _XlsxSink(columns, title.translate(_SHEET_FORBIDDEN)[:SHEET_TITLE_MAX])
        xlsx.new_sheet(xlsx.title, drop_unit=False)
        for row in rows:
            xlsx.write(list(row))
        xlsx.book.save(out)

    await asyncio.to_thread(write)
    return len(rows)
