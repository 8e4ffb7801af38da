"""The sweep's candidate queries: only what can be due now, through indexes.

Ledger items come from `ix_ledger_items_status_deadline` (open statuses, deadline on or
before the end of the longest ladder): items far from any deadline, or closed, are never read,
so a sweep's cost grows with what is due, not with the size of the ledger. Units, heads, group
bindings and pauses are per unit (hundreds), cases are the open ones with a clock.

An incremental sweep (`Scope`) reads fewer items still: those whose stored `remind_at` has come
(or that no sweep has looked at and whose deadline came into the window since the last sweep),
those changed since the last sweep, every candidate item of a unit whose facts changed (heads,
groups, pause, sign-off, its members), and named ones. A snapshot is two statements (per-unit
facts, items; three with case clocks), so that its fixed cost on PostgreSQL is a few round
trips. `record` stores the sweep's outbox rows and each looked-at item's next `remind_at` in
one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    union_all,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.membership.units import UnitKind, district_of, files_problem_list
from domain.reminders.due import (
    OPEN_CASE_STATUSES,
    OPEN_ITEM_STATUSES,
    CaseFacts,
    Due,
    ItemFacts,
    Snapshot,
    UnitFacts,
)
from storage.db import Database
from storage.models import Case, GroupBinding, LedgerItem, Member, SignOff, Unit
from storage.models.reminders import ReminderPause
from storage.reminders.outbox import add_in
from storage.types import UTCDateTime

_AUDIENCE_ROLES: dict[str, tuple[str, ...]] = {
    "unit_heads": ("unit_head",),
    "members": ("member",),
    "handlers": ("handler",),
    "all": ("member", "unit_head", "handler"),
}
_NO_INT = cast(null(), BigInteger)
_NO_TEXT = cast(null(), String)


@dataclass(frozen=True)
class Scope:
    """Which candidate items an incremental sweep reads (every one when no scope is given)."""

    due_by: datetime | None = None  # items whose `remind_at` has come, or is not set yet
    # Of the items not looked at yet, only those whose deadline came into the window after
    # this day (the last sweep's window end): the last sweep read and marked every candidate
    # it saw, and an item written since is read as changed. None: every one in the window.
    window_after: date | None = None
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
    only the items that can have become due (`Snapshot.whole_units` says which units whole).

    Two statements (three with case clocks): every per-unit fact, then the items. On
    PostgreSQL each statement is a round trip, and on a loaded machine each round trip can
    cost a scheduling slice: the sweep's fixed cost is their number, not their work."""
    wanted = sorted(set(audiences))
    roles = {"unit_head", *(r for a in wanted for r in _AUDIENCE_ROLES.get(a, ()))}
    changed_since = scope.changed_since if scope is not None else None
    async with db.session() as session:
        # Reads only, each statement consistent in itself (PostgreSQL's READ COMMITTED gives
        # each statement its own snapshot in a transaction too): no BEGIN and ROLLBACK, two
        # round trips fewer. What one statement missed, the next sweep reads as changed.
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        facts = _UnitRows.read(
            (await session.exec(_unit_level(roles, changed_since))).all()  # type: ignore[call-overload]
        )
        case_rows = await _cases(session, case_kinds) if case_kinds else []
        units = _unit_facts(
            facts.units, facts.tree, facts.heads, facts.groups, facts.signed, facts.paused
        )
        whole: frozenset[int] | None = None
        if scope is None:
            item_rows = await _items(session, until, [(None, True, True)])
        else:
            whole = scope.units | facts.changed
            if scope.previous_units is not None:
                before = scope.previous_units
                whole |= {uid for uid, unit in units.items() if before.get(uid) != unit}
            item_rows = await _items(session, until, _reasons(scope, whole))
    audience_rows = {
        audience: tuple(
            (m, u) for m, u, role in facts.members if role in _AUDIENCE_ROLES.get(audience, ())
        )
        for audience in wanted
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


def _unit_level(
    roles: Collection[str], changed_since: datetime | None
) -> CompoundSelect[*tuple[Any, ...]]:
    """Every per-unit fact in one statement: rows tagged with what they are (a unit, an active
    member of one of `roles`, a bound group, a signed-off unit, a paused unit, a unit with a
    member written since `changed_since`), in the columns (tag, n1, n2, t1, t2, t3)."""

    def tagged(
        tag: str,
        n1: Any,
        n2: Any = _NO_INT,
        t1: Any = _NO_TEXT,
        t2: Any = _NO_TEXT,
        t3: Any = _NO_TEXT,
    ) -> Select[*tuple[Any, ...]]:
        return sa_select(
            literal_column(f"'{tag}'").label("tag"),
            n1.label("n1"),
            n2.label("n2"),
            t1.label("t1"),
            t2.label("t2"),
            t3.label("t3"),
        )

    parts = [
        tagged(
            "unit",
            col(Unit.id),
            col(Unit.parent_id),
            col(Unit.code),
            col(Unit.name),
            col(Unit.kind),
        ),
        tagged("member", col(Member.id), col(Member.unit_id), col(Member.role))
        .where(col(Member.active).is_(True))
        .where(col(Member.role).in_(sorted(roles))),
        tagged("group", col(GroupBinding.chat_id), col(GroupBinding.unit_id)),
        tagged("signed", col(SignOff.unit_id)).distinct(),
        tagged("paused", col(ReminderPause.unit_id)),
    ]
    if changed_since is not None:  # through ix_members_updated_at
        parts.append(
            tagged("changed", col(Member.unit_id))
            .where(col(Member.updated_at) >= changed_since)
            .distinct()
        )
    return union_all(*parts)


@dataclass
class _UnitRows:
    """The rows of `_unit_level`, by tag."""

    units: list[tuple[int, str, str]] = field(default_factory=list)
    tree: list[tuple[int, int | None, str]] = field(default_factory=list)
    heads: list[tuple[int, int]] = field(default_factory=list)
    members: list[tuple[int, int, str]] = field(default_factory=list)  # id, unit, role; by id
    groups: list[tuple[int, int]] = field(default_factory=list)
    signed: set[int] = field(default_factory=set)
    paused: set[int] = field(default_factory=set)
    changed: frozenset[int] = frozenset()

    @classmethod
    def read(cls, rows: Iterable[Any]) -> _UnitRows:
        found = cls()
        changed: set[int] = set()
        for tag, n1, n2, t1, t2, t3 in rows:
            if tag == "unit":
                found.units.append((n1, t1, t2))
                found.tree.append((n1, n2, t3))
            elif tag == "member":
                found.members.append((n1, n2, t1))
            elif tag == "group":
                found.groups.append((n1, n2))
            elif tag == "signed":
                found.signed.add(n1)
            elif tag == "paused":
                found.paused.add(n1)
            elif tag == "changed":
                changed.add(n1)
        found.members.sort()
        found.heads = [(m, u) for m, u, role in found.members if role == "unit_head"]
        found.changed = frozenset(changed)
        return found


async def _cases(session: AsyncSession, case_kinds: Collection[str]) -> list[Any]:
    """The open cases of `case_kinds` whose clock still runs, with their active owner."""
    owner = aliased(Member)
    return list(
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
    kinds = {uid: kind for uid, _, kind in branches}
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
            files_list=files_problem_list(kinds.get(uid, "")),
        )
        for uid, code, name in unit_rows
        if uid is not None
    }


# (reason, whether its query keeps the candidate window, whether it keeps the open statuses)
_Reason = tuple[ColumnElement[bool] | None, bool, bool]


def _reasons(scope: Scope, whole: Collection[int]) -> list[_Reason]:
    """Why an incremental sweep reads an item: one indexed condition per reason (an OR of
    them would make the database scan every open candidate)."""
    reasons: list[_Reason] = []
    if scope.due_by is not None:
        unlooked: ColumnElement[bool] = col(LedgerItem.remind_at).is_(None)  # ..._unlooked
        if scope.window_after is not None:
            # Not the whole window: the index entries of items marked since the last vacuum
            # stay there (dead), and PostgreSQL's bitmap scan would visit each every sweep.
            unlooked = and_(unlooked, col(LedgerItem.deadline) > scope.window_after)
        reasons += [
            (unlooked, True, True),
            (col(LedgerItem.remind_at) <= scope.due_by, False, True),  # ..._status_remind
        ]
    if scope.changed_since is not None:  # ix_ledger_items_updated_at
        reasons.append((col(LedgerItem.updated_at) >= scope.changed_since, False, False))
    if whole:
        reasons.append((col(LedgerItem.unit_id).in_(sorted(whole)), True, True))
    if scope.item_ids:
        reasons.append((col(LedgerItem.id).in_(sorted(scope.item_ids)), False, False))
    return reasons


def _item_query(
    until: date, where: ColumnElement[bool] | None, *, window: bool, status: bool
) -> Select[*tuple[Any, ...]]:
    """Candidate items as columns, `where` also holds. `window` / `status` False: that part
    is left to `_items`, so the database picks the index of `where` (a scan of every open
    item in the window otherwise)."""
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
    return query


async def _items(session: AsyncSession, until: date, reasons: Sequence[_Reason]) -> list[Any]:
    """The open candidate items (deadline on or before `until`) that meet any of `reasons`,
    once each: one statement (a UNION ALL of one query per reason, each through its index)."""
    if not reasons:
        return []
    queries = [_item_query(until, w, window=win, status=st) for w, win, st in reasons]
    statement = queries[0] if len(queries) == 1 else union_all(*queries)
    rows = (await session.exec(statement)).all()  # type: ignore[call-overload]  # 9 columns
    if len(reasons) == 1 and reasons[0][1] and reasons[0][2]:
        return list(rows)
    found: dict[int, Any] = {}
    for row in rows:
        if row[5] in OPEN_ITEM_STATUSES and row[4] is not None and row[4] <= until:
            found.setdefault(row[0], row)
    return list(found.values())


async def record(
    db: Database, dues: Iterable[Due], marks: Mapping[int, datetime], *, now: datetime
) -> int:
    """Record a sweep's due reminders in the outbox and store when to look at each item it
    read again (item id -> instant), in one transaction: an item's next look is never stored
    without the reminders that made it. Returns the new outbox rows."""
    wanted = list(dues)
    if not wanted and not marks:
        return 0
    async with db.session() as session:
        added = await add_in(session, wanted, now=now)
        await _mark(session, marks)
        await session.commit()
    return added


async def _mark(session: AsyncSession, marks: Mapping[int, datetime]) -> None:
    """One statement: on PostgreSQL an UPDATE from two arrays (one round trip, however many
    items), on SQLite an executemany (in process, no round trip to save)."""
    if not marks:
        return
    table = LedgerItem.__table__  # type: ignore[attr-defined]  # Core, not the ORM
    ordered = sorted(marks.items())
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        given = sa_select(
            func.unnest(bindparam("ids", type_=ARRAY(Integer()))).label("id"),
            func.unnest(bindparam("ats", type_=ARRAY(UTCDateTime()))).label("at"),
        ).subquery("marks")
        await session.exec(
            update(table).where(table.c.id == given.c.id).values(remind_at=given.c.at),
            params={"ids": [i for i, _ in ordered], "ats": [at for _, at in ordered]},
        )
        return
    statement = (
        update(table).where(table.c.id == bindparam("item_id")).values(remind_at=bindparam("at"))
    )
    await session.exec(statement, params=[{"item_id": i, "at": at} for i, at in ordered])
