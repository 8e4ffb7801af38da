"""Importing the unit tree: idempotent, parents in any order, bad rows rejected with reasons."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.membership.units import UnitKind, UnitRow
from storage import audit
from storage.db import Database
from storage.membership import units

NOW = datetime(2027, 2, 20, 1, 0, tzinfo=UTC)


def row(
    code: str, name: str, parent: str | None = None, kind: UnitKind = UnitKind.SCHOOL
) -> UnitRow:
    return UnitRow(code=code, name=name, kind=kind, parent_code=parent)


async def test_import_places_children_before_parents_and_is_idempotent(db: Database) -> None:
    rows = [
        (2, row("SCH001", "城关一中", "D01")),
        (3, row("D01", "城关学区", "EDU", UnitKind.DISTRICT)),
        (4, row("EDU", "教文广新体局", None, UnitKind.BUREAU)),
    ]
    first = await units.import_units(db, rows, now=NOW)
    assert first.added == [2, 3, 4] and first.rejected == []
    school = await units.by_code(db, "SCH001")
    district = await units.by_code(db, "D01")
    assert school is not None and district is not None
    assert school.parent_id == district.id
    assert school.created_at == NOW and school.created_at.tzinfo is not None

    again = await units.import_units(db, rows, now=NOW)
    assert again.unchanged == [2, 3, 4] and again.added == [] and again.updated == []


async def test_import_updates_changed_rows_and_audits_them(db: Database) -> None:
    await units.import_units(db, [(2, row("SCH001", "一中"))], now=NOW)
    outcome = await units.import_units(db, [(2, row("SCH001", "城关第一中学"))], now=NOW)
    assert outcome.updated == [2]
    unit = await units.by_code(db, "SCH001")
    assert unit is not None and unit.name == "城关第一中学"
    actions = [e.action for e in await audit.events_for(db, "unit", "SCH001")]
    assert actions == ["unit.added", "unit.updated"]


async def test_import_rejects_unknown_parent_duplicates_and_cycles(db: Database) -> None:
    outcome = await units.import_units(
        db,
        [
            (2, row("A", "甲", "NOPE")),
            (3, row("B", "乙", "C")),
            (4, row("C", "丙", "B")),
            (5, row("D", "丁")),
            (6, row("D", "丁二")),
        ],
        now=NOW,
    )
    assert outcome.added == [5]
    assert outcome.rejected == [
        (2, "parent: unknown unit code 'NOPE'"),
        (3, "parent: would make a cycle"),
        (4, "parent: would make a cycle"),
        (6, "code: 'D' already given on line 5"),
    ]
    assert await units.by_code(db, "A") is None
