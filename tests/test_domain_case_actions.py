"""Where each case action leads from each status (domain.cases.lifecycle.after)."""

from __future__ import annotations

import pytest

from domain.cases.lifecycle import (
    FINAL_STATUSES,
    ITEM_DRIVEN,
    REOPENING,
    CaseAction,
    CaseStatus,
    after,
    can_move,
    starts,
    stays_final,
)

S = CaseStatus


@pytest.mark.parametrize(
    ("action", "current", "expected"),
    [
        (CaseAction.ACCEPT, S.RECEIVED, S.ACCEPTED),
        (CaseAction.ACCEPT, S.ACCEPTED, None),
        (CaseAction.ACCEPT, S.ANSWERED, S.ANSWERED),  # answered from the staff chat, unowned
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
        # The loop of a dispatched case, moved with its ledger item.
        (CaseAction.RECTIFY, S.IN_PROGRESS, S.RECTIFIED),
        (CaseAction.RECTIFY, S.ACCEPTED, None),
        (CaseAction.VERIFY, S.RECTIFIED, S.VERIFIED),
        (CaseAction.VERIFY, S.IN_PROGRESS, None),
        (CaseAction.SEND_BACK, S.RECTIFIED, S.IN_PROGRESS),
        (CaseAction.SEND_BACK, S.VERIFIED, None),
        (CaseAction.REPLY, S.RECTIFIED, None),  # the owner waits for the verification
        (CaseAction.REPLY, S.VERIFIED, S.ANSWERED),
        (CaseAction.ANSWER, S.VERIFIED, S.CLOSED),
        (CaseAction.ANSWER, S.ANSWERED, None),
        (CaseAction.TRANSFER, S.RECTIFIED, S.RECTIFIED),
        (CaseAction.INFORM, S.VERIFIED, S.VERIFIED),
        (CaseAction.REHANDLE, S.CLOSED, S.ACCEPTED),
        (CaseAction.REHANDLE, S.REJECTED, None),
        (CaseAction.REHANDLE, S.ANSWERED, None),
    ],
)
def test_where_each_action_leads(
    action: CaseAction, current: str, expected: CaseStatus | None
) -> None:
    assert after(action, current) == expected


def test_set_follows_the_lifecycle_and_only_rehandling_leaves_a_final_status() -> None:
    for current in CaseStatus:
        for target in CaseStatus:
            moved = after(CaseAction.SET, current, target)
            by_hand = can_move(current, target) and target not in ITEM_DRIVEN
            assert (moved is not None) is by_hand
        assert after(CaseAction.SET, current) is None  # SET needs a target
    assert {CaseAction.REHANDLE} == REOPENING
    for action in CaseAction:
        if action in REOPENING:
            assert starts(action) == {S.CLOSED}
            assert not stays_final(action, S.CLOSED) and stays_final(action, S.REJECTED)
            continue
        assert not starts(action) & FINAL_STATUSES
        assert all(after(action, s) is None for s in FINAL_STATUSES)
        assert all(stays_final(action, s) for s in FINAL_STATUSES)


LOOP = (CaseAction.RECTIFY, CaseAction.VERIFY, CaseAction.SEND_BACK, CaseAction.ANSWER)


def test_the_loops_actions_are_moves_of_the_lifecycle() -> None:
    """The loop's actions never invent a move the status graph does not have (the reopening
    of a closed case is the one named exception)."""
    for action in LOOP:
        for current in starts(action):
            to = after(action, current)
            assert to is not None
            assert to == current or can_move(current, to), (action, current, to)


def test_the_item_driven_statuses_are_reached_only_by_the_item() -> None:
    reaching = {
        action
        for action in CaseAction
        if action is not CaseAction.SET
        for current in starts(action)
        if after(action, current) in ITEM_DRIVEN and after(action, current) != current
    }
    assert reaching == {CaseAction.RECTIFY, CaseAction.VERIFY}
