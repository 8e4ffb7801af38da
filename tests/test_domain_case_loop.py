"""The loop's pure rules (domain.cases.loop): which case action an item's move carries, and
what a rating does to a closed case; the day an intake (a case from another channel) was
received."""

from __future__ import annotations

from datetime import date

import pytest

from domain.cases.accountability import ReceivedProblem, read_received
from domain.cases.lifecycle import CaseAction
from domain.cases.loop import MAX_REHANDLINGS, Verdict, case_action, verdict
from domain.ledger.rules import LedgerStatus as L


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        (L.OPEN, L.IN_PROGRESS, None),  # starting work moves only the item
        (L.OPEN, L.RECTIFIED, CaseAction.RECTIFY),
        (L.IN_PROGRESS, L.RECTIFIED, CaseAction.RECTIFY),
        (L.RECTIFIED, L.VERIFIED, CaseAction.VERIFY),
        (L.RECTIFIED, L.IN_PROGRESS, CaseAction.SEND_BACK),
    ],
)
def test_the_case_action_an_item_move_carries(
    current: L, target: L, expected: CaseAction | None
) -> None:
    assert case_action(current, target) == expected


def test_a_rating_stores_rehandles_once_then_escalates() -> None:
    assert MAX_REHANDLINGS == 1
    assert verdict("satisfied", 0) is Verdict.STORED
    assert verdict("basically_satisfied", 1) is Verdict.STORED
    assert verdict("dissatisfied", 0) is Verdict.REHANDLE
    assert verdict("dissatisfied", 1) is Verdict.ESCALATE
    with pytest.raises(ValueError):
        verdict("bogus", 0)


def test_the_day_an_intake_was_received() -> None:
    today = date(2027, 3, 10)
    assert read_received("2027-03-09", today) == date(2027, 3, 9)
    assert read_received("3月9日", today) == date(2027, 3, 9)  # no year: this year's
    assert read_received("2026/12/30", today) == date(2026, 12, 30)
    assert read_received("2027-03-10", today) == today
    assert read_received("3月11日", today) is ReceivedProblem.FUTURE  # never next year's
    assert read_received("2027-02-30", today) is ReceivedProblem.NO_SUCH_DAY
    assert read_received("上周", today) is ReceivedProblem.UNREADABLE
    assert read_received("", today) is ReceivedProblem.UNREADABLE
