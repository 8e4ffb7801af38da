"""Who answers a form, in which period, whether an answer is late, who may see the results,
the reminder ladder to those who have not answered, the public's once-only mark and the
scores per unit. Pure functions of data, the clock, the calendar and the policy."""

from __future__ import annotations

import calendar as months
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.campaign import Campaign
from domain.forms.definitions import Audience, Form, Kind, Repeat
from domain.membership.roles import Role
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import STAFF, Due, Rule, member_recipient
from domain.reminders.timing import Policy, current_slot

PUBLIC_PREFIX = "form-"
LATE_SEARCH_DAYS = 31  # how far after a due day its first working day is looked for


@dataclass(frozen=True)
class Period:
    """One round of a form: answers from `first` to `last`, due on `due` (later is late)."""

    key: str
    first: date
    last: date
    due: date


def period_of(form: Form, day: date, campaign: Campaign) -> Period | None:
    """The period `day` falls in, or None when the form is not open that day."""
    if not form.opens <= day <= form.closes:
        return None
    match form.repeat:
        case Repeat.ONCE:
            key, first, last, due = "once", form.opens, form.closes, form.closes
        case Repeat.MONTHLY:
            length = months.monthrange(day.year, day.month)[1]
            first, last = day.replace(day=1), day.replace(day=length)
            due = day.replace(day=min(form.due_day, length)) if form.due_day else last
            key = f"{day.year:04d}-{day.month:02d}"
        case Repeat.WEEKLY:
            first = day - timedelta(days=day.weekday())
            last = first + timedelta(days=6)
            due = first + timedelta(days=form.due_day)
            year, week, _ = day.isocalendar()
            key = f"{year:04d}-W{week:02d}"
        case Repeat.PHASE:
            phase = campaign.phase_on(day)
            if phase is None:
                return None
            key, first, last, due = phase.key, phase.start, phase.end, phase.end
    first, last = max(first, form.opens), min(last, form.closes)
    return Period(key, first, last, min(max(due, first), last))


def is_late(period: Period, day: date) -> bool:
    return day > period.due


def may_answer(form: Form, *, role: Role | None, cadre: bool, unit_kind: str | None) -> bool:
    """Whether a person of this role (None: not registered) is in the form's audience. The
    public answers only through a unit's link."""
    if form.audience is Audience.PUBLIC:
        return True
    if role is None or role is Role.ADMIN:
        return False
    in_kind = not form.unit_kinds or unit_kind in form.unit_kinds
    match form.audience:
        case Audience.UNIT_HEADS:
            return role is Role.UNIT_HEAD and in_kind
        case Audience.MEMBERS:
            return (not form.roles or role.value in form.roles) and in_kind
        case Audience.CADRES:
            return cadre and in_kind
        case Audience.MONITORS:
            return role is Role.MONITOR
    return False


def sees_results(role: Role | None) -> str | None:
    """ "all" for staff, "unit" for a unit head (their own unit), None for anyone else."""
    if role in (Role.ADMIN, Role.CASE_OFFICER):
        return "all"
    if role is Role.UNIT_HEAD:
        return "unit"
    return None


def public_payload(form_key: str, unit_id: int) -> str:
    """The start payload of a unit's public link (`form-<key>-<unit id>`)."""
    return f"{PUBLIC_PREFIX}{form_key}-{unit_id}"


def parse_public_payload(payload: str) -> tuple[str, int] | None:
    if not payload.startswith(PUBLIC_PREFIX):
        return None
    key, _, unit = payload[len(PUBLIC_PREFIX) :].rpartition("-")
    if not key or not (unit.isascii() and unit.isdigit()) or len(unit) > 12:
        return None
    return key, int(unit)


def public_mark(pepper: bytes, form_key: str, period: str, unit_id: int, user_id: int) -> str:
    """The keyed hash that says "this person has answered this form for this unit": with the
    hotline's pepper, so a copy of the database cannot test whether a given account answered.
    Stored apart from the answers, it ties no answer to anyone."""
    message = f"form-once:{form_key}:{period}:{unit_id}:{user_id}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


# -- reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """Someone who should answer a named form: a member and their unit."""

    member_id: int
    unit_id: int
    unit_name: str


@dataclass(frozen=True)
class FormFacts:
    """What storage found for one form's current period."""

    form: Form
    period: Period
    expected: tuple[Expected, ...]
    answered: frozenset[int]  # member ids with an answer this period
    chases: tuple[tuple[int, int | None, datetime], ...] = ()  # (id, unit id or None, asked at)


def subject(form_key: str, period: str) -> str:
    return f"form:{form_key}:{period}"


def _working_before(day: date, cal: WorkCalendar, floor: date) -> date:
    while not cal.is_working_day(day) and day > floor:
        day -= timedelta(days=1)
    return day


def _working_after(day: date, cal: WorkCalendar, ceiling: date) -> date:
    while not cal.is_working_day(day) and day < ceiling:
        day += timedelta(days=1)
    return day


def missing_people(facts: FormFacts) -> list[Expected]:
    return [e for e in facts.expected if e.member_id not in facts.answered]


def form_reminders(
    facts: Iterable[FormFacts], *, now: datetime, policy: Policy, cal: WorkCalendar, staff: bool
) -> list[Due]:
    """Per named form's current period: the ladder before the due day (a step on a holiday
    or weekend moves to the working day before it) to those who have not answered; on the
    first working day after the due day, one late notice to them and the missing list per
    unit to the staff chat; and each chase a staff member asked for."""
    out: list[Due] = []
    for fact in facts:
        period, form = fact.period, fact.form
        who = missing_people(fact)
        topic = subject(form.key, period.key)
        payload: dict[str, Any] = {
            "form": form.key,
            "period": period.key,
            "due": period.due.isoformat(),
        }
        # Steps moved onto the same working day are one reminder: the one nearest the due day.
        steps: dict[date, str] = {}
        for k in form.ladder:
            if period.due - timedelta(days=k) >= period.first:
                day = _working_before(period.due - timedelta(days=k), cal, period.first)
                steps[day] = f"{period.key}:-{k}"
        planned = list(steps.items())
        slot = current_slot(
            planned, now=now, policy=policy, valid_until=period.due, not_before=period.first
        )
        # The first working day after the due day, even past the period's end (a weekly form
        # due on Friday: Monday). There the missing list goes to the staff chat; the people
        # who have not answered are told only while the period still takes a (late) answer.
        late_day = _working_after(
            period.due + timedelta(days=1), cal, period.due + timedelta(days=LATE_SEARCH_DAYS)
        )
        late = (
            current_slot(
                [(late_day, f"{period.key}:late")],
                now=now,
                policy=policy,
                valid_until=max(period.last, late_day),
            )
            if late_day > period.due
            else None
        )
        answerable = late if late_day <= period.last else None
        for chosen, is_late in ((slot, False), (answerable, True)):
            if chosen is None:
                continue
            for person in who:
                out.append(
                    Due(
                        Rule.FORM_DUE,
                        topic,
                        member_recipient(person.member_id),
                        chosen.key,
                        chosen.due_at,
                        person.unit_id,
                        {**payload, "late": is_late},
                    )
                )
        if late is not None and staff and who:
            out.append(
                Due(
                    Rule.FORM_MISSING,
                    topic,
                    STAFF,
                    late.key,
                    late.due_at,
                    None,
                    {**payload, "units": missing_by_unit(who)},
                )
            )
        for chase_id, unit_id, asked in fact.chases:
            for person in who:
                if unit_id is None or person.unit_id == unit_id:
                    out.append(
                        Due(
                            Rule.FORM_CHASE,
                            topic,
                            member_recipient(person.member_id),
                            f"chase:{chase_id}",
                            asked,
                            person.unit_id,
                            payload,
                        )
                    )
    return out


def missing_by_unit(who: Sequence[Expected]) -> list[list[Any]]:
    """[[unit name, how many have not answered], …] in the order of first appearance."""
    counts: dict[str, int] = {}
    for person in who:
        counts[person.unit_name] = counts.get(person.unit_name, 0) + 1
    return [[name, count] for name, count in counts.items()]


# -- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    answers: int
    score: float | None  # 0-100 over every scale answer, None without any


def unit_scores(form: Form, answers: Iterable[tuple[int, Mapping[str, Any]]]) -> list[UnitScore]:
    """Per unit: how many answered and the mean of the scale answers on 0-100 ((v-1)/(max-1))."""
    scales = {q.key: q.scale_max for q in form.questions if q.kind is Kind.SCALE}
    counts: dict[int, int] = {}
    sums: dict[int, list[float]] = {}
    for unit_id, given in answers:
        counts[unit_id] = counts.get(unit_id, 0) + 1
        for key, top in scales.items():
            value = given.get(key)
            if isinstance(value, int) and 1 <= value <= top and top > 1:
                sums.setdefault(unit_id, []).append((value - 1) / (top - 1) * 100)
    return [
        UnitScore(u, n, sum(sums[u]) / len(sums[u]) if sums.get(u) else None)
        for u, n in sorted(counts.items())
    ]


def weighted(base: float | None, scores: Iterable[tuple[float, float]]) -> float | None:
    """A unit's rating score with the evaluations folded in: `base` (0-100) keeps the weight
    the evaluations leave; each (weight, score) adds its share."""
    parts = [(w, s) for w, s in scores if w > 0]
    if base is None and not parts:
        return None
    rest = max(0.0, 1.0 - sum(w for w, _ in parts))
    total = sum(w * s for w, s in parts) + (rest * base if base is not None else 0.0)
    share = sum(w for w, _ in parts) + (rest if base is not None else 0.0)
    return total / share if share else None
