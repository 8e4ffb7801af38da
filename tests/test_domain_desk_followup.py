"""The desk's follow-up rules as tables: who may return a dispatched item (role × own/other
unit × item and case status), who reads a note (role × section × private), the owner's acts."""

from __future__ import annotations

import pytest

from domain.desk.followup import (
    FollowRefusal,
    OwnerAct,
    ReturnFacts,
    explicit_targets,
    may_offer_return,
    may_open_thread,
    may_read_note,
    note_section,
    owner_refusal,
    return_refusal,
    text_problem,
)
from domain.desk.rules import Actor as DeskActor
from domain.desk.rules import CaseFacts
from domain.ledger.rules import Actor as LedgerActor
from domain.membership.roles import Role

UNIT, OTHER, SECTION, SECTION2 = 5, 6, 10, 11
HEAD = LedgerActor(Role.UNIT_HEAD, 1, UNIT)
NOT_HEAD = FollowRefusal.NOT_UNIT_HEAD


@pytest.mark.parametrize(
    ("actor", "item_status", "source", "case_status", "expected"),
    [
        (HEAD, "open", 9, "in_progress", None),
        (HEAD, "open", 9, "answered", None),
        (
            LedgerActor(Role.UNIT_HEAD, 2, OTHER),
            "open",
            9,
            "in_progress",
            FollowRefusal.NOT_UNIT_HEAD,
        ),
        (LedgerActor(Role.MEMBER, 3, UNIT), "open", 9, "in_progress", NOT_HEAD),
        (LedgerActor(Role.CASE_OFFICER, 4, UNIT), "open", 9, "in_progress", NOT_HEAD),
        (
            LedgerActor(Role.ADMIN, None, None),
            "open",
            9,
            "in_progress",
            FollowRefusal.NOT_UNIT_HEAD,
        ),
        (HEAD, "open", None, None, FollowRefusal.NOT_DISPATCHED),
        (HEAD, "in_progress", 9, "in_progress", FollowRefusal.STARTED),
        (HEAD, "rectified", 9, "in_progress", FollowRefusal.STARTED),
        (HEAD, "verified", 9, "in_progress", FollowRefusal.STARTED),
        (HEAD, "returned", 9, "accepted", FollowRefusal.RETURNED),
        (HEAD, "open", 9, "closed", FollowRefusal.CASE_MOVED),
        (HEAD, "open", 9, "accepted", FollowRefusal.CASE_MOVED),
    ],
)
def test_return_matrix(
    actor: LedgerActor,
    item_status: str,
    source: int | None,
    case_status: str | None,
    expected: FollowRefusal | None,
) -> None:
    facts = ReturnFacts(UNIT, item_status, source, case_status)
    assert return_refusal(actor, facts) is expected


def test_return_button_only_for_the_head_before_work_starts() -> None:
    assert may_offer_return(HEAD, UNIT, "open", 9)
    assert not may_offer_return(HEAD, UNIT, "in_progress", 9)
    assert not may_offer_return(HEAD, UNIT, "open", None)
    assert not may_offer_return(LedgerActor(Role.UNIT_HEAD, 2, OTHER), UNIT, "open", 9)


@pytest.mark.parametrize(
    ("role", "unit", "section", "private", "expected"),
    [
        (Role.CASE_OFFICER, SECTION, SECTION, True, True),
        (Role.CASE_OFFICER, SECTION2, SECTION, True, False),
        (Role.CASE_OFFICER, SECTION2, SECTION, False, True),
        (Role.CASE_OFFICER, SECTION2, None, True, True),  # a note from outside any section
        (Role.ADMIN, None, SECTION, True, True),
        (Role.UNIT_HEAD, SECTION, SECTION, False, False),
        (Role.MEMBER, SECTION, SECTION, False, False),
        (None, None, None, False, False),
    ],
)
def test_who_reads_a_note(
    role: Role | None, unit: int | None, section: int | None, private: bool, expected: bool
) -> None:
    assert may_read_note(role, unit, section, private=private) is expected


def test_note_section_and_thread_access() -> None:
    assert note_section(Role.CASE_OFFICER, SECTION, "section") == SECTION
    assert note_section(Role.CASE_OFFICER, 2, "bureau") is None
    assert note_section(Role.ADMIN, SECTION, "section") is None
    assert may_open_thread(Role.CASE_OFFICER, SECTION, UNIT)
    assert not may_open_thread(Role.CASE_OFFICER, UNIT, UNIT)  # conflict of interest
    assert may_open_thread(Role.ADMIN, UNIT, UNIT)
    assert not may_open_thread(Role.UNIT_HEAD, OTHER, UNIT)


OWNER = DeskActor(Role.CASE_OFFICER, 7, SECTION)
COLLEAGUE = DeskActor(Role.CASE_OFFICER, 8, SECTION)
HEAD_AT_DESK = DeskActor(Role.UNIT_HEAD, 7, UNIT)


@pytest.mark.parametrize(
    ("act", "actor", "kind", "status", "expected"),
    [
        (OwnerAct.ASK, OWNER, "report", "accepted", None),
        (OwnerAct.FILE_TO_AUTHOR, OWNER, "report", "answered", None),
        (
            OwnerAct.ASK,
            DeskActor(Role.CASE_OFFICER, 8, SECTION),
            "report",
            "accepted",
            FollowRefusal.NOT_OWNER,
        ),
        (OwnerAct.ASK, OWNER, "complaint", "accepted", FollowRefusal.NOT_REPORT),
        (
            OwnerAct.ASK,
            DeskActor(Role.UNIT_HEAD, 7, UNIT),
            "report",
            "accepted",
            FollowRefusal.NOT_STAFF,
        ),
        (OwnerAct.FILE_TO_AUTHOR, OWNER, "report", "closed", FollowRefusal.WRONG_STATUS),
        (OwnerAct.STATUS, OWNER, "report", "accepted", None),
        (OwnerAct.STATUS, OWNER, "report", "received", FollowRefusal.WRONG_STATUS),
    ],
)
def test_owner_acts(
    act: OwnerAct, actor: DeskActor, kind: str, status: str, expected: FollowRefusal | None
) -> None:
    assert owner_refusal(act, actor, kind, CaseFacts(status, UNIT, 7)) is expected


def test_explicit_statuses_and_text_limits() -> None:
    assert [s.value for s in explicit_targets("accepted")] == ["in_progress", "rejected"]
    assert [s.value for s in explicit_targets("answered")] == ["in_progress"]
    assert explicit_targets("closed") == ()
    assert text_problem("", 5) == 0 and text_problem("123456", 5) == 6
    assert text_problem("12345", 5) is None
