"""Reading a units CSV as offices save it: English (code, name, parent, kind) or Chinese
(单位代码, 单位名称, 上级单位, 类型) headers, kinds in either language (学校, 学区, 股室 …),
UTF-8 with or without a byte-order mark, or GB18030 (a superset of GBK) from Chinese Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from domain.membership.units import UnitRow, UnitRowError, parse_unit_row

REQUIRED = ("code", "name")
KNOWN = ("code", "name", "parent", "kind")
# Headers as offices write them: each maps to one of KNOWN.
HEADER_NAMES: dict[str, str] = {
    **{column: column for column in KNOWN},
    "单位代码": "code",
    "代码": "code",
    "编码": "code",
    "单位名称": "name",
    "名称": "name",
    "上级单位": "parent",
    "上级单位代码": "parent",
    "上级": "parent",
    "类型": "kind",
    "单位类型": "kind",
}
MAX_BYTES = 5 * 1024 * 1024
T = TypeVar("T")


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


def read_table(
    path: Path,
    *,
    names: Mapping[str, str],
    required: Sequence[str],
    parse: Callable[[dict[str, str | None]], T],
    errors: type[ValueError],
) -> tuple[list[tuple[int, T]], list[tuple[int, str]]]:
    """Every row of a CSV file parsed by `parse` (its `errors` name the column and reason),
    as (line, row) and (line, reason) lists; line numbers count the header as line 1. The
    header's columns are mapped by `names` (e.g. 单位代码 -> code); a file that cannot be read
    as a whole raises CsvFileError."""
    if path.stat().st_size > MAX_BYTES:
        raise CsvFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    reader = csv.DictReader(io.StringIO(decode(path.read_bytes()), newline=""))
    given = [h.strip().lower() for h in (reader.fieldnames or [])]
    header = [names.get(h, h) for h in given]
    missing = [column for column in required if column not in header]
    if missing:
        raise CsvFileError(f"header: missing column(s) {', '.join(missing)}")
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        raise CsvFileError(f"header: column(s) {', '.join(twice)} given twice")
    unknown = [g for g, column in zip(given, header, strict=True) if g not in names]
    if unknown:
        raise CsvFileError(f"header: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    rows: list[tuple[int, T]] = []
    rejected: list[tuple[int, str]] = []
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue
        if None in record:
            rejected.append((line, "more fields than the header has"))
            continue
        try:
            rows.append((line, parse(dict(record))))
        except errors as error:
            rejected.append((line, str(error)))
    return rows, rejected


def read_units(path: Path) -> ParsedCsv:
    """Parse and validate every row of a units file."""
    rows, rejected = read_table(
        path, names=HEADER_NAMES, required=REQUIRED, parse=parse_unit_row, errors=UnitRowError
    )
    return ParsedCsv(rows=rows, rejected=rejected)
