"""Named problem reports: numbering, what a draft may contain, and who may see what.

Pure rules, no I/O: the `/report` conversation and the storage layer both call them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from domain.membership.roles import Role

NUMBER_PREFIX = "R"
_NUMBER = re.compile(r"^R-(\d{4})-(\d{4,})$")

# Labels for the MIME types an office is likely to allow; others are shown as they are.
MIME_LABELS: dict[str, str] = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
DEFAULT_ALLOWED_MIME: tuple[str, ...] = tuple(MIME_LABELS)


def report_number(year: int, sequence: int) -> str:
    """`R-2027-0042`: the campaign year and the report's place in that year (from 1)."""
    if sequence < 1:
        raise ValueError("a report sequence starts at 1")
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:04d}"


def number_prefix(year: int) -> str:
    return f"{NUMBER_PREFIX}-{year:04d}-"


def parse_report_number(number: str) -> tuple[int, int] | None:
    """(year, sequence) of a well-formed report number, else None."""
    found = _NUMBER.match(number.strip().upper())
    return (int(found[1]), int(found[2])) if found else None


# -- validation of what the reporter sends ---------------------------------------------------


def too_long(text: str, limit: int) -> int | None:
    """The text's length when it exceeds `limit` (the reporter is told both), else None."""
    length = len(text)
    return length if length > limit else None


@dataclass(frozen=True)
class EvidenceRules:
    """How many files a report may carry, how big and of which types."""

    max_files: int = 5
    max_bytes: int = 20 * 1024 * 1024
    allowed_mime: tuple[str, ...] = DEFAULT_ALLOWED_MIME

    @property
    def max_mb(self) -> int:
        return self.max_bytes // (1024 * 1024)

    def allowed_labels(self) -> str:
        """`PDF, Word, Excel, JPEG, PNG`: the allowed types as people name them."""
        labels: list[str] = []
        for mime in self.allowed_mime:
            label = MIME_LABELS.get(mime, mime)
            if label not in labels:
                labels.append(label)
        return ", ".join(labels)


class EvidenceRefusal(StrEnum):
    TOO_MANY = "too_many"
    TOO_BIG = "too_big"
    TYPE_REFUSED = "type_refused"


def check_evidence(
    rules: EvidenceRules, *, kind: str, mime_type: str | None, size: int | None, attached: int
) -> EvidenceRefusal | None:
    """Why a file may not be attached (None: it may). Photos are always JPEG from Telegram."""
    if attached >= rules.max_files:
        return EvidenceRefusal.TOO_MANY
    if size is not None and size > rules.max_bytes:
        return EvidenceRefusal.TOO_BIG
    if kind == "document" and (mime_type or "").lower() not in rules.allowed_mime:
        return EvidenceRefusal.TYPE_REFUSED
    return None


@dataclass(frozen=True)
class EvidenceItem:
    kind: str  # photo | document
    file_id: str
    mime_type: str | None
    size: int | None
    caption: str | None = None  # kept for staff only
    file_name: str | None = None


@dataclass
class ReportDraft:
    """What the reporter has said so far; becomes a case when submitted."""

    category_key: str | None = None
    unit_id: int | None = None
    description: str | None = None
    occurred: str | None = None
    evidence: list[EvidenceItem] = field(default_factory=list)
    confidential: bool | None = None
    # Names this draft on its Submit button, so that a press on the card of an earlier,
    # cancelled draft is not mistaken for a second press on this one.
    token: str = field(default_factory=lambda: secrets.token_hex(4))

    def missing(self) -> tuple[str, ...]:
        """The fields still needed before the draft may be submitted."""
        needed = {
            "category": self.category_key,
            "unit": self.unit_id,
            "description": self.description,
            "confidential": self.confidential,
        }
        return tuple(name for name, value in needed.items() if value is None)


# -- who may see or change what --------------------------------------------------------------

STAFF_ROLES: frozenset[Role] = frozenset({Role.CASE_OFFICER, Role.ADMIN})


@dataclass(frozen=True)
class ReportViewer:
    """Someone looking at a report: their role, unit and member id (None for an admin who
    is not a member)."""

    role: Role | None
    unit_id: int | None
    member_id: int | None


def may_view_report(
    viewer_role: Role | None,
    viewer_unit_id: int | None,
    viewer_member_id: int | None,
    report_unit_id: int | None,
    author_member_id: int,
) -> bool:
    """The author, campaign staff, and the head of the unit concerned may read a report."""
    if viewer_member_id is not None and viewer_member_id == author_member_id:
        return True
    if viewer_role in STAFF_ROLES:
        return True
    return (
        viewer_role is Role.UNIT_HEAD
        and viewer_unit_id is not None
        and viewer_unit_id == report_unit_id
    )


def may_see_reporter(
    viewer_role: Role | None,
    viewer_unit_id: int | None,
    viewer_member_id: int | None,
    report_unit_id: int | None,
    confidential: bool,
    author_member_id: int,
) -> bool:
    """Whether the viewer may see who filed the report.

    The author and campaign staff always may; the head of the unit concerned only when the
    report is not confidential; nobody else ever does.
    """
    if viewer_member_id is not None and viewer_member_id == author_member_id:
        return True
    if viewer_role in STAFF_ROLES:
        return True
    if confidential:
        return False
    return may_view_report(
        viewer_role, viewer_unit_id, viewer_member_id, report_unit_id, author_member_id
    )


def may_see_evidence_details(viewer_role: Role | None) -> bool:
    """Captions and file names of evidence are for campaign staff only."""
    return viewer_role in STAFF_ROLES


def may_see_document_evidence(
    viewer_role: Role | None, viewer_member_id: int | None, author_member_id: int
) -> bool:
    """Documents keep their metadata (a .docx names its author; a JPEG sent as a file keeps
    its EXIF), so only the author and staff get them; Telegram re-encodes photos, which drops
    EXIF, so photos may go to the unit head as well."""
    if viewer_member_id is not None and viewer_member_id == author_member_id:
        return True
    return viewer_role in STAFF_ROLES


def may_change_status(viewer_role: Role | None) -> bool:
    """Only campaign staff move a report through its lifecycle."""
    return viewer_role in STAFF_ROLES
