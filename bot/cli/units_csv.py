"""Reading a units CSV (code, name, parent, kind) as offices save it: UTF-8 with or without a
byte-order mark, or GB18030 from Chinese Excel."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from domain.membership.units import UnitRow, UnitRowError, parse_unit_row

REQUIRED = ("code", "name")
KNOWN = ("code", "name", "parent", "kind")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ParsedCsv:
    rows: list[tuple[int, UnitRow]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


class CsvFileError(ValueError):
    """The file as a whole cannot be read."""


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFileError("not UTF-8 or GB18030 text")


def read_units(path: Path) -> ParsedCsv:
    """Parse and validate every row; line numbers count the header as line 1."""
    if path.stat().st_size > MAX_BYTES:
        raise CsvFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    reader = csv.DictReader(io.StringIO(decode(path.read_bytes()), newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise CsvFileError(f"header: missing column(s) {', '.join(missing)}")
    unknown = [column for column in header if column not in KNOWN]
    if unknown:
        raise CsvFileError(f"header: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    parsed = ParsedCsv()
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue
        if None in record:
            parsed.rejected.append((line, "more fields than the header has"))
            continue
        try:
            parsed.rows.append((line, parse_unit_row(dict(record))))
        except UnitRowError as error:
            parsed.rejected.append((line, str(error)))
    return parsed
