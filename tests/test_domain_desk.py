"""The staff desk's rules: the permission matrix (role × action × own/other unit × owner),
the statuses each action needs, and what each action leads to."""

from __future__ import annotations

import pytest

from domain.cases.lifecycle import CaseStatus
from domain.desk.rules import Action, Actor, CaseFacts, Refusal, available, refusal, result_status
from domain.membership.roles import Role

ME, OTHER = 10, 20
MY_UNIT, CASE_UNIT = 1, 2

# Each action from a status it allows: accept from received, the rest on an owned case.
READY = {
    Action.ACCEPT: CaseFacts(CaseStatus.RECEIVED, CASE_UNIT, None),
    Action.REPLY: CaseFacts(CaseStatus.ACCEPTED, CASE_UNIT, ME),
    Action.CLOSE: CaseFacts(CaseStatus.ANSWERED, CASE_UNIT, ME),
    Action.TRANSFER: CaseFacts(CaseStatus.ACCEPTED, CASE_UNIT, ME),
    Action.DISPATCH: CaseFacts(CaseStatus.ACCEPTED, CASE_UNIT, ME),
    Action.ANSWER: CaseFacts(CaseStatus.VERIFIED, CASE_UNIT, ME),
}

# (role, action, the actor's unit is the case's unit) → refusal (None: allowed)
MATRIX: list[tuple[Role | None, Action, bool, Refusal | None]] = []
for _action in Action:
    for _own in (False, True):
        MATRIX.append((None, _action, _own, Refusal.NOT_STAFF))
        MATRIX.append((Role.MEMBER, _action, _own, Refusal.NOT_STAFF))
        MATRIX.append((Role.UNIT_HEAD, _action, _own, Refusal.NOT_STAFF))
        conflict = Refusal.CONFLICT if _own and _action is Action.ACCEPT else None
        MATRIX.append((Role.CASE_OFFICER, _action, _own, conflict))
        MATRIX.append((Role.ADMIN, _action, _own, conflict))


@pytest.mark.parametrize(("role", "action", "own_unit", "expected"), MATRIX)
def test_permission_matrix(
    role: Role | None, action: Action, own_unit: bool, expected: Refusal | None
) -> None:
    actor = Actor(role=role, member_id=ME, unit_id=CASE_UNIT if own_unit else MY_UNIT)
    assert refusal(action, actor, READY[action]) == expected


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.ACCEPT])
def test_only_the_owner_acts_after_accepting(action: Action) -> None:
    facts = READY[action]
    other = Actor(Role.CASE_OFFICER, OTHER, MY_UNIT)
    admin = Actor(Role.ADMIN, OTHER, MY_UNIT)
    assert refusal(action, other, facts) is Refusal.NOT_OWNER
    assert refusal(action, admin, facts) is Refusal.NOT_OWNER
    unowned = CaseFacts(CaseStatus.RECEIVED, CASE_UNIT, None)
    assert refusal(action, Actor(Role.CASE_OFFICER, ME, MY_UNIT), unowned) is not None


def test_an_admin_without_membership_cannot_own_a_case() -> None:
    actor = Actor(Role.ADMIN, None, None)
    assert refusal(Action.ACCEPT, actor, READY[Action.ACCEPT]) is Refusal.NO_MEMBER


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        (Action.ACCEPT, CaseStatus.RECEIVED, True),
        (Action.ACCEPT, CaseStatus.ACCEPTED, False),
        (Action.ACCEPT, CaseStatus.CLOSED, False),
        (Action.REPLY, CaseStatus.ACCEPTED, True),
        (Action.REPLY, CaseStatus.IN_PROGRESS, True),
        (Action.REPLY, CaseStatus.ANSWERED, True),
        (Action.REPLY, CaseStatus.CLOSED, False),
        (Action.CLOSE, CaseStatus.ACCEPTED, False),
        (Action.CLOSE, CaseStatus.ANSWERED, True),
        (Action.CLOSE, CaseStatus.REJECTED, False),
        (Action.DISPATCH, CaseStatus.ACCEPTED, True),
        (Action.DISPATCH, CaseStatus.IN_PROGRESS, False),
        (Action.REPLY, "bogus", False),
    ],
)
def test_statuses_each_action_needs(action: Action, status: str, allowed: bool) -> None:
    owner = None if action is Action.ACCEPT else ME
    facts = CaseFacts(status, CASE_UNIT, owner)
    found = refusal(action, Actor(Role.CASE_OFFICER, ME, MY_UNIT), facts)
    assert (found is None) is allowed
    if not allowed:
        assert found is Refusal.WRONG_STATUS


def test_results_and_available_actions() -> None:
    assert result_status(Action.ACCEPT, "received") == "accepted"
    assert result_status(Action.REPLY, "accepted") == "answered"
    assert result_status(Action.CLOSE, "answered") == "closed"
    assert result_status(Action.TRANSFER, "in_progress") == "in_progress"
    me = Actor(Role.CASE_OFFICER, ME, MY_UNIT)
    assert available(me, READY[Action.ACCEPT]) == (Action.ACCEPT,)
    assert available(me, READY[Action.CLOSE]) == (Action.REPLY, Action.CLOSE, Action.TRANSFER)
    assert available(Actor(Role.CASE_OFFICER, ME, CASE_UNIT), READY[Action.ACCEPT]) == ()


def test_dispatch_needs_the_unit_concerned() -> None:
    facts = CaseFacts(CaseStatus.ACCEPTED, None, ME)
    assert refusal(Action.DISPATCH, Actor(Role.CASE_OFFICER, ME, MY_UNIT), facts) is Refusal.NO_UNIT
