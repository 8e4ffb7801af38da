"""What the year-end summary (总结) reads beyond `/stats`' facts: where each ledger item came
from (a named report, a complaint, an inspection finding or the unit's own self-inspection),
the channel each case came in by, and the published honour-roll and exposure items.

Counts and titles only: never a reporter, a complainant or a complaint's words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from domain.cases.accountability import Channel
from domain.ledger.rules import LedgerStatus
from domain.publish.publication import State
from storage.db import Database
from storage.models import Case, CaseIntake, LedgerItem, Publication, Unit

SELF_INSPECTION = "self"  # an item the unit found itself (no case behind it)


@dataclass(frozen=True)
class Published:
    kind: str  # honour | exposure
    title: str
    unit_name: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class SummaryFacts:
    item_sources: Counter[str]  # report | complaint | finding | SELF_INSPECTION -> items
    channels: Counter[str]  # Channel value -> cases
    published: tuple[Published, ...]


async def summary_facts(db: Database, *, unit_ids: Collection[int] | None) -> SummaryFacts:
    """The summary's counts for `unit_ids` (every unit when None), in one read."""
    within = sorted(unit_ids) if unit_ids is not None else None
    async with db.session() as session:
        source: Any = (
            select(col(Case.kind), func.count())
            .select_from(LedgerItem)
            .outerjoin(Case, col(Case.id) == col(LedgerItem.source_case_id))
            .where(col(LedgerItem.status) != LedgerStatus.RETURNED.value)
            .group_by(col(Case.kind))
        )
        channel: Any = (
            select(col(CaseIntake.channel), func.count())
            .select_from(Case)
            .outerjoin(CaseIntake, col(CaseIntake.case_id) == col(Case.id))
            .group_by(col(CaseIntake.channel))
        )
        shown: Any = (
            select(
                col(Publication.kind),
                col(Publication.title),
                col(Unit.name),
                col(Publication.published_at),
            )
            .outerjoin(Unit, col(Unit.id) == col(Publication.unit_id))
            .where(col(Publication.state) == State.PUBLISHED.value)
            .order_by(col(Publication.published_at), col(Publication.id))
        )
        if within is not None:
            source = source.where(col(LedgerItem.unit_id).in_(within))
            channel = channel.where(col(Case.unit_id).in_(within))
            shown = shown.where(col(Publication.unit_id).in_(within))
        sources = (await session.exec(source)).all()
        channels = (await session.exec(channel)).all()
        rows = (await session.exec(shown)).all()
    return SummaryFacts(
        item_sources=Counter({(kind or SELF_INSPECTION): n for kind, n in sources}),
        channels=Counter({(name or Channel.CHAT.value): n for name, n in channels}),
        published=tuple(Published(*row) for row in rows),
    )
