"""Statistics facts and the streamed exports on every backend: scopes, batches (keyset pages
with no row lost or repeated), the latest progress note, xlsx date cells and frozen header,
one sheet per unit, CSV with a BOM, and nothing of a complaint's receipt in any file."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import load_workbook  # type: ignore[import-untyped]

from domain.membership.units import UnitKind, UnitRow
from domain.stats import completion, rates
from storage.db import Database
from storage.membership import units
from storage.stats import exports
from storage.stats import facts as stats
from storage.stats.exports import LedgerRow
from storage.stats.files import CASE_COLUMNS, LEDGER_COLUMNS, Labels, write_export
from tests.stats_seed import LOOKUP_KEY, NOW, RECEIPT_HASH, seed

TZ = ZoneInfo("Asia/Shanghai")
LABELS = Labels(
    category=lambda key: {"slow": "慢", "lazy": "懒"}.get(key, key),
    ledger_status=lambda s: {"verified": "已销号", "open": "待整改"}.get(s, s),
    case_status=lambda s: s,
    case_kind=lambda k: {"complaint": "投诉", "report": "举报"}[k],
    self_inspection="自查",
    tz=TZ,
)


async def _setup(db: Database) -> tuple[int, int]:
    await units.import_units(
        db,
        [
            (2, UnitRow("EDU", "局", UnitKind.BUREAU, None)),
            (3, UnitRow("S1", "一中", UnitKind.SCHOOL, "EDU")),
            (4, UnitRow("S2", "二小", UnitKind.SCHOOL, "EDU")),
        ],
        now=NOW,
    )
    s1, s2 = await units.by_code(db, "S1"), await units.by_code(db, "S2")
    assert s1 and s2 and s1.id and s2.id
    await seed(db, s1.id, s2.id)
    return s1.id, s2.id


async def test_facts_cover_all_units_or_one(db: Database) -> None:
    s1, s2 = await _setup(db)
    everything = await stats.facts(db, unit_id=None)
    assert len(everything.cases) == 3 and len(everything.items) == 4
    assert {u.code for u in everything.units.values()} == {"EDU", "S1", "S2"}
    r = rates(everything.cases)
    assert (r.total, r.responded, r.resolved, r.rated, r.satisfied) == (3, 2, 1, 1, 1)
    per_unit = {c.unit_id: c for c in completion(everything.items, TZ)}
    assert (per_unit[s1].total, per_unit[s1].verified, per_unit[s1].on_time) == (3, 2, 1)
    assert per_unit[s1].late == 1 and per_unit[s2].verified == 0
    mine = await stats.facts(db, unit_id=s2)
    assert [c.kind for c in mine.cases] == ["report"] and len(mine.items) == 1
    assert list(mine.units) == [s2]


async def test_ledger_rows_come_in_batches_without_loss(db: Database) -> None:
    await _setup(db)
    batches = [b async for b in exports.ledger_rows(db, batch=2)]
    assert [len(b) for b in batches] == [2, 2]
    rows = [r for b in batches for r in b]
    assert [(r.unit_code, r.seq) for r in rows] == [("S1", 1), ("S1", 2), ("S1", 3), ("S2", 1)]
    assert rows[0].progress == "已完成整改"  # the latest note
    assert rows[2].source_number == "C-AB12" and rows[2].responsible is None
    case_batches = [b async for b in exports.case_rows(db, batch=1)]
    assert [b[0].number for b in case_batches] == ["C-AB12", "R-0001", "C-CD34"]


async def _export(db: Database, what: str, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    batches = exports.ledger_rows(db) if what == "ledger" else exports.case_rows(db)
    seen: list[int] = []
    count = await write_export(
        out,
        what=what,  # type: ignore[arg-type]
        fmt=fmt,  # type: ignore[arg-type]
        batches=batches,
        labels=LABELS,
        progress=seen.append,
        **options,  # type: ignore[arg-type]
    )
    assert seen and seen[-1] == count
    return out.getvalue()


async def test_ledger_xlsx_has_headers_dates_and_frozen_header(db: Database) -> None:
    await _setup(db)
    book = load_workbook(io.BytesIO(await _export(db, "ledger", "xlsx")))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [name for name, _ in LEDGER_COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert 36 <= sheet.column_dimensions["E"].width <= 37  # 问题描述: 36 characters
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["单位"] == "一中" and first["问题类别"] == "慢"
    assert first["整改进展"] == "已完成整改" and first["来源"] == "自查"
    deadline_cell = sheet.cell(row=2, column=8)
    assert deadline_cell.is_date and deadline_cell.number_format == "yyyy-mm-dd"
    assert deadline_cell.value.date() == date(2027, 3, 20)
    # 销号时间 is the local day: 23:30 UTC on the 9th is the 10th in Shanghai
    assert sheet.cell(row=2, column=13).value.date() == date(2027, 3, 10)
    assert rows[3][2] == "投诉 C-AB12"


async def test_ledger_sheet_per_unit(db: Database) -> None:
    await _setup(db)
    data = await _export(db, "ledger", "xlsx", sheet_per_unit=True)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["S1 一中", "S2 二小"]
    header = next(book["S1 一中"].iter_rows(values_only=True))
    assert "单位" not in header and header[0] == "序号"
    assert book["S1 一中"].max_row == 4 and book["S2 二小"].max_row == 2


async def test_case_register_csv_has_bom_and_no_receipt(db: Database) -> None:
    await _setup(db)
    data = await _export(db, "cases", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [name for name, _ in CASE_COLUMNS]
    assert rows[1][1] == "C-AB12" and rows[1][6] == "2027-03-01" and rows[1][8] == "2027-03-06"
    assert rows[1][9] == "窗口办事拖拉 <b>三天</b>"  # the text as typed, not HTML
    text = data.decode("utf-8-sig")
    assert RECEIPT_HASH not in text and LOOKUP_KEY not in text
    assert "T" not in rows[2][6]  # dates only, never a time


async def test_case_register_xlsx_and_empty_exports(db: Database) -> None:
    await _setup(db)
    book = load_workbook(io.BytesIO(await _export(db, "cases", "xlsx")))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][0] == 1
    flat = " ".join(str(v) for row in rows for v in row)
    assert RECEIPT_HASH not in flat and LOOKUP_KEY not in flat
    empty = io.BytesIO()

    async def nothing() -> AsyncIterator[list[LedgerRow]]:
        for batch in ():
            yield batch

    count = await write_export(
        empty,
        what="ledger",
        fmt="xlsx",
        batches=nothing(),
        labels=LABELS,
        sheet_per_unit=True,
    )
    assert count == 0
    assert next(iter(load_workbook(io.BytesIO(empty.getvalue())).worksheets[0].values))[0] == "序号"
