"""The "124" boarding duty's storage: boarding-school and cadre marks, evening check-ins
(member, day, time, whether a location was shared and its distance — never coordinates),
absence requests and their decisions, and the facts the duty rules and statistics read."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.audit import AuditAction, AuditSubject
from domain.duties.checkin import (
    CadreFacts,
    DutyFacts,
    DutyPolicy,
    DutyUnit,
    duty_days_between,
    tally,
)
from domain.membership.roles import Role
from domain.reminders.calendar import WorkCalendar
from storage import audit
from storage.db import Database
from storage.duties import marks as member_marks
from storage.models import Absence, BoardingSchool, Cadre, CheckIn, Member, Unit
from storage.stats.files import Cell, ExtraSheet

APPROVED = "approved"  # an absence that excuses its days (storage/duties/leave.py)


@dataclass(frozen=True)
class Boarding:
    unit_id: int
    code: str
    name: str
    located: bool  # coordinates configured
    cadres: int


@dataclass(frozen=True)
class CadreDuty:
    """A cadre of a boarding school, with the school's position if configured."""

    member_id: int
    unit_id: int
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Recorded:
    created: bool  # False: already checked in that day (a location may have been added)
    checked_at: datetime
    distance_m: int | None


@dataclass(frozen=True)
class CheckInRow:
    day: date
    unit_code: str
    unit_name: str
    name: str
    checked_at: datetime
    location_shared: bool
    distance_m: int | None
    member_id: int = 0


async def mark_boarding(
    db: Database,
    unit_code: str,
    *,
    on: bool,
    now: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: int | None = None,
    actor_member_id: int | None = None,
) -> Unit | None:
    """Mark (or unmark) the unit with `unit_code` as a boarding school; None if no such unit."""
    async with db.session() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == unit_code))).first()
        if unit is None or unit.id is None:
            return None
        row = await session.get(BoardingSchool, unit.id)
        if on:
            row = row or BoardingSchool(unit_id=unit.id, marked_at=now)
            if latitude is not None and longitude is not None:
                row.latitude, row.longitude = latitude, longitude
            if radius_m is not None:
                row.radius_m = radius_m
            session.add(row)
        elif row is not None:
            await session.delete(row)
        audit.record(
            session,
            at=now,
            action=AuditAction.DUTY_BOARDING if on else AuditAction.DUTY_NOT_BOARDING,
            subject_type=AuditSubject.UNIT,
            subject_id=unit.id,
            actor_member_id=actor_member_id,
            actor_kind="member" if actor_member_id else "system",
        )
        await session.commit()
        return unit


async def boarding_schools(db: Database) -> list[Boarding]:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(BoardingSchool, Unit)
                .join(Unit, col(Unit.id) == col(BoardingSchool.unit_id))
                .order_by(col(Unit.code))
            )
        ).all()
        cadres = (
            await session.exec(
                select(Member.unit_id)
                .join(Cadre, col(Cadre.member_id) == col(Member.id))
                .where(col(Member.active).is_(True))
            )
        ).all()
    return [
        Boarding(
            b.unit_id,
            u.code,
            u.name,
            b.latitude is not None and b.longitude is not None,
            sum(1 for unit_id in cadres if unit_id == b.unit_id),
        )
        for b, u in rows
    ]


async def set_cadre(
    db: Database, member_id: int, *, on: bool, now: datetime, actor_member_id: int | None = None
) -> bool:
    """Mark or unmark a member as a school-level cadre; False if no such active member."""
    return await member_marks.set_mark(
        db,
        member_id,
        table=Cadre,
        make=lambda: Cadre(member_id=member_id, marked_at=now),
        on=on,
        actions=(AuditAction.DUTY_CADRE, AuditAction.DUTY_NOT_CADRE),
        now=now,
        actor_member_id=actor_member_id,
    )


async def member(db: Database, member_id: int) -> Member | None:
    async with db.session() as session:
        return await session.get(Member, member_id)


async def cadre_ids(db: Database, unit_id: int) -> frozenset[int]:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Cadre.member_id)
                .join(Member, col(Member.id) == col(Cadre.member_id))
                .where(Member.unit_id == unit_id)
            )
        ).all()
    return frozenset(rows)


async def cadre_duty(db: Database, member_id: int) -> CadreDuty | None:
    """The member's duty if they are an active cadre of a boarding school."""
    async with db.session() as session:
        row = (
            await session.exec(
                select(Member, BoardingSchool)
                .join(Cadre, col(Cadre.member_id) == col(Member.id))
                .join(BoardingSchool, col(BoardingSchool.unit_id) == col(Member.unit_id))
                .where(Member.id == member_id)
                .where(col(Member.active).is_(True))
            )
        ).first()
    if row is None:
        return None
    member, school = row
    assert member.id is not None
    return CadreDuty(member.id, member.unit_id, school.latitude, school.longitude)


async def record_checkin(
    db: Database,
    duty: CadreDuty,
    *,
    day: date,
    now: datetime,
    distance_m: int | None = None,
    location_shared: bool = False,
) -> Recorded:
    """The cadre is at school on `day`; a second call only adds a shared location."""
    async with db.session() as session:
        found = (
            await session.exec(
                select(CheckIn).where(CheckIn.member_id == duty.member_id).where(CheckIn.day == day)
            )
        ).first()
        if found is None:
            row = CheckIn(
                member_id=duty.member_id,
                unit_id=duty.unit_id,
                day=day,
                checked_at=now,
                location_shared=location_shared,
                distance_m=distance_m,
            )
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:  # a double press: the other one was first
                await session.rollback()
                return await record_checkin(
                    db,
                    duty,
                    day=day,
                    now=now,
                    distance_m=distance_m,
                    location_shared=location_shared,
                )
            return Recorded(True, now, distance_m)
        if location_shared and not found.location_shared:
            found.location_shared, found.distance_m = True, distance_m
            session.add(found)
            await session.commit()
        return Recorded(False, found.checked_at, found.distance_m)


async def duty_facts(db: Database, first: date, last: date, *, tz: ZoneInfo) -> DutyFacts:
    """Boarding units with their heads and active cadres; check-ins and approved absences
    of the days `first`..`last`."""
    async with db.session() as session:
        schools = (
            await session.exec(
                select(Unit, BoardingSchool).join(
                    BoardingSchool, col(BoardingSchool.unit_id) == col(Unit.id)
                )
            )
        ).all()
        units = [u for u, _ in schools]
        marked = {b.unit_id: b.marked_at for _, b in schools}
        ids = [u.id for u in units if u.id is not None]
        people = (
            await session.exec(
                select(Member, Cadre)
                .outerjoin(Cadre, col(Cadre.member_id) == col(Member.id))
                .where(col(Member.unit_id).in_(ids))
                .where(col(Member.active).is_(True))
            )
        ).all()
        checked = (
            await session.exec(
                select(col(CheckIn.member_id), col(CheckIn.day))
                .where(col(CheckIn.day) >= first)
                .where(col(CheckIn.day) <= last)
            )
        ).all()
        leaves = (
            await session.exec(
                select(Absence)
                .where(Absence.status == APPROVED)
                .where(col(Absence.first_day) <= last)
                .where(col(Absence.last_day) >= first)
            )
        ).all()
    heads: dict[int, list[int]] = {}
    cadres: list[CadreFacts] = []
    for member, cadre in people:
        assert member.id is not None
        if member.role == Role.UNIT_HEAD.value:
            heads.setdefault(member.unit_id, []).append(member.id)
        if cadre is not None:
            since = max(cadre.marked_at, marked[member.unit_id]).astimezone(tz).date()
            cadres.append(CadreFacts(member.id, member.unit_id, member.display_name, since))
    excused: set[tuple[int, date]] = set()
    for leave in leaves:
        day = max(leave.first_day, first)
        while day <= min(leave.last_day, last):
            excused.add((leave.member_id, day))
            day = date.fromordinal(day.toordinal() + 1)
    return DutyFacts(
        units={
            u.id: DutyUnit(u.id, u.code, u.name, tuple(sorted(heads.get(u.id, ()))))
            for u in units
            if u.id is not None
        },
        cadres=tuple(cadres),
        checked=frozenset((m, d) for m, d in checked),
        excused=frozenset(excused),
    )


CHECKIN_COLUMNS: tuple[tuple[str, int], ...] = (
    ("日期", 12),
    ("单位", 18),
    ("姓名", 12),
    ("情况", 10),
    ("签到时间", 10),
    ("共享位置", 10),
    ("距学校（米）", 12),
)
DUTY_SHEET = "124住校值守"
AT_SCHOOL, ON_LEAVE, MISSING = "在校", "请假", "未签到"


async def checkin_rows(
    db: Database,
    first: date,
    last: date,
    *,
    unit_id: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> Sequence[CheckInRow]:
    """Every check-in of `first`..`last` (of one unit, of `unit_ids`, or all), for the export."""
    async with db.session() as session:
        query = (
            select(CheckIn, Member, Unit)
            .join(Member, col(Member.id) == col(CheckIn.member_id))
            .join(Unit, col(Unit.id) == col(CheckIn.unit_id))
            .where(col(CheckIn.day) >= first)
            .where(col(CheckIn.day) <= last)
            .order_by(col(CheckIn.day), col(Unit.code), col(Member.display_name))
        )
        if unit_id is not None:
            query = query.where(col(CheckIn.unit_id) == unit_id)
        if unit_ids is not None:
            query = query.where(col(CheckIn.unit_id).in_(sorted(unit_ids)))
        rows = (await session.exec(query)).all()
    return [
        CheckInRow(
            c.day,
            u.code,
            u.name,
            m.display_name,
            c.checked_at,
            c.location_shared,
            c.distance_m,
            c.member_id,
        )
        for c, m, u in rows
    ]


async def checkin_sheet(
    db: Database,
    *,
    unit_id: int | None,
    tz: ZoneInfo,
    policy: DutyPolicy | None = None,
    calendar: WorkCalendar | None = None,
    last: date,
    unit_ids: Collection[int] | None = None,
) -> ExtraSheet:
    """The "124" duty sheet of the export: every duty night of every cadre (of one unit, of
    `unit_ids` — a district's — or all) from the day the cadre was marked to `last` (the
    caller's yesterday), as 在校 (with the check-in time and whether a location was shared —
    never coordinates), 请假 (approved leave) or 未签到 (missing)."""
    policy = policy or DutyPolicy(timezone=tz)
    facts = await duty_facts(db, date(2000, 1, 1), last, tz=tz)
    if unit_id is not None:
        facts = replace(facts, cadres=tuple(c for c in facts.cadres if c.unit_id == unit_id))
    if unit_ids is not None:
        facts = replace(facts, cadres=tuple(c for c in facts.cadres if c.unit_id in unit_ids))
    starts = [c.since for c in facts.cadres if c.since is not None]
    days = (
        duty_days_between(min(starts), last, policy, calendar or WorkCalendar()) if starts else []
    )
    checked = {
        (r.member_id, r.day): r
        for r in (
            await checkin_rows(db, min(starts), last, unit_id=unit_id, unit_ids=unit_ids)
            if starts
            else []
        )
    }
    values: list[list[Cell]] = []
    for day in days:
        for entry in tally(facts, day):
            unit = facts.units[entry.unit_id]
            for state, cadres in (
                (AT_SCHOOL, entry.present),
                (ON_LEAVE, entry.excused),
                (MISSING, entry.missing),
            ):
                for cadre in cadres:
                    row = checked.get((cadre.member_id, day))
                    values.append(
                        [
                            day,
                            unit.name,
                            cadre.name,
                            state,
                            row.checked_at.astimezone(tz).strftime("%H:%M") if row else None,
                            ("是" if row.location_shared else "否") if row else None,
                            row.distance_m if row else None,
                        ]
                    )
    return DUTY_SHEET, CHECKIN_COLUMNS, values
