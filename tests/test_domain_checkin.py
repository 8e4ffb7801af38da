"""The "124" duty's pure rules: duty days with the working-day calendar, the window, the
distance, leave dates, who is missing, and which reminders are due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from domain.duties.checkin import (
    CadreFacts,
    DutyFacts,
    DutyPolicy,
    DutyUnit,
    Refusal,
    check_in_day,
    distance_m,
    duty_reminders,
    is_duty_day,
    parse_days,
)
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import STAFF, Rule

TZ = ZoneInfo("Asia/Shanghai")
P = DutyPolicy(timezone=TZ)
MONDAY = date(2027, 3, 15)
HOLIDAY_MONDAY = date(2027, 4, 5)  # 清明节 observed in this test's calendar
MAKEUP_SUNDAY = date(2027, 4, 11)
CAL = WorkCalendar(holidays=frozenset({HOLIDAY_MONDAY}), makeup_workdays=frozenset({MAKEUP_SUNDAY}))


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ).astimezone(UTC)


def test_duty_days_follow_weekdays_and_calendar() -> None:
    days = [MONDAY.replace(day=MONDAY.day + i) for i in range(7)]
    assert [is_duty_day(d, P, CAL) for d in days] == [True, True, False, True, False, False, False]
    assert not is_duty_day(HOLIDAY_MONDAY, P, CAL)
    assert not is_duty_day(MAKEUP_SUNDAY, P, CAL)
    assert is_duty_day(MAKEUP_SUNDAY, DutyPolicy(timezone=TZ, makeup_days=True), CAL)


def test_window_refusals() -> None:
    assert check_in_day(local(MONDAY, 18, 59), P, CAL) is Refusal.TOO_EARLY
    assert check_in_day(local(MONDAY, 19), P, CAL) == MONDAY
    assert check_in_day(local(MONDAY, 22, 30), P, CAL) == MONDAY
    assert check_in_day(local(MONDAY, 22, 31), P, CAL) is Refusal.TOO_LATE
    assert check_in_day(local(date(2027, 3, 17), 20), P, CAL) is Refusal.NOT_DUTY_DAY
    assert check_in_day(local(HOLIDAY_MONDAY, 20), P, CAL) is Refusal.NOT_DUTY_DAY


def test_distance_in_metres() -> None:
    assert distance_m(36.0611, 103.8343, 36.0611, 103.8343) == 0
    # 0.01° of latitude is about 1112 m
    assert 1100 <= distance_m(36.0611, 103.8343, 36.0711, 103.8343) <= 1125


def test_parse_leave_days() -> None:
    today = date(2027, 3, 12)
    assert parse_days("2027-03-15", today) == (MONDAY, MONDAY)
    assert parse_days("3-15..3-16", today) == (MONDAY, date(2027, 3, 16))
    assert parse_days("2027-03-16..2027-03-15", today) is None
    assert parse_days("2027-03-01", today) is None  # past
    assert parse_days("tomorrow", today) is None


FACTS = DutyFacts(
    units={5: DutyUnit(5, "SCH001", "一中", heads=(9,))},
    cadres=(CadreFacts(1, 5, "甲"), CadreFacts(2, 5, "乙"), CadreFacts(3, 5, "丙")),
    checked=frozenset({(1, MONDAY)}),
    excused=frozenset({(3, MONDAY)}),
)


def test_evening_call_only_to_the_missing_during_the_window() -> None:
    early = duty_reminders(FACTS, now=local(MONDAY, 18), policy=P, cal=CAL, staff=True)
    assert [d for d in early if d.rule == Rule.CHECKIN] == []
    due = duty_reminders(FACTS, now=local(MONDAY, 19, 5), policy=P, cal=CAL, staff=True)
    assert [(d.rule, d.recipient, d.slot) for d in due if d.rule != Rule.CHECKIN_WEEKLY] == [
        (Rule.CHECKIN, "member:2", MONDAY.isoformat())
    ]


def test_next_morning_list_to_heads_and_staff() -> None:
    tuesday = date(2027, 3, 16)
    assert duty_reminders(FACTS, now=local(tuesday, 8), policy=P, cal=CAL, staff=True) == []
    due = duty_reminders(FACTS, now=local(tuesday, 9), policy=P, cal=CAL, staff=True)
    missing = [d for d in due if d.rule == Rule.CHECKIN_MISSING]
    assert sorted(d.recipient for d in missing) == ["member:9", STAFF]
    head = next(d for d in missing if d.recipient == "member:9")
    assert head.payload["missing"] == ["乙"] and head.payload["excused"] == ["丙"]


def test_holiday_monday_has_no_duty_reminders() -> None:
    facts = DutyFacts(units=FACTS.units, cadres=FACTS.cadres)
    tuesday = date(2027, 4, 6)
    for now in (local(HOLIDAY_MONDAY, 20), local(tuesday, 9)):
        due = duty_reminders(facts, now=now, policy=P, cal=CAL, staff=True)
        assert [d for d in due if d.rule != Rule.CHECKIN_WEEKLY] == []


def test_a_cadre_marked_mid_week_is_not_missing_before() -> None:
    late = CadreFacts(4, 5, "丁", since=date(2027, 3, 16))
    facts = DutyFacts(FACTS.units, (*FACTS.cadres, late), FACTS.checked, FACTS.excused)
    due = duty_reminders(facts, now=local(date(2027, 3, 16), 9), policy=P, cal=CAL, staff=False)
    head = next(d for d in due if d.rule == Rule.CHECKIN_MISSING)
    assert head.payload["missing"] == ["乙"]


def test_weekly_summary_counts_the_week_before() -> None:
    next_monday = date(2027, 3, 22)
    due = duty_reminders(FACTS, now=local(next_monday, 9), policy=P, cal=CAL, staff=True)
    weekly = {d.recipient: d for d in due if d.rule == Rule.CHECKIN_WEEKLY}
    assert set(weekly) == {"member:9", STAFF}
    rows = {r[0]: r[1:] for r in weekly["member:9"].payload["rows"]}  # type: ignore[attr-defined]
    # three duty nights (Mon, Tue, Thu): 甲 and 丙 only accounted for on Monday
    assert rows == {"甲": [1, 0, 2], "乙": [0, 0, 3], "丙": [0, 1, 2]}
