"""The sweep's candidate queries: only what can be due now, through indexes.

Ledger items come from `ix_ledger_items_status_deadline` (open statuses, deadline on or
before the end of the longest ladder): items far from any deadline, or closed, are never read,
so a sweep's cost grows with what is due, not with the size of the ledger. Units, heads, group
bindings and pauses are per unit (hundreds), cases are the open ones with a clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from domain.membership.units import UnitKind, district_of
from domain.reminders.due import (
    OPEN_CASE_STATUSES,
    OPEN_ITEM_STATUSES,
    CaseFacts,
    ItemFacts,
    Snapshot,
    UnitFacts,
)
from storage.db import Database
from storage.models import Case, GroupBinding, LedgerItem, Member, SignOff, Unit
from storage.models.reminders import ReminderPause

_AUDIENCE_ROLES: dict[str, tuple[str, ...]] = {
    "unit_heads": ("unit_head",),
    "members": ("member",),
    "handlers": ("handler",),
    "all": ("member", "unit_head", "handler"),
}


async def snapshot(
    db: Database,
    *,
    until: date,
    case_kinds: Collection[str],
    audiences: Iterable[str] = (),
    staff_chat: bool,
    tz: ZoneInfo,
) -> Snapshot:
    """Everything the rules need at this sweep. `until`: the last deadline a ladder can reach;
    `audiences`: the fixed-deadline audiences whose ladder is running today."""
    responsible = aliased(Member)
    owner = aliased(Member)
    async with db.session() as session:
        unit_rows = (await session.exec(select(Unit.id, Unit.code, Unit.name))).all()
        tree = (await session.exec(select(Unit.id, Unit.parent_id, Unit.kind))).all()
        heads = (
            await session.exec(
                select(Member.id, Member.unit_id)
                .where(Member.role == "unit_head")
                .where(col(Member.active).is_(True))
                .order_by(col(Member.id))
            )
        ).all()
        groups = (await session.exec(select(GroupBinding.chat_id, GroupBinding.unit_id))).all()
        signed = set((await session.exec(select(SignOff.unit_id).distinct())).all())
        paused = set((await session.exec(select(ReminderPause.unit_id))).all())
        item_rows = (
            await session.exec(  # type: ignore[call-overload]  # 8 columns: beyond sqlmodel's typed select
                # Columns, not ORM objects: a deadline-day sweep reads thousands of items, and
                # building an instance per row was most of its time.
                sa_select(
                    col(LedgerItem.id),
                    col(LedgerItem.unit_id),
                    col(LedgerItem.seq),
                    col(LedgerItem.description),
                    col(LedgerItem.deadline),
                    col(LedgerItem.status),
                    col(LedgerItem.created_at),
                    col(responsible.id),
                )
                .outerjoin(
                    responsible,
                    and_(
                        col(responsible.id) == col(LedgerItem.responsible_member_id),
                        col(responsible.active).is_(True),
                        col(responsible.unit_id) == col(LedgerItem.unit_id),
                    ),
                )
                .where(col(LedgerItem.status).in_(sorted(OPEN_ITEM_STATUSES)))
                .where(col(LedgerItem.deadline).is_not(None))
                .where(col(LedgerItem.deadline) <= until)
            )
        ).all()
        case_rows = []
        if case_kinds:
            case_rows = list(
                (
                    await session.exec(
                        select(Case, owner.id)
                        .outerjoin(
                            owner,
                            and_(
                                col(owner.id) == col(Case.owner_member_id),
                                col(owner.active).is_(True),
                            ),
                        )
                        .where(col(Case.kind).in_(sorted(case_kinds)))
                        .where(col(Case.status).in_(sorted(OPEN_CASE_STATUSES)))
                        .where(
                            or_(
                                col(Case.acknowledged_on).is_(None),
                                col(Case.answered_on).is_(None),
                                col(Case.reopened_on).is_not(None),  # 重办: its own clock
                            )
                        )
                    )
                ).all()
            )
        audience_rows: dict[str, tuple[tuple[int, int], ...]] = {}
        for audience in sorted(set(audiences)):
            roles = _AUDIENCE_ROLES.get(audience, ())
            rows = (
                await session.exec(
                    select(Member.id, Member.unit_id)
                    .where(col(Member.role).in_(roles))
                    .where(col(Member.active).is_(True))
                    .order_by(col(Member.id))
                )
            ).all()
            audience_rows[audience] = tuple((m, u) for m, u in rows if m is not None)
    head_map: dict[int, list[int]] = {}
    for member_id, unit_id in heads:
        if member_id is not None:
            head_map.setdefault(unit_id, []).append(member_id)
    group_map: dict[int, list[int]] = {}
    for chat_id, unit_id in groups:
        group_map.setdefault(unit_id, []).append(chat_id)
    districts = district_of(
        {uid: parent for uid, parent, _ in tree if uid is not None},
        frozenset(uid for uid, _, kind in tree if uid is not None and kind == UnitKind.DISTRICT),
    )
    units = {
        uid: UnitFacts(
            id=uid,
            code=code,
            name=name,
            heads=tuple(head_map.get(uid, ())),
            groups=tuple(sorted(group_map.get(uid, ()))),
            signed_off=uid in signed,
            paused=uid in paused,
            district_heads=tuple(head_map.get(districts[uid], ())) if uid in districts else (),
        )
        for uid, code, name in unit_rows
        if uid is not None
    }
    items = tuple(
        ItemFacts(
            id=item_id,
            unit_id=unit_id,
            seq=seq,
            description=description,
            deadline=deadline,
            status=status,
            responsible_member_id=rid,
            created_on=created_at.astimezone(tz).date(),
        )
        for item_id, unit_id, seq, description, deadline, status, created_at, rid in item_rows
        if item_id is not None and deadline is not None
    )
    cases = tuple(
        CaseFacts(
            id=case.id,
            kind=case.kind,
            number=case.number,
            status=case.status,
            opened_on=case.opened_on,
            acknowledged_on=case.acknowledged_on,
            answered_on=case.answered_on,
            reopened_on=case.reopened_on,
            rehandled=case.rehandled,
            owner_member_id=oid,
        )
        for case, oid in case_rows
        if case.id is not None
    )
    return Snapshot(
        units=units, items=items, cases=cases, audiences=audience_rows, staff_chat=staff_chat
    )
