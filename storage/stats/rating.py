"""What the unit rating reads beyond `/stats`' facts — the clocks of the cases dispatched to
each unit's ledger — and the ratings stored when a phase ends (`phase_ratings`): written once
per phase, never rewritten, so a later edit of the ledger does not change history."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlmodel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.stats import CaseFact
from storage.db import Database
from storage.models import Case, LedgerItem, PhaseRating, Unit


async def dispatched(
    db: Database, *, unit_ids: Collection[int] | None = None
) -> dict[int, list[CaseFact]]:
    """Per unit, the facts of the cases dispatched to its ledger (an item came from them and
    was not returned), each once."""
    async with db.session() as session:
        query: Any = (
            select(
                col(Case.kind),
                col(Case.category_key),
                col(LedgerItem.unit_id),
                col(Case.status),
                col(Case.opened_on),
                col(Case.acknowledged_on),
                col(Case.answered_on),
                col(Case.closed_on),
            )
            .join(LedgerItem, col(LedgerItem.source_case_id) == col(Case.id))
            .where(col(LedgerItem.status) != "returned")
            .distinct()
        )
        if unit_ids is not None:
            query = query.where(col(LedgerItem.unit_id).in_(sorted(unit_ids)))
        rows = (await session.exec(query)).all()
    out: dict[int, list[CaseFact]] = {}
    for kind, category, unit, status, opened, ack, answered, closed in rows:
        out.setdefault(unit, []).append(
            CaseFact(kind, category, unit, status, opened, ack, answered, closed)
        )
    return out


async def unit_names(db: Database, unit_ids: Collection[int] | None = None) -> dict[int, str]:
    """The names of the units (of `unit_ids`, or all), by id."""
    async with db.session() as session:
        query: Any = select(col(Unit.id), col(Unit.name))
        if unit_ids is not None:
            query = query.where(col(Unit.id).in_(sorted(unit_ids)))
        rows = (await session.exec(query)).all()
    return {uid: name for uid, name in rows}


@dataclass(frozen=True)
class Stored:
    phase_key: str
    rated_on: date
    records: tuple[dict[str, Any], ...]


async def stored(db: Database, phase_key: str) -> Stored | None:
    """The ratings stored at the end of a phase, if the job has stored them."""
    async with db.session() as session:
        row = await session.get(PhaseRating, phase_key)
    if row is None:
        return None
    return Stored(row.phase_key, row.rated_on, tuple(json.loads(row.ratings)))


async def stored_phases(db: Database) -> frozenset[str]:
    async with db.session() as session:
        keys = (await session.exec(sqlmodel.select(col(PhaseRating.phase_key)))).all()
    return frozenset(keys)


async def store(
    db: Database,
    *,
    phase_key: str,
    rated_on: date,
    records: Sequence[dict[str, Any]],
    now: datetime,
) -> bool:
    """Keep a phase's ratings; False (and nothing changed) when they were stored already —
    by an earlier run, or by another process at the same moment."""
    try:
        async with db.session() as session:
            if await session.get(PhaseRating, phase_key) is not None:
                return False
            session.add(
                PhaseRating(
                    phase_key=phase_key,
                    rated_on=rated_on,
                    ratings=json.dumps(list(records), ensure_ascii=False),
                    stored_at=now,
                )
            )
            await session.commit()
    except IntegrityError:
        return False
    return True
