"""Units: the tree of districts, schools and sections, imported from CSV or looked up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from domain.audit import AuditAction, AuditSubject
from domain.membership.units import UnitRow, subtree
from storage import audit
from storage.db import Database
from storage.models import Unit


@dataclass
class ImportOutcome:
    """What an import did, row by row (rows are numbered as the caller numbered them)."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


async def import_units(
    db: Database,
    rows: Sequence[tuple[int, UnitRow]],
    *,
    now: datetime,
    actor: str = "cli",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Create or update units by code in one unit of work; idempotent.

    A parent may be another row of the same import (in any order) or an existing unit.
    Rows whose parent is unknown, or that would make a cycle, are rejected with the reason.
    `dry_run` decides everything and then rolls back; `progress(done, total)` is told as
    rows are placed.
    """
    outcome = ImportOutcome()
    async with db.session() as session:
        existing = {u.code: u for u in (await session.exec(select(Unit))).all()}
        incoming: dict[str, tuple[int, UnitRow]] = {}
        for line, row in rows:
            if row.code in incoming:
                first = incoming[row.code][0]
                outcome.rejected.append((line, f"code: {row.code!r} already given on line {first}"))
                continue
            incoming[row.code] = (line, row)

        # Parents first: keep passing over the rows until none can be placed.
        pending = dict(incoming)
        placed: dict[str, Unit] = {}
        while pending:
            moved = False
            for code, (line, row) in list(pending.items()):
                parent_id: int | None = None
                if row.parent_code is not None:
                    parent = placed.get(row.parent_code)
                    if parent is None and row.parent_code in pending:
                        continue  # its parent is placed in a later pass
                    if parent is None:
                        parent = existing.get(row.parent_code)
                    if parent is None:
                        outcome.rejected.append(
                            (line, f"parent: unknown unit code {row.parent_code!r}")
                        )
                        del pending[code]
                        moved = True
                        continue
                    if _would_cycle(code, parent, existing, placed):
                        outcome.rejected.append((line, "parent: would make a cycle"))
                        del pending[code]
                        moved = True
                        continue
                    parent_id = parent.id
                unit = existing.get(code)
                if unit is None:
                    unit = Unit(
                        code=code,
                        name=row.name,
                        kind=row.kind.value,
                        parent_id=parent_id,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(unit)
                    await session.flush()
                    outcome.added.append(line)
                    audit.record(
                        session,
                        at=now,
                        action=AuditAction.UNIT_ADDED,
                        subject_type=AuditSubject.UNIT,
                        subject_id=code,
                        actor_kind=actor,
                        to_value=row.name,
                    )
                elif (unit.name, unit.kind, unit.parent_id) != (row.name, row.kind, parent_id):
                    before = f"{unit.name}|{unit.kind}|{unit.parent_id}"
                    unit.name, unit.kind, unit.parent_id = row.name, row.kind.value, parent_id
                    unit.updated_at = now
                    session.add(unit)
                    outcome.updated.append(line)
                    audit.record(
                        session,
                        at=now,
                        action=AuditAction.UNIT_UPDATED,
                        subject_type=AuditSubject.UNIT,
                        subject_id=code,
                        actor_kind=actor,
                        from_value=before,
                        to_value=f"{row.name}|{row.kind.value}|{parent_id}",
                    )
                else:
                    outcome.unchanged.append(line)
                placed[code] = unit
                del pending[code]
                moved = True
                if progress is not None:
                    progress(len(placed), len(incoming))
            if not moved:  # the rest only point at each other
                for line, _row in pending.values():
                    outcome.rejected.append((line, "parent: would make a cycle"))
                break
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    for bucket in (outcome.added, outcome.updated, outcome.unchanged):
        bucket.sort()
    outcome.rejected.sort()
    return outcome


def _would_cycle(
    code: str, parent: Unit, existing: dict[str, Unit], placed: dict[str, Unit]
) -> bool:
    by_id = {u.id: u for u in [*existing.values(), *placed.values()] if u.id is not None}
    seen: set[str] = set()
    node: Unit | None = parent
    while node is not None and node.code not in seen:
        if node.code == code:
            return True
        seen.add(node.code)
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return False


async def by_code(db: Database, code: str) -> Unit | None:
    async with db.session() as session:
        return (await session.exec(select(Unit).where(Unit.code == code))).first()


async def by_id(db: Database, unit_id: int) -> Unit | None:
    async with db.session() as session:
        return await session.get(Unit, unit_id)


async def all_units(db: Database) -> Sequence[Unit]:
    async with db.session() as session:
        return (await session.exec(select(Unit).order_by(col(Unit.code)))).all()


async def subtree_ids(db: Database, unit_id: int) -> frozenset[int]:
    """The unit and every unit under it (a district head's schools)."""
    async with db.session() as session:
        rows = (await session.exec(select(Unit.id, Unit.parent_id))).all()
    return subtree({uid: parent for uid, parent in rows if uid is not None}, unit_id)
