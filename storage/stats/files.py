"""Writing the exports to a file: xlsx (`storage.stats.xlsx`: each row goes into the zip as it
is written, memory stays flat) or CSV (UTF-8 with a BOM, so Excel opens
Chinese correctly).

The file is the bureau office's document, so its column headers are the office's Chinese
ones; the caller passes how codes read (category names, status names) as `Labels`. Dates are
real dates (xlsx date cells formatted yyyy-mm-dd); instants are the campaign's local time.

Every xlsx sheet is ready to print and file: a title row (the campaign, what the sheet is and
the day it was made), the header row frozen and repeated on every printed page, a filter on
the header, wrapped text, A4 landscape fitted to the page's width, page numbers in the footer.
Whatever someone typed is written as text: a cell never becomes a formula, a number or a link
(every text is an inline string cell)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Literal
from zoneinfo import ZoneInfo

from storage.audit import AuditRow
from storage.stats import xlsx
from storage.stats.exports import AccountabilityRow, CaseRow, LedgerRow
from storage.stats.xlsx import Cell as Cell

Format = Literal["xlsx", "csv"]
What = Literal["ledger", "cases", "accountability", "audit"]

# (header, width in characters); 单位 is left out of a sheet per unit.
LEDGER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("单位", 16),
    ("来源", 14),
    ("问题类别", 10),
    ("问题描述", 36),
    ("整改要求", 30),
    ("整改措施", 30),
    ("整改时限", 11),
    ("责任人", 9),
    ("整改进展", 30),
    ("佐证材料", 8),
    ("状态", 10),
    ("销号时间", 11),
    ("签字版本", 8),
    ("签字时间", 16),
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
AUDIT_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 7),
    ("时间", 16),
    ("操作人", 12),
    ("身份", 8),
    ("操作", 24),
    ("对象", 12),
    ("编号", 16),
    ("单位", 16),
    ("原值", 24),
    ("新值", 24),
)
SHEET_NAMES: dict[str, str] = {
    "ledger": "整改台账",
    "cases": "案件登记",
    "accountability": "问责台账",
    "audit": "操作日志",
}
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
    # the audit log: an event's action (it may name the statuses before and after), the kind
    # of its subject, and a 原值/新值 of an action (a status in words); codes as they are else
    audit_action: Callable[[AuditRow], str] = lambda row: row.action
    audit_subject: Callable[[str], str] = str
    audit_value: Callable[[str, str], str] = lambda _action, value: value


# (sheet title, (header, width) columns, rows) of a sheet added after the main one
ExtraSheet = tuple[str, Sequence[tuple[str, int]], Sequence[Sequence[Cell]]]
# Who did it, in the audit log
ACTOR_KINDS = {"member": "工作人员", "admin": "管理员", "system": "系统", "cli": "命令行"}


@dataclass(frozen=True)
class Heading:
    """What the title row of each xlsx sheet says: the campaign and the day the data is of."""

    campaign: str
    as_of: date

    def line(self, what: str) -> str:
        day = self.as_of
        return f"{self.campaign} {what}（截至{day.year}年{day.month}月{day.day}日）".strip()


def wall_clock(tz: ZoneInfo) -> Callable[[datetime], datetime]:
    """`at` as the wall time in `tz` (no zone), remembering the last few hundred: a unit's
    sign-off is the same instant on each of its rows."""

    @lru_cache(maxsize=512)
    def local(at: datetime) -> datetime:
        return at.astimezone(tz).replace(tzinfo=None)

    return local


def ledger_values(
    row: LedgerRow, labels: Labels, local: Callable[[datetime], datetime] | None = None
) -> list[Cell]:
    """One ledger line; 序号 is the item's number within its unit, as the bot shows it.
    `local` turns the sign-off's instant into wall time (`wall_clock`, kept for an export)."""
    verified = row.verified_at.astimezone(labels.tz).date() if row.verified_at else None
    if row.source_number:
        source = f"{labels.case_kind(row.source_kind or '')} {row.source_number}"
    else:
        source = labels.self_inspection
    signed = (local or wall_clock(labels.tz))(row.signed_at) if row.signed_at else None
    return [
        row.seq,
        row.unit_name,
        source,
        labels.category(row.category_key),
        row.description,
        row.requirement,
        row.measure,
        row.deadline,
        row.responsible,
        row.progress,
        row.evidence,
        labels.ledger_status(row.status),
        verified,
        f"第{row.signed_version}版" if row.signed_version else None,
        signed,
    ]


def audit_values(row: AuditRow, number: int, labels: Labels) -> list[Cell]:
    at = row.at
    before, after = row.from_value, row.to_value
    return [
        number,
        at.astimezone(labels.tz).replace(tzinfo=None) if isinstance(at, datetime) else at,
        row.actor,
        ACTOR_KINDS.get(row.actor_kind, row.actor_kind),
        labels.audit_action(row),
        labels.audit_subject(row.subject_type),
        row.subject,
        row.unit_name,
        None if before is None else labels.audit_value(row.action, before),
        None if after is None else labels.audit_value(row.action, after),
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
    return xlsx.sheet_name(f"{code} {name}")


class _XlsxSink:
    """One workbook (`storage.stats.xlsx`), its sheets one after another, each row written in
    order; each sheet's title row says what it is (see the module's note)."""

    def __init__(self, out: IO[bytes], heading: Heading | None = None) -> None:
        self.book = xlsx.Book(out)
        self.heading = heading

    def new_sheet(self, name: str, columns: Sequence[tuple[str, int]], what: str = "") -> None:
        """Start the sheet `name`; its title row says `what` (with the heading's campaign and
        day) when the workbook has a heading."""
        title = self.heading.line(what or name) if self.heading is not None else ""
        self.book.sheet(name, columns, title)

    def write(self, values: Sequence[Cell]) -> None:
        self.book.row(values)

    def close(self) -> None:
        self.book.close()


async def write_export(
    out: IO[bytes],
    *,
    what: What,
    fmt: Format,
    batches: AsyncIterator[Sequence[LedgerRow]]
    | AsyncIterator[Sequence[CaseRow]]
    | AsyncIterator[Sequence[AccountabilityRow]]
    | AsyncIterator[Sequence[AuditRow]],
    labels: Labels,
    sheet_per_unit: bool = False,
    progress: Callable[[int], None] | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
    heading: Heading | None = None,
) -> int:
    """Stream the rows into `out` as xlsx or CSV; returns the number of rows written.
    `extra_sheets` (xlsx only) follow the main rows, e.g. the "124" duty sheet; `heading`
    (xlsx only) gives each sheet its title row.

    Each batch is written in a worker thread so a long export never stalls the bot."""
    columns = {
        "ledger": LEDGER_COLUMNS,
        "cases": CASE_COLUMNS,
        "accountability": ACCOUNTABILITY_COLUMNS,
        "audit": AUDIT_COLUMNS,
    }[what]
    per_unit = sheet_per_unit and what == "ledger" and fmt == "xlsx"
    unit_columns = [c for c in columns if c[0] != UNIT_COLUMN]
    written = 0
    text: io.TextIOWrapper | None = None
    xlsx: _XlsxSink | None = None
    title = SHEET_NAMES[what]
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([name for name, _ in columns])
    else:
        xlsx = _XlsxSink(out, heading)
        if not per_unit:
            xlsx.new_sheet(title, columns)
    current_unit: str | None = None
    local = wall_clock(labels.tz)

    def write_batch(
        batch: Sequence[LedgerRow]
        | Sequence[CaseRow]
        | Sequence[AccountabilityRow]
        | Sequence[AuditRow],
    ) -> None:
        nonlocal written, current_unit
        for row in batch:
            written += 1
            if isinstance(row, LedgerRow):
                if per_unit and xlsx is not None and row.unit_code != current_unit:
                    current_unit = row.unit_code
                    name = sheet_title(row.unit_code, row.unit_name)
                    xlsx.new_sheet(name, unit_columns, f"{row.unit_name} {title}")
                values = ledger_values(row, labels, local)
                if per_unit:
                    del values[1]
            elif isinstance(row, AccountabilityRow):
                values = accountability_values(row, written, labels)
            elif isinstance(row, AuditRow):
                values = audit_values(row, written, labels)
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
        if per_unit and current_unit is None:  # no rows: still a valid, headed book
            xlsx.new_sheet(title, columns)
        for extra_title, extra_columns, rows in extra_sheets:
            xlsx.new_sheet(extra_title, extra_columns)
            for extra_row in rows:
                xlsx.write(extra_row)
        await asyncio.to_thread(xlsx.close)
    return written


# A spreadsheet opening a CSV reads a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str | int | date) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
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
    heading: Heading | None = None,
) -> int:
    """One sheet (or CSV) of plain rows under `columns`, with the same cells, formula guard,
    print setup and BOM as the ledger's export (e.g. a form's answers); returns the number of
    rows written."""

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
        xlsx = _XlsxSink(out, heading)
        xlsx.new_sheet(title, columns)
        for row in rows:
            xlsx.write(row)
        xlsx.close()

    await asyncio.to_thread(write)
    return len(rows)
