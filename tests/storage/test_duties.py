"""The duties' storage on every backend: a check-in once per day (a second press only adds
a location), an absence decided once, the duty facts the rules read, and findings numbered
F-<year>-NNNN with their round counted per unit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from domain.membership.roles import Role
from storage.db import Database
from storage.duties import checkins, inspections
from storage.duties import leave as checkin_leave
from tests.storage.test_reports import NOW, TODAY, People, join, people

__all__ = ["people"]  # the fixture, re-used
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2027, 3, 15)
EVENING = datetime(2027, 3, 15, 12, 10, tzinfo=UTC)  # 20:10 in Shanghai


async def test_checkins_absences_and_duty_facts(db: Database, people: People) -> None:
    assert await checkins.mark_boarding(
        db, "SCH001", on=True, now=NOW, latitude=36.0, longitude=103.0
    )
    assert await checkins.mark_boarding(db, "NOPE", on=True, now=NOW) is None
    cadre = people.author
    other = await join(db, "SCH001", Role.MEMBER, 21, "钱书记")
    assert cadre.id is not None and other.id is not None
    for member_id in (cadre.id, other.id):
        assert await checkins.set_cadre(db, member_id, on=True, now=NOW)
    duty = await checkins.cadre_duty(db, cadre.id)
    assert duty is not None and (duty.latitude, duty.longitude) == (36.0, 103.0)
    assert await checkins.cadre_duty(db, people.head.id or 0) is None  # not a cadre

    first = await checkins.record_checkin(db, duty, day=MONDAY, now=EVENING)
    again = await checkins.record_checkin(
        db, duty, day=MONDAY, now=EVENING, distance_m=120, location_shared=True
    )
    assert first.created and not again.created and again.distance_m == 120

    absence_id, heads = await checkin_leave.request_absence(
        db, other.id, first_day=MONDAY, last_day=MONDAY, reason="培训", now=NOW
    )
    assert [h.name for h in heads] == ["李校长"]
    for expected in (True, False):  # decided once; the second press finds it decided
        decided = await checkin_leave.decide_absence(
            db, absence_id, approve=True, decider_telegram_id=12,
            decider_member_id=people.head.id, now=NOW,
        )  # fmt: skip
        assert decided is expected

    facts = await checkins.duty_facts(db, MONDAY, MONDAY, tz=TZ)
    assert {u.code for u in facts.units.values()} == {"SCH001"}
    assert facts.units[people.school].heads == (people.head.id,)
    assert sorted(c.name for c in facts.cadres) == ["张老师", "钱书记"]
    assert facts.checked == frozenset({(cadre.id, MONDAY)})
    assert facts.excused == frozenset({(other.id, MONDAY)})
    rows = await checkins.checkin_rows(db, MONDAY, MONDAY)
    assert [(r.name, r.location_shared, r.distance_m) for r in rows] == [("张老师", True, 120)]


async def test_findings_are_numbered_and_counted_per_round(db: Database, people: People) -> None:
    made = await inspections.create_round(db, "春季", created_by=1, now=NOW)
    assert made is not None
    assert await inspections.create_round(db, "春季", created_by=1, now=NOW) is None
    assert people.handler.id is not None
    assert await inspections.set_inspector(db, people.handler.id, on=True, now=NOW)
    numbers = []
    for unit in (people.school, people.school, people.other_school):
        filed = await inspections.file_finding(
            db,
            round_id=made.id,
            inspector_member_id=people.handler.id,
            unit_id=unit,
            category_key="insp_illegal_fees",
            description="收取资料费",
            observed_at=NOW,
            photos=[inspections.Photo("file-1", 10)],
            today=TODAY,
            now=NOW,
        )
        numbers.append(filed.number)
    assert numbers == ["F-2027-0001", "F-2027-0002", "F-2027-0003"]
    counted = await inspections.round_counts(db)
    assert counted[0].total == 3
    assert counted[0].per_unit == (("城关第一中学", 2), ("城关第二小学", 1))
