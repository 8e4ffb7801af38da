"""Ledger rules: valid status moves and who may see or change what."""

from __future__ import annotations

import pytest

from domain.ledger.rules import (
    Actor,
    ItemFacts,
    LedgerStatus,
    can_move,
    is_rejection,
    may_add,
    may_edit_item,
    may_mark,
    may_post_progress,
    may_sign_off,
    may_verify,
    may_view_item,
    may_view_unit,
    self_verification,
)
from domain.membership.roles import Role

S = LedgerStatus
HEAD_A = Actor(Role.UNIT_HEAD, member_id=1, unit_id=10)
HEAD_B = Actor(Role.UNIT_HEAD, member_id=2, unit_id=20)
TEACHER_A = Actor(Role.MEMBER, member_id=3, unit_id=10)
OTHER_TEACHER_A = Actor(Role.MEMBER, member_id=4, unit_id=10)
HANDLER = Actor(Role.CASE_OFFICER, member_id=5, unit_id=1)
ADMIN = Actor(Role.ADMIN, member_id=None, unit_id=None)
NOBODY = Actor(None, member_id=None, unit_id=None)


def facts(
    status: S = S.OPEN, responsible: int | None = 3, rectified_by: int | None = None
) -> ItemFacts:
    return ItemFacts(
        unit_id=10,
        status=status,
        responsible_member_id=responsible,
        rectified_by_member_id=rectified_by,
    )


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        (S.OPEN, S.IN_PROGRESS, True),
        (S.OPEN, S.RECTIFIED, True),
        (S.OPEN, S.VERIFIED, False),
        (S.IN_PROGRESS, S.RECTIFIED, True),
        (S.IN_PROGRESS, S.OPEN, False),
        (S.IN_PROGRESS, S.VERIFIED, False),
        (S.RECTIFIED, S.VERIFIED, True),
        (S.RECTIFIED, S.IN_PROGRESS, True),
        (S.RECTIFIED, S.OPEN, False),
        (S.VERIFIED, S.IN_PROGRESS, False),
        (S.VERIFIED, S.OPEN, False),
    ],
)
def test_moves(current: S, target: S, ok: bool) -> None:
    assert can_move(current, target) is ok
    assert can_move(current.value, target.value) is ok


def test_only_rectified_to_in_progress_is_a_rejection() -> None:
    assert is_rejection(S.RECTIFIED, S.IN_PROGRESS)
    assert not is_rejection(S.OPEN, S.IN_PROGRESS)


@pytest.mark.parametrize(
    ("actor", "unit", "item", "add", "sign"),
    [
        (HEAD_A, True, True, True, True),
        (HEAD_B, False, False, False, False),
        (TEACHER_A, False, True, False, False),  # responsible: the item, not the list
        (OTHER_TEACHER_A, False, False, False, False),
        (HANDLER, True, True, False, False),
        (ADMIN, True, True, True, False),
        (NOBODY, False, False, False, False),
    ],
)
def test_who_sees_and_adds(actor: Actor, unit: bool, item: bool, add: bool, sign: bool) -> None:
    assert may_view_unit(actor, 10) is unit
    assert may_view_item(actor, facts()) is item
    assert may_add(actor, 10) is add
    assert may_sign_off(actor, 10) is sign


def test_edit_is_for_the_head_until_verified() -> None:
    assert may_edit_item(HEAD_A, facts(S.RECTIFIED))
    assert not may_edit_item(HEAD_A, facts(S.VERIFIED))
    assert not may_edit_item(HEAD_B, facts())
    assert not may_edit_item(TEACHER_A, facts())
    assert not may_edit_item(HANDLER, facts())


def test_progress_by_head_or_responsible_member() -> None:
    assert may_post_progress(TEACHER_A, facts())
    assert may_post_progress(HEAD_A, facts(S.IN_PROGRESS))
    assert not may_post_progress(OTHER_TEACHER_A, facts())
    assert not may_post_progress(HEAD_B, facts())
    assert not may_post_progress(TEACHER_A, facts(S.VERIFIED))


def test_marking_in_progress_and_rectified() -> None:
    assert may_mark(HEAD_A, facts(), S.IN_PROGRESS)
    assert may_mark(TEACHER_A, facts(S.IN_PROGRESS), S.RECTIFIED)
    assert not may_mark(TEACHER_A, facts(S.IN_PROGRESS), S.IN_PROGRESS)  # no such move
    assert not may_mark(OTHER_TEACHER_A, facts(), S.RECTIFIED)
    assert not may_mark(HEAD_B, facts(), S.RECTIFIED)
    assert not may_mark(HEAD_A, facts(S.RECTIFIED), S.IN_PROGRESS)  # that is a rejection
    assert not may_mark(HEAD_A, facts(), S.VERIFIED)
    assert not may_mark(ADMIN, facts(), S.RECTIFIED)  # no member id to refuse self-checks with


def test_verification_by_staff_never_by_who_rectified() -> None:
    done = facts(S.RECTIFIED, rectified_by=1)
    assert may_verify(HANDLER, done) and may_verify(ADMIN, done)
    assert not may_verify(HEAD_A, done)
    assert not may_verify(HANDLER, facts(S.IN_PROGRESS))
    own = facts(S.RECTIFIED, responsible=5, rectified_by=5)
    assert not may_verify(HANDLER, own) and self_verification(HANDLER, own)
    assert not self_verification(HANDLER, done)
