"""The inbox's filters as pure rules: the compact form round-trips and fits callback data,
malformed forms are refused, typed words parse, and the opening-day cut-offs select exactly
the cases `domain.reminders.overdue.late_cases` calls late (calendar and working-day clocks)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.cases.lifecycle import CaseStatus
from domain.desk.filters import (
    MINE,
    NOBODY,
    InboxFilter,
    decode,
    encode,
    late_rules,
    parse_words,
)
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import CaseFacts
from domain.reminders.overdue import late_cases
from domain.reminders.timing import CaseClock, Policy

FULL = InboxFilter(
    kind="complaint",
    status=CaseStatus.IN_PROGRESS,
    category=11,
    unit_id=123456789,
    assignee=987654321,
    overdue=True,
    page=9999,
)


@pytest.mark.parametrize(
    "f",
    [
        InboxFilter(),
        FULL,
        InboxFilter(kind="finding", assignee=MINE, page=2),
        InboxFilter(assignee=NOBODY, status=CaseStatus.CLOSED),
    ],
)
def test_compact_form_round_trips_and_fits(f: InboxFilter) -> None:
    assert decode(encode(f)) == f
    assert len(f"inbox:v1:fu:{encode(f)}".encode()) <= 64


@pytest.mark.parametrize(
    "text",
    ["", "kr", "p1.p2", "kz.p0", "sq.p0", "cx.p0", "ax.p0", "o1.p0", "p99999", "zz.p0", "p-1"],
)
def test_malformed_forms_are_refused(text: str) -> None:
    assert decode(text) is None


def test_typed_words() -> None:
    typed = parse_words(["overdue", "mine"])
    assert typed is not None and typed.base == InboxFilter(assignee=MINE, overdue=True)
    typed = parse_words(["unit", "sch001", "complaints", "status", "accepted"])
    assert typed is not None and typed.unit_code == "SCH001"
    assert typed.base == InboxFilter(kind="complaint", status=CaseStatus.ACCEPTED)
    typed = parse_words(["unassigned", "category", "fees"])
    assert typed is not None and typed.category_key == "fees" and typed.base.assignee == NOBODY
    assert parse_words(["status", "sleeping"]) is None
    assert parse_words(["unit"]) is None
    assert parse_words(["everything"]) is None
    assert parse_words([]) == parse_words(["  "])


def _late_by_cutoff(case: CaseFacts, today: date, clocks: dict[str, CaseClock]) -> bool:
    for rule in late_rules(clocks, today=today, cal=CAL):
        if rule.kind != case.kind:
            continue
        ack = rule.ack_opened_by
        answer = rule.answer_opened_by
        if ack is not None and case.acknowledged_on is None and case.opened_on <= ack:
            return True
        if answer is not None and case.answered_on is None and case.opened_on <= answer:
            return True
    return False


# May Day week off, with a make-up Saturday: working-day limits jump over it.
CAL = WorkCalendar(
    holidays=frozenset(date(2027, 5, 1) + timedelta(days=i) for i in range(5)),
    makeup_workdays=frozenset({date(2027, 4, 24)}),
)


def test_cutoffs_agree_with_the_overdue_rule() -> None:
    clocks = {
        "report": CaseClock(acknowledge_days=7, answer_working_days=13),
        "complaint": CaseClock(acknowledge_days=3, answer_days=30),
    }
    policy = Policy(timezone=ZoneInfo("Asia/Shanghai"), case_clocks=clocks)
    start = date(2027, 3, 1)
    cases = []
    for n in range(90):
        opened = start + timedelta(days=n)
        for kind in ("report", "complaint", "finding"):
            for acked in (None, opened):
                cases.append(
                    CaseFacts(
                        id=len(cases) + 1,
                        kind=kind,
                        number=f"N{len(cases)}",
                        status="accepted",
                        opened_on=opened,
                        acknowledged_on=acked,
                        answered_on=None,
                        owner_member_id=None,
                    )
                )
    for offset in (0, 10, 45, 70, 100):
        today = start + timedelta(days=offset)
        late = {c.case.id for c in late_cases(cases, today=today, policy=policy, cal=CAL)}
        by_cutoff = {c.id for c in cases if _late_by_cutoff(c, today, clocks)}
        assert by_cutoff == late, today
