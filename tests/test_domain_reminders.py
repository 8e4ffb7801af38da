"""The reminder rules as pure functions: ladders, chasing, escalation in working days, quiet
hours, DST in Europe/Berlin, closed items, paused units, signed-off heads, case clocks, the
daily digest. Each row: the data, the clock, and what must be due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.calendar_source import load_calendar
from domain.campaign import Campaign, Deadline, Phase
from domain.membership.units import district_of
from domain.reminders.calendar import WorkCalendar
from domain.reminders.digest import Pending, plan_messages
from domain.reminders.due import (
    STAFF,
    CaseFacts,
    ItemFacts,
    Rule,
    Snapshot,
    UnitFacts,
    due_reminders,
    running_audiences,
)
from domain.reminders.timing import CaseClock, Policy, next_allowed, send_instant

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CAL, _ = load_calendar([2026, 2027], None)
POLICY = Policy(
    timezone=SHANGHAI,
    case_clocks={
        "complaint": CaseClock(acknowledge_days=7, answer_days=90, rehandle_days=10),
        "report": CaseClock(acknowledge_days=7, answer_working_days=13, rehandle_days=10),
    },
)
CAMPAIGN = Campaign(
    name="作风整顿",
    phases=(
        Phase("self_check", "自查自纠", date(2027, 3, 6), date(2027, 3, 31), "自查"),
        Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31), "整治"),
    ),
    deadlines=(Deadline("problem_list", "问题清单", date(2027, 4, 5), "unit_heads"),),
    categories=(),
)
UNIT = UnitFacts(id=1, code="SCH001", name="一中", heads=(10,), groups=(-500,))
EMPTY_CAMPAIGN = Campaign(name="x", phases=(), deadlines=(), categories=())


def sh(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def item(deadline: date, status: str = "open", **kw: object) -> ItemFacts:
    return ItemFacts(
        id=7,
        unit_id=1,
        seq=3,
        description="账目",
        deadline=deadline,
        status=status,
        responsible_member_id=kw.get("responsible", 20),  # type: ignore[arg-type]
        created_on=kw.get("created_on"),  # type: ignore[arg-type]
    )


def due(
    snapshot: Snapshot,
    now: datetime,
    campaign: Campaign = EMPTY_CAMPAIGN,
    policy: Policy = POLICY,
    cal: WorkCalendar = CAL,
) -> set[tuple[str, str, str]]:
    return {
        (d.rule.value, d.recipient, d.slot)
        for d in due_reminders(campaign, snapshot, now=now, policy=policy, cal=cal)
    }


APR10 = date(2027, 4, 10)  # a Saturday


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (sh(4, 7, 8, 59), set()),
        (
            sh(4, 7),
            {
                ("item_due", "member:20", "2027-04-10:-3"),
                ("item_due", "member:10", "2027-04-10:-3"),
            },
        ),
        (
            sh(4, 8, 15),
            {
                ("item_due", "member:20", "2027-04-10:-3"),
                ("item_due", "member:10", "2027-04-10:-3"),
            },
        ),
        (
            sh(4, 9),
            {
                ("item_due", "member:20", "2027-04-10:-1"),
                ("item_due", "member:10", "2027-04-10:-1"),
            },
        ),
        (
            sh(4, 10),
            {
                ("item_due", "member:20", "2027-04-10:-0"),
                ("item_due", "member:10", "2027-04-10:-0"),
            },
        ),
        (
            sh(4, 11),
            {
                ("item_overdue", "member:20", "2027-04-10:+1"),
                ("item_overdue", "member:10", "2027-04-10:+1"),
            },
        ),
        (
            sh(4, 12),
            {
                ("item_overdue", "member:20", "2027-04-10:+1"),
                ("item_overdue", "member:10", "2027-04-10:+1"),
            },
        ),
        (
            sh(4, 13),
            {
                ("item_overdue", "member:20", "2027-04-10:+3"),
                ("item_overdue", "member:10", "2027-04-10:+3"),
            },
        ),
        # 5 working days after Saturday April 10: Mon 12 .. Fri 16.
        (
            sh(4, 16, 8, 59),
            {
                ("item_overdue", "member:20", "2027-04-10:+5"),
                ("item_overdue", "member:10", "2027-04-10:+5"),
            },
        ),
        (
            sh(4, 16),
            {
                ("item_overdue", "member:20", "2027-04-10:+5"),
                ("item_overdue", "member:10", "2027-04-10:+5"),
                ("item_escalate", STAFF, "2027-04-10:esc"),
            },
        ),
    ],
)
def test_item_ladder_chasing_and_escalation(
    now: datetime, expected: set[tuple[str, str, str]]
) -> None:
    snapshot = Snapshot(units={1: UNIT}, items=(item(APR10),))
    assert {x for x in due(snapshot, now) if x[0] != Rule.UNIT_OVERDUE} == expected


@pytest.mark.parametrize(
    ("snapshot", "now"),
    [
        (Snapshot(units={1: UNIT}, items=(item(APR10, status="rectified"),)), sh(4, 9)),
        (Snapshot(units={1: UNIT}, items=(item(APR10, status="verified"),)), sh(4, 20)),
        (
            Snapshot(
                units={1: UnitFacts(1, "SCH001", "一中", heads=(10,), paused=True)},
                items=(item(APR10),),
            ),
            sh(4, 9),
        ),
    ],
    ids=["rectified", "verified", "paused unit"],
)
def test_no_reminder_for_closed_items_or_paused_units(snapshot: Snapshot, now: datetime) -> None:
    assert due(snapshot, now) == set()


def test_a_responsible_person_who_left_is_not_reminded_but_the_head_is() -> None:
    snapshot = Snapshot(units={1: UNIT}, items=(item(APR10, responsible=None),))
    assert due(snapshot, sh(4, 9)) == {("item_due", "member:10", "2027-04-10:-1")}


def test_an_item_created_after_a_slot_does_not_get_that_slot() -> None:
    snapshot = Snapshot(units={1: UNIT}, items=(item(APR10, created_on=date(2027, 4, 8)),))
    assert due(snapshot, sh(4, 8, 12)) == set()
    assert {s for _, _, s in due(snapshot, sh(4, 9))} == {"2027-04-10:-1"}


def test_after_downtime_only_the_latest_slot_is_due() -> None:
    snapshot = Snapshot(units={1: UNIT}, items=(item(APR10),))
    found = due(snapshot, sh(4, 9, 23, 59))
    assert {slot for _, _, slot in found} == {"2027-04-10:-1"}


def test_escalation_counts_working_days_across_national_day_2026() -> None:
    # Due Wed 2026-09-30; the next working days: Thu 10-08, Fri 10-09, Sat 10-10 (调休),
    # Mon 10-12, Tue 10-13 -> escalation on 10-13, not on 10-07.
    snapshot = Snapshot(units={1: UNIT}, items=(item(date(2026, 9, 30)),))
    assert not any(r == "item_escalate" for r, _, _ in due(snapshot, sh(10, 12, 23, year=2026)))
    assert any(r == "item_escalate" for r, _, _ in due(snapshot, sh(10, 13, year=2026)))


@pytest.mark.parametrize(
    ("local", "expected_local"),
    [
        (datetime(2027, 4, 1, 12, 0), datetime(2027, 4, 1, 12, 0)),
        (datetime(2027, 4, 1, 21, 0), datetime(2027, 4, 2, 8, 0)),
        (datetime(2027, 4, 1, 23, 30), datetime(2027, 4, 2, 8, 0)),
        (datetime(2027, 4, 2, 3, 0), datetime(2027, 4, 2, 8, 0)),
        (datetime(2027, 4, 2, 8, 0), datetime(2027, 4, 2, 8, 0)),
        (datetime(2027, 4, 1, 20, 59), datetime(2027, 4, 1, 20, 59)),
    ],
)
def test_quiet_hours_push_to_their_end(local: datetime, expected_local: datetime) -> None:
    instant = local.replace(tzinfo=SHANGHAI).astimezone(UTC)
    assert next_allowed(instant, POLICY) == expected_local.replace(tzinfo=SHANGHAI).astimezone(UTC)


def test_a_send_time_inside_quiet_hours_moves_to_the_morning() -> None:
    late = Policy(timezone=SHANGHAI, send_time=time(22, 30))
    assert send_instant(date(2027, 4, 1), late) == sh(4, 2, 8, 0)
    none = Policy(timezone=SHANGHAI, send_time=time(22, 30), quiet_start=time(0), quiet_end=time(0))
    assert send_instant(date(2027, 4, 1), none) == sh(4, 1, 22, 30)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2027, 3, 27), 8),  # CET: 09:00 = 08:00 UTC
        (date(2027, 3, 28), 7),  # the clocks went forward that night: CEST
        (date(2027, 10, 30), 7),
        (date(2027, 10, 31), 8),  # back to CET
    ],
)
def test_send_time_is_local_across_dst_in_berlin(day: date, utc_hour: int) -> None:
    berlin = Policy(timezone=BERLIN)
    assert send_instant(day, berlin) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_a_ladder_slot_on_the_dst_day_is_honoured_to_the_minute() -> None:
    berlin = Policy(timezone=BERLIN)
    snapshot = Snapshot(units={1: UNIT}, items=(item(date(2027, 3, 29)),))
    before = datetime(2027, 3, 28, 6, 59, tzinfo=UTC)
    on_time = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    assert {s for _, _, s in due(snapshot, before, policy=berlin)} == {"2027-03-29:-3"}
    assert {s for _, _, s in due(snapshot, on_time, policy=berlin)} == {"2027-03-29:-1"}


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (sh(3, 28, 23), None),
        (sh(3, 29), "2027-04-05:-7"),
        (sh(4, 2), "2027-04-05:-3"),
        (sh(4, 5), "2027-04-05:-0"),
        (sh(4, 6), None),
    ],
)
def test_fixed_deadline_ladder_skips_heads_who_signed_off_or_file_no_list(
    now: datetime, slot: str | None
) -> None:
    units = {
        1: UNIT,
        2: UnitFacts(2, "SCH002", "二小", heads=(11,), signed_off=True),
        3: UnitFacts(3, "SCH003", "三小", heads=(12,), paused=True),
        4: UnitFacts(4, "EDU", "教育局", heads=(13,), files_list=False),  # the bureau: no list
    }
    heads = ((10, 1), (11, 2), (12, 3), (13, 4))
    snapshot = Snapshot(units=units, audiences={"unit_heads": heads})
    found = {(r, who, s) for r, who, s in due(snapshot, now, CAMPAIGN) if r == "deadline"}
    assert found == (set() if slot is None else {("deadline", "member:10", slot)})
    assert ("unit_heads" in running_audiences(CAMPAIGN, now, POLICY)) == (slot is not None)


def test_phase_notices_go_to_groups_and_the_staff_chat() -> None:
    snapshot = Snapshot(units={1: UNIT})
    found = {x for x in due(snapshot, sh(4, 1, 10), CAMPAIGN) if x[0] == "phase"}
    assert found == {
        ("phase", "chat:-500", "start:2027-04-01:-0"),
        ("phase", STAFF, "start:2027-04-01:-0"),
    }
    before = {x for x in due(snapshot, sh(3, 29), CAMPAIGN) if x[0] == "phase"}
    assert ("phase", "chat:-500", "start:2027-04-01:-3") in before
    assert ("phase", "chat:-500", "end:2027-03-31:-3") in before


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (sh(5, 4), set()),
        (sh(5, 5), {("case_warn", "member:30", "ack:50")}),  # day 4 of 7
        (sh(5, 7), {("case_warn", "member:30", "ack:80")}),  # day 6
        (sh(5, 8), {("case_warn", "member:30", "ack:100")}),  # day 7: the limit
        (sh(5, 9), {("case_escalate", STAFF, "ack:esc")}),
    ],
)
def test_complaint_acknowledgement_clock(
    now: datetime, expected: set[tuple[str, str, str]]
) -> None:
    case = CaseFacts(1, "complaint", "TS-1", "received", date(2027, 5, 1), owner_member_id=30)
    found = {x for x in due(Snapshot(units={}, cases=(case,)), now) if "ack" in x[2]}
    assert found == expected


def test_answer_clock_in_working_days_and_closed_cases() -> None:
    # 13 working days from Thu 2027-04-01: April 2, 6-9 (5th is Qingming), 12-16, 19-21.
    case = CaseFacts(
        2, "report", "R-1", "accepted", date(2027, 4, 1), acknowledged_on=date(2027, 4, 2)
    )
    snapshot = Snapshot(units={}, cases=(case,))
    assert ("case_warn", STAFF, "answer:80") in due(snapshot, sh(4, 20))
    assert ("case_warn", STAFF, "answer:100") in due(snapshot, sh(4, 21))
    assert ("case_escalate", STAFF, "answer:esc") in due(snapshot, sh(4, 22))
    closed = CaseFacts(2, "report", "R-1", "closed", date(2027, 4, 1))
    assert due(Snapshot(units={}, cases=(closed,)), sh(4, 21)) == set()


def test_a_rehandled_case_has_a_clock_of_its_own() -> None:
    """重办: reopened on May 3 with 10 days, the first round's (long missed) clocks are not
    chased again; the owner is warned at half and at the limit, the staff chat after it."""
    case = CaseFacts(
        3,
        "report",
        "R-3",
        "accepted",
        date(2027, 4, 1),
        acknowledged_on=date(2027, 4, 2),
        answered_on=date(2027, 4, 20),
        owner_member_id=30,
        reopened_on=date(2027, 5, 3),
        rehandled=1,
    )
    snapshot = Snapshot(units={}, cases=(case,))
    assert due(snapshot, sh(5, 7)) == set()
    assert due(snapshot, sh(5, 8)) == {("case_warn", "member:30", "rehandle1:50")}
    assert due(snapshot, sh(5, 13)) == {("case_warn", "member:30", "rehandle1:100")}
    assert due(snapshot, sh(5, 14)) == {("case_escalate", STAFF, "rehandle1:esc")}
    answered = CaseFacts(
        3, "report", "R-3", "answered", date(2027, 4, 1), reopened_on=date(2027, 5, 3)
    )
    assert due(Snapshot(units={}, cases=(answered,)), sh(5, 14)) == set()


def test_weekly_unit_digest_on_monday_to_the_head() -> None:
    snapshot = Snapshot(units={1: UNIT}, items=(item(date(2027, 4, 1)),))
    found = {x for x in due(snapshot, sh(4, 12)) if x[0] == Rule.UNIT_OVERDUE}
    assert found == {("unit_overdue", "member:10", "2027-W15")}
    assert due(Snapshot(units={1: UNIT}, items=(item(date(2027, 4, 12)),)), sh(4, 12, 10)) == {
        ("item_due", "member:10", "2027-04-12:-0"),
        ("item_due", "member:20", "2027-04-12:-0"),
    }


def pending(i: int, rule: str, recipient: str, **payload: object) -> Pending:
    return Pending(i, rule, f"item:{i}", recipient, "s", sh(4, 9), payload=payload)


def test_daily_digest_combines_a_persons_reminders_except_those_due_today() -> None:
    today = date(2027, 4, 9)
    rows = [
        pending(1, "item_due", "member:10", deadline="2027-04-10"),
        pending(2, "item_overdue", "member:10", deadline="2027-04-01"),
        pending(3, "item_due", "member:10", deadline="2027-04-09"),  # due today: alone
        pending(4, "phase", "chat:-500"),
        pending(5, "item_due", "member:11", deadline="2027-04-12"),
    ]
    plan = plan_messages(rows, today=today, digested=frozenset({"member:11"}))
    ids = sorted(tuple(r.id for r in m) for m in plan.messages)
    assert ids == [(1, 2), (3,), (4,)]
    assert [r.id for r in plan.deferred] == [5]
    assert len(plan.digests) == 1


DISTRICT_SCHOOL = UnitFacts(id=1, code="SCH001", name="一中", heads=(10,), district_heads=(40,))


def test_an_overdue_item_goes_to_the_district_head_in_working_days_before_the_bureau() -> None:
    # Due Wednesday 2026-09-30; the National Day holiday is no working day: three working
    # days later is Saturday 10-10 (a make-up working day), five is Tuesday 10-13 (the
    # bureau's, as in the test above).
    snapshot = Snapshot(units={1: DISTRICT_SCHOOL}, items=(item(date(2026, 9, 30)),))
    district_on = CAL.add_working_days(date(2026, 9, 30), 3)
    bureau_on = CAL.add_working_days(date(2026, 9, 30), 5)
    assert (district_on, bureau_on) == (date(2026, 10, 10), date(2026, 10, 13))
    day_before = district_on - timedelta(days=1)
    told = ("item_district", "member:40", "2026-09-30:district")
    assert told not in due(snapshot, sh(day_before.month, day_before.day, year=2026))
    # quiet hours: 08:59 on the day is not yet the send time
    assert told not in due(snapshot, sh(district_on.month, district_on.day, 8, 59, year=2026))
    on_day = due(snapshot, sh(district_on.month, district_on.day, year=2026))
    assert told in on_day and not any(r == "item_escalate" for r, _, _ in on_day)
    later = due(snapshot, sh(bureau_on.month, bureau_on.day, year=2026))
    assert told in later and ("item_escalate", STAFF, "2026-09-30:esc") in later


def test_districts_skipped_or_headless_leave_the_bureau_alone() -> None:
    late = sh(4, 30)
    skipped = replace(POLICY, district_after_working_days=None)
    snapshot = Snapshot(units={1: DISTRICT_SCHOOL}, items=(item(date(2027, 4, 9)),))
    assert not any(r == "item_district" for r, _, _ in due(snapshot, late, policy=skipped))
    assert any(r == "item_escalate" for r, _, _ in due(snapshot, late, policy=skipped))
    headless = Snapshot(units={1: UNIT}, items=(item(date(2027, 4, 9)),))
    found = due(headless, late)
    assert not any(r == "item_district" for r, _, _ in found)
    assert ("item_escalate", STAFF, "2027-04-09:esc") in found
    # a closed item goes to nobody
    closed = Snapshot(units={1: DISTRICT_SCHOOL}, items=(item(date(2027, 4, 9), "verified"),))
    assert due(closed, late) == set()


def test_a_unit_lies_in_its_nearest_district() -> None:
    # bureau 1 > district 2 > school 3 > section 4; school 5 under the bureau; district 2 itself
    parents = {1: None, 2: 1, 3: 2, 4: 3, 5: 1}
    assert district_of(parents, frozenset({2})) == {3: 2, 4: 2}
    assert district_of({1: 2, 2: 1}, frozenset()) == {}  # a cycle in stored data ends
