"""Where each case action leads from each status (domain.cases.lifecycle.after)."""

from __future__ import annotations

import pytest

from domain.cases.lifecycle import (
    FINAL_STATUSES,
    CaseAction,
    CaseStatus,
    after,
    can_move,
    starts,
)

S = CaseStatus


@pytest.mark.parametrize(
    ("action", "current", "expected"),
    [
        (CaseAction.ACCEPT, S.RECEIVED, S.ACCEPTED),
        (CaseAction.ACCEPT, S.ACCEPTED, None),
        (CaseAction.REPLY, S.RECEIVED, S.ANSWERED),  # a complaint answered from the staff chat
        (CaseAction.REPLY, S.ANSWERED, S.ANSWERED),
        (CaseAction.ASK, S.IN_PROGRESS, S.IN_PROGRESS),
        (CaseAction.ASK, S.RECEIVED, None),
        (CaseAction.TRANSFER, S.ANSWERED, S.ANSWERED),
        (CaseAction.DISPATCH, S.ACCEPTED, S.IN_PROGRESS),
        (CaseAction.DISPATCH, S.IN_PROGRESS, None),
        (CaseAction.RETURN, S.IN_PROGRESS, S.ACCEPTED),
        (CaseAction.RETURN, S.ACCEPTED, None),
        (CaseAction.CLOSE, S.ANSWERED, S.CLOSED),
        (CaseAction.CLOSE, S.IN_PROGRESS, None),
        (CaseAction.INFORM, S.ANSWERED, S.IN_PROGRESS),
        (CaseAction.INFORM, S.RECEIVED, S.RECEIVED),
        (CaseAction.REPLY, "bogus", None),
    ],
)
def test_where_each_action_leads(
    action: CaseAction, current: str, expected: CaseStatus | None
) -> None:
    assert after(action, current) == expected


def test_set_follows_the_lifecycle_and_nothing_leaves_a_final_status() -> None:
    for current in CaseStatus:
        for target in CaseStatus:
            moved = after(CaseAction.SET, current, target)
            assert (moved is not None) is can_move(current, target)
        assert after(CaseAction.SET, current) is None  # SET needs a target
    for action in CaseAction:
        assert not starts(action) & FINAL_STATUSES
        assert all(after(action, s) is None for s in FINAL_STATUSES)
