"""The staff desk's follow-up rules: a unit returning a dispatched case (退单), internal notes
and who may read them, files on a case, questions to the reporter and explicit status changes.

A return puts the case back with its owner (accepted: they may dispatch it again); the ledger
item stays in the database as `returned`, off the unit's list. Internal notes are for desk
staff only; with `private_notes` a note written in a section (股室) is read only there and by
administrators. Pure rules, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.cases.lifecycle import CaseAction, CaseStatus, can_move, starts
from domain.desk.rules import DESK_ROLES, CaseFacts
from domain.desk.rules import Actor as DeskActor
from domain.ledger.rules import Actor as LedgerActor
from domain.ledger.rules import LedgerStatus, heads_unit
from domain.membership.roles import Role
from domain.membership.units import UnitKind

RETURN_REASON_MAX = 500
NOTE_MAX = 1000
QUESTION_MAX = 1000
ANSWER_MAX = 2000

# A unit may return an item only before rectification has started.
RETURNABLE_ITEM_STATUSES: frozenset[str] = frozenset({LedgerStatus.OPEN.value})
# …and while the case is still being handled (not closed or rejected).
RETURNABLE_CASE_STATUSES: frozenset[str] = frozenset(s.value for s in starts(CaseAction.RETURN))
# What the owner may set by hand; closing keeps its own action (a summary is needed).
EXPLICIT_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.IN_PROGRESS, CaseStatus.REJECTED)
# A reply, a question or a file to the reporter: the statuses of desk-a's "reply".
OWNER_STATUSES: frozenset[str] = frozenset(s.value for s in starts(CaseAction.ASK))


class FollowRefusal(StrEnum):
    NOT_UNIT_HEAD = "not_unit_head"  # only a head of the unit the item is listed for
    NOT_DISPATCHED = "not_dispatched"  # the item did not come from the desk
    STARTED = "started"  # rectification has begun (or the item is closed or returned)
    CASE_MOVED = "case_moved"  # the case is closed, rejected or back with its owner
    NOT_STAFF = "not_staff"
    NOT_OWNER = "not_owner"
    NOT_REPORT = "not_report"  # only a named report has someone to send a file or ask
    WRONG_STATUS = "wrong_status"
    CONFLICT = "conflict"  # a case officer of the unit concerned
    RETURNED = "returned"  # returned already


@dataclass(frozen=True)
class ReturnFacts:
    item_unit_id: int
    item_status: str
    source_case_id: int | None
    case_status: str | None


def return_refusal(actor: LedgerActor, facts: ReturnFacts) -> FollowRefusal | None:
    """None when `actor` may return the item to the desk now; otherwise why not."""
    if not heads_unit(actor, facts.item_unit_id) or actor.member_id is None:
        return FollowRefusal.NOT_UNIT_HEAD
    if facts.source_case_id is None:
        return FollowRefusal.NOT_DISPATCHED
    if facts.item_status == LedgerStatus.RETURNED.value:
        return FollowRefusal.RETURNED
    if facts.item_status not in RETURNABLE_ITEM_STATUSES:
        return FollowRefusal.STARTED
    if facts.case_status not in RETURNABLE_CASE_STATUSES:
        return FollowRefusal.CASE_MOVED
    return None


def may_offer_return(actor: LedgerActor, unit_id: int, status: str, source: int | None) -> bool:
    """The ledger card shows "return" (the case's own status is checked on the press)."""
    facts = ReturnFacts(unit_id, status, source, CaseStatus.IN_PROGRESS.value)
    return return_refusal(actor, facts) is None


def text_problem(text: str, limit: int) -> int | None:
    """The length when `text` is empty or longer than `limit`; None when it fits."""
    return len(text) if not text or len(text) > limit else None


# -- internal notes ------------------------------------------------------------------------


def note_section(role: Role | None, unit_id: int | None, unit_kind: str | None) -> int | None:
    """The section a note is written in: the author's unit when it is a section (股室)."""
    if role is Role.CASE_OFFICER and unit_id is not None and unit_kind == UnitKind.SECTION.value:
        return unit_id
    return None


def may_open_thread(role: Role | None, unit_id: int | None, case_unit_id: int | None) -> bool:
    """The staff thread: desk staff, except a case officer of the unit concerned (conflict of
    interest: they might read what the office notes about their own unit)."""
    if role not in DESK_ROLES:
        return False
    return role is Role.ADMIN or case_unit_id is None or unit_id != case_unit_id


def may_write_note(role: Role | None) -> bool:
    return role in DESK_ROLES


def may_read_note(
    role: Role | None, unit_id: int | None, section_id: int | None, *, private: bool
) -> bool:
    """Desk staff read notes; with `private`, a section's notes only its case officers and
    admins."""
    if role not in DESK_ROLES:
        return False
    if not private or section_id is None or role is Role.ADMIN:
        return True
    return unit_id == section_id


# -- the owner's acts on a named report ----------------------------------------------------


class OwnerAct(StrEnum):
    FILE_TO_AUTHOR = "file"  # a file sent to the reporter as a reply
    ASK = "ask"  # a question: the case waits for the reporter
    STATUS = "status"  # an explicit status change


def owner_refusal(
    act: OwnerAct, actor: DeskActor, kind: str, case: CaseFacts
) -> FollowRefusal | None:
    """None when the owner may do `act` on the case now; otherwise why not."""
    if actor.role not in DESK_ROLES:
        return FollowRefusal.NOT_STAFF
    if kind != "report":
        return FollowRefusal.NOT_REPORT
    if actor.member_id is None or case.owner_member_id != actor.member_id:
        return FollowRefusal.NOT_OWNER
    if case.status not in OWNER_STATUSES:
        return FollowRefusal.WRONG_STATUS
    if act is OwnerAct.STATUS and not explicit_targets(case.status):
        return FollowRefusal.WRONG_STATUS
    return None


def explicit_targets(current: str) -> tuple[CaseStatus, ...]:
    """The statuses the owner may set by hand from `current`."""
    return tuple(s for s in EXPLICIT_STATUSES if can_move(current, s))


def needs_reason(target: CaseStatus | str) -> bool:
    """Not accepting a report needs a reason the reporter reads."""
    return target == CaseStatus.REJECTED
