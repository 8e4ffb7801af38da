"""The sweep's candidate queries: only what can be due now, through indexes.

Ledger items come from `ix_ledger_items_status_deadline` (open statuses, deadline on or
before the end of the longest ladder): items far from any deadline, or closed, are never read,
so a sweep's cost grows with what is due, not with the size of the ledger. Units, heads, group
bindings and pauses are per unit (hundreds), cases are the open ones with a clock.

An incremental sweep (`Scope`) reads fewer items still: those whose stored `remind_at` has come
(or that no sweep has looked at), those changed since the last sweep, every candidate item of
a unit whose facts changed (heads, groups, pause, sign-off, its members), and named ones.
`mark` stores each looked-at item's next `remind_at`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, bindparam, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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


@dataclass(frozen=True)
class Scope:
    """Which candidate items an incremental sweep reads (every one when no scope is given)."""

    due_by: datetime | None = None  # items whose `remind_at` has come, or is not set yet
    changed_since: datetime | None = None  # items and members updated since
    previous_units: Mapping[int, UnitFacts] | None = None  # units that differ are read whole
    units: frozenset[int] = frozenset()  # read whole
    item_ids: frozenset[int] = frozenset()


async def snapshot(
    db: Database,
    *,
    until: date,
    case_kinds: Collection[str],
    audiences: Iterable[str] = (),
    staff_chat: bool,
    tz: ZoneInfo,
    scope: Scope | None = None,
) -> Snapshot:
    """Everything the rules need at this sweep. `until`: the last deadline a ladder can reach;
    `audiences`: the fixed-deadline audiences whose ladder is running today; `scope`: read
    only the items that can have become due (`Snapshot.whole_units` says which units whole)."""
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
        units = _unit_facts(unit_rows, tree, heads, groups, signed, paused)
        whole: frozenset[int] | None = None
        if scope is None:
            item_rows = await _items(session, until, None)
        else:
            whole = scope.units
            if scope.previous_units is not None:
                before = scope.previous_units
                whole |= {uid for uid, unit in units.items() if before.get(uid) != unit}
            if scope.changed_since is not None:
                whole |= set(
                    (
                        await session.exec(
                            select(Member.unit_id)
                            .where(col(Member.updated_at) >= scope.changed_since)
                            .distinct()
                        )
                    ).all()
                )
            item_rows = await _scoped_items(session, until, scope, whole)
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
            remind_at=remind_at,
        )
        for item_id, unit_id, seq, description, deadline, status, created_at, remind_at, rid in (
            item_rows
        )
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
        units=units,
        items=items,
        cases=cases,
        audiences=audience_rows,
        staff_chat=staff_chat,
        whole_units=whole,
    )


def _unit_facts(
    unit_rows: Iterable[Any],
    tree: Iterable[Any],
    heads: Iterable[Any],
    groups: Iterable[Any],
    signed: Collection[int],
    paused: Collection[int],
) -> dict[int, UnitFacts]:
    head_map: dict[int, list[int]] = {}
    for member_id, unit_id in heads:
        if member_id is not None:
            head_map.setdefault(unit_id, []).append(member_id)
    group_map: dict[int, list[int]] = {}
    for chat_id, unit_id in groups:
        group_map.setdefault(unit_id, []).append(chat_id)
    branches = [(uid, parent, kind) for uid, parent, kind in tree if uid is not None]
    districts = district_of(
        {uid: parent for uid, parent, _ in branches},
        frozenset(uid for uid, _, kind in branches if kind == UnitKind.DISTRICT),
    )
    return {
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


async def _items(
    session: AsyncSession,
    until: date,
    where: ColumnElement[bool] | None,
    *,
    window: bool = True,
    status: bool = True,
) -> list[Any]:
    """Open candidate items (deadline on or before `until`) as columns, `where` also holds.
    `window` / `status` False: that part is checked here instead of in the query, so the
    database picks the index of `where` (a scan of every open item in the window otherwise)."""
    responsible = aliased(Member)
    query = (
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
            col(LedgerItem.remind_at),
            col(responsible.id),
        ).outerjoin(
            responsible,
            and_(
                col(responsible.id) == col(LedgerItem.responsible_member_id),
                col(responsible.active).is_(True),
                col(responsible.unit_id) == col(LedgerItem.unit_id),
            ),
        )
    )
    if status:
        query = query.where(col(LedgerItem.status).in_(sorted(OPEN_ITEM_STATUSES)))
    if window:
        query = query.where(col(LedgerItem.deadline).is_not(None))
        query = query.where(col(LedgerItem.deadline) <= until)
    if where is not None:
        query = query.where(where)
    rows = list((await session.exec(query)).all())  # type: ignore[call-overload]  # 9 columns
    if window and status:
        return rows
    return [r for r in rows if r[5] in OPEN_ITEM_STATUSES and r[4] is not None and r[4] <= until]


async def _scoped_items(
    session: AsyncSession, until: date, scope: Scope, whole: Collection[int]
) -> list[Any]:
    """The items an incremental sweep reads: one indexed query per reason, joined by id
    (an OR of them would make the database scan every open candidate)."""
    # (reason, whether the query keeps the window, whether it keeps the status)
    reasons: list[tuple[ColumnElement[bool], bool, bool]] = []
    if scope.due_by is not None:  # both through ix_ledger_items_status_remind
        reasons += [
            (col(LedgerItem.remind_at).is_(None), True, True),  # not looked at yet
            (col(LedgerItem.remind_at) <= scope.due_by, False, True),
        ]
    if scope.changed_since is not None:  # ix_ledger_items_updated_at
        reasons.append((col(LedgerItem.updated_at) >= scope.changed_since, False, False))
    if whole:
        reasons.append((col(LedgerItem.unit_id).in_(sorted(whole)), True, True))
    if scope.item_ids:
        reasons.append((col(LedgerItem.id).in_(sorted(scope.item_ids)), False, False))
    found: dict[int, Any] = {}
    for reason, window, status in reasons:
        for row in await _items(session, until, reason, window=window, status=status):
            found.setdefault(row[0], row)
    return list(found.values())


async def mark(db: Database, marks: Mapping[int, datetime]) -> None:
    """Store when the sweep must look at each item again (item id -> instant)."""
    if not marks:
        return
    table = LedgerItem.__table__  # type: ignore[attr-defined]  # Core: one executemany
    statement = (
        update(table).where(table.c.id == bindparam("item_id")).values(remind_at=bindparam("at"))
    )
    async with db.session() as session:
        await session.exec(
            statement, params=[{"item_id": i, "at": at} for i, at in sorted(marks.items())]
        )
        await session.commit()
