"""A streaming xlsx writer for the exports: SpreadsheetML (ECMA-376 / ISO 29500), one sheet
after another, each row written into the zip as it comes, so memory stays flat however many
rows there are.

Why our own and not XlsxWriter or openpyxl: measured on 100,000 ledger rows (1.31 million
cells), XlsxWriter's constant-memory mode spent 6.7 s of CPU on its per-cell path with no
formats and 8.9 s with them (a cell goes through a decorator, a dimension check, a named
tuple, two regular expressions, an attribute escaper and a write of its own), and openpyxl's
write-only API 19 s; the target for the whole export is 10 s. Writing a row of cells as one
string costs 1.4 s for the same cells. What an export needs of the format is small and fixed:
inline strings, numbers, dates, six cell formats, a merged title row, a frozen and repeated
header row, a filter, A4 landscape fitted to the page's width and page numbers, all of which
is below. The figures and the comparison are in docs/performance.md.

What a cell can hold (`Cell`): a text (always written as text: it never becomes a formula, a
number or a link), an integer, a date, or a datetime (its wall time; a date cell with the time).
Control characters and the `_xHHHH_` form are escaped as Excel does; a text is cut at Excel's
32,767 UTF-16 units. No part carries a time or an author: the zip's entries are dated
1980-01-01 and there are no document properties."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import IO, Any, Final

Cell = str | int | date | None  # a datetime is a date: written as local date and time

MAX_ROWS: Final = 1_048_576  # Excel's rows per sheet
MAX_TEXT: Final = 32_767  # Excel's UTF-16 units per cell
SHEET_NAME_MAX: Final = 31
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_FLUSH_ROWS = 256  # rows gathered into one write to the zip

# The cell formats, by their index in styles.xml's cellXfs.
PLAIN, TITLE, HEADER, TEXT, DAY, INSTANT = range(6)
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
TITLE_HEIGHT = 24  # points

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{TIME_FORMAT}"/></numFmts>'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
    '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
    "</bottom><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    # PLAIN
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    # TITLE: bold 14, centred vertically
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment vertical="center"/></xf>'
    # HEADER: bold, centred, wrapped, bordered
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="1" xfId="0" applyFont="1" '
    'applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    # TEXT: wrapped, top, bordered (numbers too)
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" '
    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    # DAY and INSTANT
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_PAGE = (
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    # A4 (9), landscape, one page wide and as many pages down as it takes
    '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
)

# Excel's serial numbers (the 1900 date system) count days from 1899-12-31, with the
# 29 February 1900 that never was (Excel's leap-year bug): from 1 March 1900 on, a serial
# is the days since 1899-12-30.
_EPOCH = datetime(1899, 12, 30)
_EPOCH_DAY = _EPOCH.date()
_BUGGY_UNTIL = date(1900, 3, 1)

# A literal "_x0041_" would be read back as "A": its underscore is escaped ("_x005F").
# Characters XML 1.0 cannot carry become "_xHHHH_" (carriage return too, as Excel does).
_ESCAPES = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def text_xml(text: str) -> str:
    """The `<is>` content of an inline string cell."""
    if len(text) > MAX_TEXT // 2:
        text = _cut(text)
    if _ESCAPES.search(text) is not None:
        text = _ESCAPES.sub(_escape, text)
    if "&" in text or "<" in text or ">" in text:
        text = text.translate(_MARKUP)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _cut(text: str) -> str:
    """At most MAX_TEXT UTF-16 units, never half a surrogate pair."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:index]
    return text


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def day_serial(day: date) -> int:
    if day >= _BUGGY_UNTIL:
        return (day - _EPOCH_DAY).days
    return (day - _EPOCH_DAY).days - 1


def instant_serial(at: datetime) -> float:
    """A wall time's serial (an aware instant counts as its own wall time)."""
    at = at.replace(tzinfo=None)
    delta = at - _EPOCH
    days = delta.days if at >= datetime(1900, 3, 1) else delta.days - 1
    return days + (delta.seconds + delta.microseconds / 1e6) / 86400


def sheet_name(name: str) -> str:
    """`name` as a valid sheet name: no character Excel forbids, no apostrophe at either end,
    at most 31 characters, never empty."""
    return name.translate(_SHEET_FORBIDDEN).strip("'")[:SHEET_NAME_MAX] or "Sheet"


def sheet_reference(name: str) -> str:
    """A sheet's name as a formula or defined name refers to it: always quoted."""
    return "'" + name.replace("'", "''") + "'"


class _Sheet:
    """What the workbook must say of a sheet once its rows are written."""

    def __init__(self, name: str, width: int, header_row: int) -> None:
        self.name, self.width, self.header_row = name, width, header_row
        self.last_row = header_row


class Book:
    """One xlsx file written to `out`: `sheet()` starts a sheet (the one before it is
    finished), `row()` adds a row to it, `close()` writes the workbook's parts."""

    def __init__(self, out: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self._sheets: list[_Sheet] = []
        self._stream: IO[bytes] | None = None
        self._pending: list[str] = []
        self._letters: list[str] = []
        self._row = 0
        self._days: dict[date, str] = {}  # a serial per day, and per instant (a unit's
        self._instants: dict[datetime, str] = {}  # sign-off is the same on each of its rows

    def sheet(self, name: str, columns: Sequence[tuple[str, float]], title: str = "") -> None:
        """Start a sheet: its columns (header, width in characters), a merged title row above
        the header if `title` is given, the header frozen, filtered and on every page."""
        self._finish_sheet()
        width = max(1, len(columns))
        self._letters = [column_letters(i) for i in range(width)]
        header_row = 2 if title else 1
        sheet = _Sheet(self._unique(name), width, header_row)
        self._sheets.append(sheet)
        number = len(self._sheets)
        self._stream = self._zip.open(f"xl/worksheets/sheet{number}.xml", "w")
        selected = ' tabSelected="1"' if number == 1 else ""
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{_width(w)}" customWidth="1"/>'
            for i, (_, w) in enumerate(columns, 1)
        )
        parts = [
            _HEAD,
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<sheetViews><sheetView{selected} workbookViewId="0">'
            f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
            "</sheetView></sheetViews>",
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            "<sheetData>",
        ]
        if title:
            rest = "".join(f'<c r="{letter}1" s="{TITLE}"/>' for letter in self._letters[1:])
            parts.append(
                f'<row r="1" ht="{TITLE_HEIGHT}" customHeight="1"><c r="A1" s="{TITLE}" '
                f't="inlineStr"><is>{text_xml(title)}</is></c>{rest}</row>'
            )
        self._write("".join(parts))
        self._row = header_row - 1
        self._put([header for header, _ in columns], HEADER)

    def row(self, values: Sequence[Cell]) -> None:
        self._put(values, TEXT)

    def _put(self, values: Sequence[Cell], style: int) -> None:
        """One row: texts and integers in `style`, dates and wall times in theirs; an empty
        cell inside the table keeps the table's borders."""
        if self._stream is None:
            raise RuntimeError("no sheet started")
        self._row = row = self._row + 1
        if row > MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS} rows on one sheet")
        n = str(row)
        letters = self._letters
        parts = [f'<row r="{n}">']
        add = parts.append
        cells: Sequence[Any] = values  # told apart by their exact class, the fastest test
        for column, value in enumerate(cells):
            kind = value.__class__
            if kind is str:
                if value:
                    add(
                        f'<c r="{letters[column]}{n}" s="{style}" t="inlineStr">'
                        f"<is>{text_xml(value)}</is></c>"
                    )
                else:
                    add(f'<c r="{letters[column]}{n}" s="{style}"/>')
            elif value is None:
                add(f'<c r="{letters[column]}{n}" s="{style}"/>')
            elif kind is int:
                add(f'<c r="{letters[column]}{n}" s="{style}"><v>{value}</v></c>')
            elif kind is date:
                serial = self._days.get(value)
                if serial is None:
                    serial = self._days[value] = str(day_serial(value))
                add(f'<c r="{letters[column]}{n}" s="{DAY}"><v>{serial}</v></c>')
            elif kind is datetime:
                text = self._instants.get(value)
                if text is None:
                    if len(self._instants) > 4096:
                        self._instants.clear()
                    text = self._instants[value] = repr(instant_serial(value))
                add(f'<c r="{letters[column]}{n}" s="{INSTANT}"><v>{text}</v></c>')
            else:
                add(self._other(letters[column] + n, value, style))
        add("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    @staticmethod
    def _other(ref: str, value: object, style: int) -> str:
        if isinstance(value, datetime):
            return f'<c r="{ref}" s="{INSTANT}"><v>{instant_serial(value)!r}</v></c>'
        if isinstance(value, date):
            return f'<c r="{ref}" s="{DAY}"><v>{day_serial(value)}</v></c>'
        if isinstance(value, str):
            return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{text_xml(value)}</is></c>'
        if isinstance(value, int):  # a bool or an int subclass
            return f'<c r="{ref}" s="{style}"><v>{int(value)}</v></c>'
        raise TypeError(f"no xlsx cell for {type(value).__name__}")

    def _write(self, xml: str) -> None:
        assert self._stream is not None
        self._stream.write(xml.encode())

    def _flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending))
            self._pending.clear()

    def _finish_sheet(self) -> None:
        """The rows still gathered, then the filter over the header and every row, the
        merged title, the page set-up and the page numbers."""
        if self._stream is None:
            return
        self._flush()
        sheet = self._sheets[-1]
        sheet.last_row = self._row
        last = self._letters[-1]
        parts = [
            "</sheetData>",
            f'<autoFilter ref="A{sheet.header_row}:{last}{sheet.last_row}"/>',
        ]
        if sheet.header_row == 2 and sheet.width > 1:
            parts.append(f'<mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>')
        parts += [
            _PAGE,
            "<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>",
            "</worksheet>",
        ]
        self._write("".join(parts))
        self._stream.close()
        self._stream = None

    def _unique(self, name: str) -> str:
        """A valid sheet name not yet used in this book (Excel compares without case)."""
        base = sheet_name(name)
        taken = {s.name.casefold() for s in self._sheets}
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        return candidate

    def close(self) -> None:
        """Finish the last sheet and write the workbook, its relations, the styles and the
        content types. A book with no sheet gets an empty one (a workbook needs one)."""
        if not self._sheets:
            self.sheet("Sheet1", ())
        self._finish_sheet()
        sheets = self._sheets
        names, defined = [], []
        for i, sheet in enumerate(sheets):
            names.append(
                f'<sheet name="{sheet.name.translate(_ATTRIBUTE)}" sheetId="{i + 1}" '
                f'r:id="rId{i + 1}"/>'
            )
            where = sheet_reference(sheet.name).translate(_MARKUP)
            last, top = column_letters(sheet.width - 1), sheet.header_row
            defined.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                f"{where}!$A${top}:${last}${sheet.last_row}</definedName>"
            )
            defined.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                f"{where}!${top}:${top}</definedName>"
            )
        self._part(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{''.join(names)}</sheets><definedNames>{''.join(defined)}</definedNames>"
            "</workbook>",
        )
        relations = [
            (f"rId{i + 1}", "worksheet", f"worksheets/sheet{i + 1}.xml") for i in range(len(sheets))
        ]
        relations.append((f"rId{len(sheets) + 1}", "styles", "styles.xml"))
        self._part(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="{rid}" Type="{_RELS}/{kind}" Target="{target}"/>'
                for rid, kind, target in relations
            )
            + "</Relationships>",
        )
        self._part("xl/styles.xml", _STYLES.removeprefix(_HEAD))
        self._part(
            "_rels/.rels",
            f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        overrides = [("/xl/workbook.xml", f"{spreadsheet}.sheet.main+xml")]
        overrides += [
            (f"/xl/worksheets/sheet{i + 1}.xml", f"{spreadsheet}.worksheet+xml")
            for i in range(len(sheets))
        ]
        overrides.append(("/xl/styles.xml", f"{spreadsheet}.styles+xml"))
        self._part(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides
            )
            + "</Types>",
        )
        self._zip.close()

    def _part(self, name: str, xml: str) -> None:
        entry = zipfile.ZipInfo(name)  # dated 1980-01-01, as the sheets' entries
        self._zip.writestr(entry, (_HEAD + xml).encode(), compress_type=zipfile.ZIP_DEFLATED)


def _width(characters: float) -> str:
    """A column's width as Excel stores it: the characters of Calibri 11's widest digit
    (7 pixels) plus 5 pixels of padding, in 1/256 of a character."""
    return repr(int((characters * 7 + 5) / 7 * 256) / 256)
