"""The pure rules of reports and cases: numbering, limits, evidence, status moves, and who
may see a report and its reporter."""

from __future__ import annotations

import pytest

from domain.cases.lifecycle import CaseStatus, can_move, is_final, next_statuses
from domain.cases.reports import (
    EvidenceRefusal,
    EvidenceRules,
    ReportDraft,
    check_evidence,
    may_change_status,
    may_see_document_evidence,
    may_see_evidence_details,
    may_see_reporter,
    may_view_report,
    parse_report_number,
    report_number,
    too_long,
)
from domain.membership.roles import Role

S = CaseStatus


def test_report_numbers_are_year_and_four_digit_sequence() -> None:
    assert report_number(2027, 42) == "R-2027-0042"
    assert report_number(2027, 12345) == "R-2027-12345"
    assert parse_report_number("R-2027-0042") == (2027, 42)
    assert parse_report_number(" r-2027-0042 ") == (2027, 42)
    assert parse_report_number("C-2027-0042") is None
    assert parse_report_number("R-2027-42") is None
    with pytest.raises(ValueError):
        report_number(2027, 0)


def test_too_long_gives_the_count_only_over_the_limit() -> None:
    assert too_long("a" * 10, 10) is None
    assert too_long("a" * 11, 10) == 11
    assert too_long("长" * 3, 2) == 3


RULES = EvidenceRules(max_files=2, max_bytes=1000, allowed_mime=("application/pdf",))


@pytest.mark.parametrize(
    ("kind", "mime", "size", "attached", "expected"),
    [
        ("photo", "image/jpeg", 999, 0, None),
        ("photo", "image/jpeg", 1001, 0, EvidenceRefusal.TOO_BIG),
        ("document", "application/pdf", 1000, 1, None),
        ("document", "APPLICATION/PDF", None, 1, None),
        ("document", "application/zip", 10, 0, EvidenceRefusal.TYPE_REFUSED),
        ("document", None, 10, 0, EvidenceRefusal.TYPE_REFUSED),
        ("document", "application/pdf", 10, 2, EvidenceRefusal.TOO_MANY),
        ("photo", "image/jpeg", 10, 2, EvidenceRefusal.TOO_MANY),
    ],
)
def test_check_evidence(
    kind: str, mime: str | None, size: int | None, attached: int, expected: EvidenceRefusal | None
) -> None:
    assert (
        check_evidence(RULES, kind=kind, mime_type=mime, size=size, attached=attached) == expected
    )


def test_allowed_types_are_named_as_people_name_them() -> None:
    assert EvidenceRules().allowed_labels() == "PDF, Word, Excel, JPEG, PNG"
    assert EvidenceRules(allowed_mime=("text/csv",)).allowed_labels() == "text/csv"
    assert EvidenceRules().max_mb == 20


def test_a_draft_names_what_is_missing() -> None:
    draft = ReportDraft()
    assert draft.missing() == ("category", "unit", "description", "confidential")
    draft.category_key, draft.unit_id, draft.description = "weak", 3, "x"
    draft.confidential = False
    assert draft.missing() == ()


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.RECEIVED, S.ACCEPTED, True),
        (S.RECEIVED, S.REJECTED, True),
        (S.RECEIVED, S.IN_PROGRESS, False),
        (S.RECEIVED, S.CLOSED, False),
        (S.ACCEPTED, S.IN_PROGRESS, True),
        (S.ACCEPTED, S.RECEIVED, False),
        (S.IN_PROGRESS, S.ANSWERED, True),
        (S.IN_PROGRESS, S.REJECTED, True),
        (S.ANSWERED, S.CLOSED, True),
        (S.ANSWERED, S.IN_PROGRESS, True),
        (S.ANSWERED, S.REJECTED, False),
        (S.CLOSED, S.IN_PROGRESS, False),
        (S.REJECTED, S.ACCEPTED, False),
        (S.RECEIVED, S.RECEIVED, False),
        ("received", "accepted", True),
        ("received", "nonsense", False),
        ("nonsense", "accepted", False),
    ],
)
def test_status_moves(current: str, target: str, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def test_next_statuses_and_final_ones() -> None:
    assert next_statuses(S.RECEIVED) == (S.ACCEPTED, S.REJECTED)
    assert next_statuses(S.CLOSED) == ()
    assert is_final(S.REJECTED) and is_final("closed") and not is_final(S.ANSWERED)


AUTHOR, HEAD, OTHER_HEAD, COLLEAGUE, HANDLER = 1, 2, 3, 4, 5
UNIT, OTHER_UNIT, BUREAU = 10, 11, 1


# viewer role, viewer unit, viewer member, confidential, may see the name
@pytest.mark.parametrize(
    ("role", "unit", "member", "confidential", "sees_name"),
    [
        (Role.MEMBER, UNIT, AUTHOR, True, True),  # the author, always
        (Role.MEMBER, UNIT, AUTHOR, False, True),
        (Role.UNIT_HEAD, UNIT, HEAD, True, False),  # head of the unit concerned, confidential
        (Role.UNIT_HEAD, UNIT, HEAD, False, True),  # ... not confidential
        (Role.UNIT_HEAD, OTHER_UNIT, OTHER_HEAD, False, False),  # another unit's head
        (Role.MEMBER, UNIT, COLLEAGUE, False, False),  # a colleague
        (Role.CASE_OFFICER, BUREAU, HANDLER, True, True),  # campaign staff
        (Role.ADMIN, None, None, True, True),  # an admin who is not a member
        (None, None, None, False, False),  # a stranger
        (Role.UNIT_HEAD, UNIT, AUTHOR, True, True),  # a head reporting on their own unit
    ],
)
def test_may_see_reporter(
    role: Role | None, unit: int | None, member: int | None, confidential: bool, sees_name: bool
) -> None:
    assert may_see_reporter(role, unit, member, UNIT, confidential, AUTHOR) is sees_name


@pytest.mark.parametrize(
    ("role", "unit", "member", "may_view"),
    [
        (Role.MEMBER, UNIT, AUTHOR, True),
        (Role.UNIT_HEAD, UNIT, HEAD, True),
        (Role.UNIT_HEAD, OTHER_UNIT, OTHER_HEAD, False),
        (Role.MEMBER, UNIT, COLLEAGUE, False),
        (Role.CASE_OFFICER, BUREAU, HANDLER, True),
        (Role.ADMIN, None, None, True),
        (None, None, None, False),
    ],
)
def test_may_view_report(
    role: Role | None, unit: int | None, member: int | None, may_view: bool
) -> None:
    assert may_view_report(role, unit, member, UNIT, AUTHOR) is may_view


def test_only_staff_change_status_and_see_captions() -> None:
    for role, staff in [
        (Role.CASE_OFFICER, True),
        (Role.ADMIN, True),
        (Role.UNIT_HEAD, False),
        (Role.MEMBER, False),
        (None, False),
    ]:
        assert may_change_status(role) is staff
        assert may_see_evidence_details(role) is staff


def test_documents_go_to_the_author_and_staff_only() -> None:
    assert may_see_document_evidence(Role.MEMBER, AUTHOR, AUTHOR)
    assert may_see_document_evidence(Role.CASE_OFFICER, HANDLER, AUTHOR)
    assert may_see_document_evidence(Role.ADMIN, None, AUTHOR)
    assert not may_see_document_evidence(Role.UNIT_HEAD, HEAD, AUTHOR)
    assert not may_see_document_evidence(None, None, AUTHOR)
