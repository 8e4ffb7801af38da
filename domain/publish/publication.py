"""The honour roll (荣誉榜) and exposure board (曝光台): what may be published, the limits of a
public summary, and the privacy check that warns before anything identifying goes out.

The check only warns: an admin may still publish after reading the warnings (a school's
headmaster named in an exemplar may be exactly the point), but never without seeing them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.cases.lifecycle import CaseStatus
from domain.cases.reports import parse_report_number
from domain.hotline import receipts
from domain.membership.roles import Role

SUMMARY_MIN_CHARS = 10
SUMMARY_MAX_CHARS = 1500  # the channel message adds a header and a footer (4096 in all)
NAME_MIN_CHARS = 2  # a one-character display name would match too much ordinary text
PUBLISHABLE_CASE_STATUSES: frozenset[str] = frozenset({CaseStatus.CLOSED})

_REPORT_NUMBER = re.compile(r"(?<![A-Za-z0-9])[Rr]-\d{4}-\d{4,}(?![0-9])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


class Kind(StrEnum):
    HONOUR = "honour"  # 褒奖: an exemplar on the honour roll
    EXPOSURE = "exposure"  # 曝光: a typical case on the exposure board


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Flag(StrEnum):
    """Why a summary may identify someone."""

    NAME = "name"  # a registered member's display name
    RECEIPT = "receipt"  # something shaped like a complaint receipt
    REPORT_NUMBER = "report_number"  # staff can tie a report number to its author
    PHONE = "phone"
    ID_NUMBER = "id_number"


@dataclass(frozen=True)
class Warning:
    flag: Flag
    fragment: str  # what was found, masked for receipts

    def __str__(self) -> str:
        return f"{self.flag.value}:{self.fragment}"


def may_publish(role: Role | None) -> bool:
    """Only administrators (from the config) publish, edit, list and withdraw."""
    return role is Role.ADMIN


def is_publishable_case(status: str) -> bool:
    """Only a closed case: its outcome is settled."""
    return status in PUBLISHABLE_CASE_STATUSES


def clean_summary(text: str) -> str:
    """The summary as stored: outer spaces and runs of blank lines trimmed."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


def summary_fits(text: str) -> bool:
    return SUMMARY_MIN_CHARS <= len(text) <= SUMMARY_MAX_CHARS


def _fold(text: str) -> str:
    """Compare names ignoring width, case and spaces (全角 / 半角, "Zhou Li" / "zhouli")."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _mask(fragment: str) -> str:
    return fragment[:4] + "…" if len(fragment) > 4 else "…"


def check_summary(
    summary: str,
    *,
    member_names: Iterable[str],
) -> list[Warning]:
    """Everything in `summary` that may identify a person, in order of kind: a registered
    member's display name (those who left included), a receipt, a report number (staff can
    tie it to its author), a mobile phone or ID card number."""
    found: list[Warning] = []
    folded = _fold(summary)
    seen: set[str] = set()
    for name in member_names:
        key = _fold(name)
        if len(key) >= NAME_MIN_CHARS and key in folded and key not in seen:
            seen.add(key)
            found.append(Warning(Flag.NAME, name.strip()))
    for start, end in receipts.find_in_text(summary):
        found.append(Warning(Flag.RECEIPT, _mask(summary[start:end])))
    for number in report_numbers(summary):
        found.append(Warning(Flag.REPORT_NUMBER, number))
    found += [Warning(Flag.PHONE, _mask(m.group(0))) for m in _PHONE.finditer(summary)]
    found += [Warning(Flag.ID_NUMBER, _mask(m.group(0))) for m in _ID_CARD.finditer(summary)]
    return found


def report_numbers(text: str) -> list[str]:
    """Well-formed report numbers in `text`, upper-cased, each once."""
    out: list[str] = []
    for match in _REPORT_NUMBER.finditer(text):
        number = match.group(0).upper()
        if parse_report_number(number) is not None and number not in out:
            out.append(number)
    return out


def fingerprint(warnings: Iterable[Warning]) -> str:
    """A short stable token of a warning list: a 'publish anyway' press is honoured only for
    the warnings the admin saw."""
    joined = "\n".join(sorted(str(w) for w in warnings))
    return hashlib.sha256(joined.encode()).hexdigest()[:8]
