"""Whether a case is past one of its clocks, for `/overdue`. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.membership.roles import Role
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import CaseFacts
from domain.reminders.timing import Policy, fraction_days


@dataclass(frozen=True)
class LateCase:
    case: CaseFacts
    clock: str  # "ack" | "answer"
    limit: date
    days_late: int


def late_cases(
    cases: Iterable[CaseFacts], *, today: date, policy: Policy, cal: WorkCalendar
) -> list[LateCase]:
    """The cases past a clock (acknowledge first), most late first."""
    found: list[LateCase] = []
    for case in cases:
        clock = policy.case_clocks.get(case.kind)
        if clock is None:
            continue
        for name, done, days, working in (
            ("ack", case.acknowledged_on, clock.acknowledge_days, None),
            ("answer", case.answered_on, clock.answer_days, clock.answer_working_days),
        ):
            if done is not None or (days is None and working is None):
                continue
            limit = fraction_days(case.opened_on, 1.0, days=days, working_days=working, cal=cal)
            if today > limit:
                found.append(LateCase(case, name, limit, (today - limit).days))
                break
    return sorted(found, key=lambda c: (-c.days_late, c.case.id))


def may_see_overdue(role: Role | None) -> bool:
    return role in (Role.ADMIN, Role.CASE_OFFICER, Role.UNIT_HEAD)


def sees_all_units(role: Role | None) -> bool:
    """Staff and admins see every unit and the cases; a unit head only their own unit."""
    return role in (Role.ADMIN, Role.CASE_OFFICER)
