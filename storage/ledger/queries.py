"""Reading the rectification ledger: pages of a unit's list, one item with its history, the
items a member is responsible for, units with their counts, and units not signed off."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.ledger.rules import LedgerStatus
from domain.membership.units import UnitKind
from storage.db import Database
from storage.models import (
    Evidence,
    LedgerDeadlineChange,
    LedgerExtension,
    LedgerItem,
    LedgerProgress,
    Member,
    SignOff,
    Unit,
)

# Units that keep a problem list of their own (bureau and sections handle cases instead).
LISTING_KINDS: tuple[str, ...] = (
    UnitKind.DISTRICT.value,
    UnitKind.SCHOOL.value,
    UnitKind.CULTURE.value,
    UnitKind.OTHER.value,
)


@dataclass(frozen=True)
class Page:
    items: Sequence[LedgerItem]
    total: int
    offset: int
    names: dict[int, str]  # responsible member id -> display name
    signoff: SignOff | None  # the latest


@dataclass(frozen=True)
class ItemCard:
    item: LedgerItem
    unit: Unit
    responsible: str | None  # the member's name, or the named person
    deadline_changes: Sequence[LedgerDeadlineChange]
    progress: Sequence[LedgerProgress]
    evidence_count: int
    extensions: Sequence[LedgerExtension] = ()


@dataclass(frozen=True)
class UnitSummary:
    unit: Unit
    total: int
    verified: int
    signed_version: int


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.exec(select(Member).where(col(Member.id).in_(ids)))
    return {m.id: m.display_name for m in rows.all() if m.id is not None}


async def latest_signoff(db: Database, unit_id: int) -> SignOff | None:
    async with db.session() as session:
        return await _latest(session, unit_id)


async def _latest(session: AsyncSession, unit_id: int) -> SignOff | None:
    return (
        await session.exec(
            select(SignOff)
            .where(SignOff.unit_id == unit_id)
            .order_by(col(SignOff.version).desc())
            .limit(1)
        )
    ).first()


async def page_of_items(db: Database, unit_id: int, offset: int, limit: int) -> Page:
    """Items `offset`..`offset+limit` of a unit's list, by 序号 (offset clamped to the list)."""
    async with db.session() as session:
        total = (
            await session.exec(
                select(func.count())
                .select_from(LedgerItem)
                .where(LedgerItem.unit_id == unit_id)
                .where(LedgerItem.status != LedgerStatus.RETURNED.value)  # 退单: off the list
            )
        ).one()
        offset = max(0, min(offset, ((total - 1) // limit) * limit if total else 0))
        items = (
            await session.exec(
                select(LedgerItem)
                .where(LedgerItem.unit_id == unit_id)
                .where(LedgerItem.status != LedgerStatus.RETURNED.value)
                .order_by(col(LedgerItem.seq))
                .offset(offset)
                .limit(limit)
            )
        ).all()
        ids = {i.responsible_member_id for i in items if i.responsible_member_id is not None}
        return Page(
            items=items,
            total=total,
            offset=offset,
            names=await _names(session, ids),
            signoff=await _latest(session, unit_id),
        )


async def item_card(db: Database, item_id: int) -> ItemCard | None:
    """One item with its unit, responsible person and history; None if there is none."""
    async with db.session() as session:
        item = await session.get(LedgerItem, item_id)
        if item is None:
            return None
        unit = await session.get(Unit, item.unit_id)
        assert unit is not None
        responsible = item.responsible_name
        if item.responsible_member_id is not None:
            member = await session.get(Member, item.responsible_member_id)
            responsible = member.display_name if member else None
        changes = (
            await session.exec(
                select(LedgerDeadlineChange)
                .where(LedgerDeadlineChange.item_id == item_id)
                .order_by(col(LedgerDeadlineChange.at), col(LedgerDeadlineChange.id))
            )
        ).all()
        progress = (
            await session.exec(
                select(LedgerProgress)
                .where(LedgerProgress.item_id == item_id)
                .order_by(col(LedgerProgress.at).desc(), col(LedgerProgress.id).desc())
                .limit(3)
            )
        ).all()
        evidence = (
            await session.exec(
                select(func.count()).select_from(Evidence).where(Evidence.ledger_item_id == item_id)
            )
        ).one()
        extensions = (
            await session.exec(
                select(LedgerExtension)
                .where(LedgerExtension.item_id == item_id)
                .order_by(col(LedgerExtension.requested_at), col(LedgerExtension.id))
            )
        ).all()
        return ItemCard(
            item=item,
            unit=unit,
            responsible=responsible,
            deadline_changes=changes,
            progress=list(reversed(progress)),
            evidence_count=evidence,
            extensions=extensions,
        )


async def items_for_responsible(db: Database, member_id: int) -> Sequence[LedgerItem]:
    """The items a member is responsible for: unfinished first, then by deadline."""
    async with db.session() as session:
        items = (
            await session.exec(
                select(LedgerItem)
                .where(LedgerItem.responsible_member_id == member_id)
                .where(LedgerItem.status != LedgerStatus.RETURNED.value)
                .order_by(col(LedgerItem.deadline), col(LedgerItem.id))
            )
        ).all()
    done = LedgerStatus.VERIFIED.value
    return sorted(items, key=lambda i: i.status == done)


async def unit_summaries(
    db: Database, offset: int, limit: int, *, unit_ids: Collection[int] | None = None
) -> tuple[Sequence[UnitSummary], int]:
    """Units that keep a list (all, or those of `unit_ids`: a district's), by code, with
    their item counts and latest sign-off."""
    async with db.session() as session:
        listing = select(Unit).where(col(Unit.kind).in_(LISTING_KINDS))
        if unit_ids is not None:
            listing = listing.where(col(Unit.id).in_(sorted(unit_ids)))
        total = (await session.exec(select(func.count()).select_from(listing.subquery()))).one()
        offset = max(0, min(offset, ((total - 1) // limit) * limit if total else 0))
        chosen = (
            await session.exec(listing.order_by(col(Unit.code)).offset(offset).limit(limit))
        ).all()
        ids = [u.id for u in chosen if u.id is not None]
        counts: dict[tuple[int, str], int] = {}
        for unit_id, status, n in (
            await session.exec(
                select(LedgerItem.unit_id, LedgerItem.status, func.count())
                .where(col(LedgerItem.unit_id).in_(ids))
                .where(LedgerItem.status != LedgerStatus.RETURNED.value)
                .group_by(col(LedgerItem.unit_id), col(LedgerItem.status))
            )
        ).all():
            counts[(unit_id, status)] = n
        versions = dict(
            (
                await session.exec(
                    select(SignOff.unit_id, func.max(SignOff.version))
                    .where(col(SignOff.unit_id).in_(ids))
                    .group_by(col(SignOff.unit_id))
                )
            ).all()
        )
    summaries = [
        UnitSummary(
            unit=u,
            total=sum(n for (uid, _s), n in counts.items() if uid == u.id),
            verified=counts.get((u.id or 0, LedgerStatus.VERIFIED.value), 0),
            signed_version=versions.get(u.id or 0, 0) or 0,
        )
        for u in chosen
    ]
    return summaries, total


async def unsigned_units(
    db: Database, *, by: datetime | None = None, unit_ids: Collection[int] | None = None
) -> Sequence[Unit]:
    """Units that keep a list and have no sign-off (at or before `by`, when given); all, or
    those of `unit_ids` (a district's)."""
    async with db.session() as session:
        signed = select(SignOff.unit_id)
        if by is not None:
            signed = signed.where(col(SignOff.at) <= by)
        query = (
            select(Unit)
            .where(col(Unit.kind).in_(LISTING_KINDS))
            .where(col(Unit.id).not_in(signed))
            .order_by(col(Unit.code))
        )
        if unit_ids is not None:
            query = query.where(col(Unit.id).in_(sorted(unit_ids)))
        return (await session.exec(query)).all()


async def member_in_unit(db: Database, member_id: int, unit_id: int) -> Member | None:
    """The active member `member_id` if they belong to `unit_id` (a picked 责任人)."""
    async with db.session() as session:
        member = await session.get(Member, member_id)
    if member is None or not member.active or member.unit_id != unit_id:
        return None
    return member


@dataclass(frozen=True)
class ListLine:
    """One row of the printed problem list (问题整改清单)."""

    seq: int
    description: str
    measure: str | None
    requirement: str | None  # the bureau's 整改要求 of a dispatched item
    deadline: date | None
    responsible: str | None
    added_after_signoff: bool


@dataclass(frozen=True)
class ProblemList:
    """A unit's problem list as it stands, with its latest sign-off and who signed it."""

    unit: Unit
    lines: tuple[ListLine, ...]
    signoff: SignOff | None
    signed_by: str | None


async def problem_lists(db: Database, unit_ids: Collection[int] | None) -> list[ProblemList]:
    """The problem lists of `unit_ids` (every unit that has items when None), by unit code;
    items returned to the bureau (退单) are not on a unit's list, as at sign-off."""
    async with db.session() as session:
        query = (
            select(LedgerItem, Unit)
            .join(Unit, col(Unit.id) == col(LedgerItem.unit_id))
            .where(LedgerItem.status != LedgerStatus.RETURNED.value)
            .order_by(col(Unit.code), col(LedgerItem.seq))
        )
        if unit_ids is not None:
            query = query.where(col(LedgerItem.unit_id).in_(sorted(unit_ids)))
        rows = (await session.exec(query)).all()
        units_by_id: dict[int, Unit] = {}
        if unit_ids is not None:
            found = await session.exec(select(Unit).where(col(Unit.id).in_(sorted(unit_ids))))
            units_by_id = {u.id: u for u in found.all() if u.id is not None}
        for _, unit in rows:
            assert unit.id is not None
            units_by_id[unit.id] = unit
        signoffs = {uid: await _latest(session, uid) for uid in units_by_id}
        people = {s.member_id for s in signoffs.values() if s is not None and s.member_id}
        people |= {i.responsible_member_id for i, _ in rows if i.responsible_member_id}
        names = await _names(session, {p for p in people if p is not None})
    lines: dict[int, list[ListLine]] = {uid: [] for uid in units_by_id}
    for item, _ in rows:
        who = item.responsible_name or names.get(item.responsible_member_id or 0)
        lines[item.unit_id].append(
            ListLine(
                item.seq,
                item.description,
                item.measure,
                item.requirement,
                item.deadline,
                who,
                item.added_after_signoff,
            )
        )
    out = []
    for uid, unit in sorted(units_by_id.items(), key=lambda kv: kv[1].code):
        signed = signoffs[uid]
        signer = names.get(signed.member_id) if signed and signed.member_id else None
        out.append(ProblemList(unit, tuple(lines[uid]), signed, signer))
    return out
