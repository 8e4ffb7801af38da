"""What closing a case records, written inside the close's own move (`Step.rows` of
`storage.cases.transitions.move_case`): the finding and the accountability rows (问责), so a
case is never closed without them nor they written for a case that did not close.

Staff records: nothing here is read by the complainant's or the reporter's views. A person
held accountable is linked to a member when exactly one active member of the case's unit has
that name; otherwise only the name is kept (people who are not on Telegram are held
accountable too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.cases.accountability import Finding, Party
from storage.db import Database
from storage.models import Accountability, Case, CaseFinding, Member, Unit


@dataclass(frozen=True)
class Entry:
    """One handling of one party."""

    handling_key: str
    party: Party


@dataclass(frozen=True)
class ClosingRecord:
    finding: Finding
    entries: tuple[Entry, ...] = ()


async def unknown_units(db: Database, codes: Sequence[str]) -> list[str]:
    """The codes among `codes` that name no unit."""
    if not codes:
        return []
    async with db.session() as session:
        known = set(
            (await session.exec(select(Unit.code).where(col(Unit.code).in_(list(codes))))).all()
        )
    return [c for c in codes if c not in known]


async def write_record(
    session: AsyncSession, case: Case, record: ClosingRecord, member_id: int | None, today: date
) -> None:
    """The finding and the accountability rows, in the close's transaction."""
    assert case.id is not None
    session.add(
        CaseFinding(
            case_id=case.id,
            finding=record.finding.value,
            recorded_on=today,
            recorded_by_member_id=member_id,
        )
    )
    for entry in record.entries:
        party = entry.party
        unit_id = None
        person_member_id = None
        if party.unit_code is not None:
            unit_id = (
                await session.exec(select(Unit.id).where(Unit.code == party.unit_code))
            ).first()
        elif party.name is not None and case.unit_id is not None:
            same = (
                await session.exec(
                    select(Member.id)
                    .where(Member.unit_id == case.unit_id)
                    .where(Member.display_name == party.name)
                    .where(col(Member.active).is_(True))
                )
            ).all()
            person_member_id = same[0] if len(same) == 1 else None
        session.add(
            Accountability(
                case_id=case.id,
                handling_key=entry.handling_key,
                person_name=party.name,
                person_member_id=person_member_id,
                unit_id=unit_id if unit_id is not None else None,
                decided_on=party.decided_on,
                recorded_by_member_id=member_id,
            )
        )
