"""The unit rating as `/stats` and `/publish` show it, and as the rating job stores it when a
phase ends: gathers each unit's inputs from storage (ledger items, dispatched cases' clocks,
"124" duty nights, evaluation forms' scores), rates them with the pure `domain.rating.rate`,
and words the result with a short line per input. A past phase's rating is read from what
was stored when it ended, so later edits do not rewrite it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.campaign import Phase
from domain.duties.checkin import DutyPolicy, compliance, duty_days_between
from domain.forms.rules import unit_scores
from domain.rating import (
    Evaluation,
    Input,
    Reason,
    UnitInputs,
    UnitRating,
    as_record,
    from_record,
    rate_all,
    worst_first,
)
from domain.stats import ItemFact, UnitGrade, ended_phases, rating_window
from handlers.context import BotContext, Services, Settings
from handlers.duties.common import policy_of
from handlers.i18n import Translator
from storage.db import Database
from storage.duties import checkins
from storage.forms import answers
from storage.stats import facts as stats_facts
from storage.stats import rating as store


@dataclass(frozen=True)
class Board:
    """The ratings of one rating day, worst first; `stored`: read from the phase's record."""

    phase_key: str | None
    day: date
    ratings: tuple[UnitRating, ...]
    names: dict[int, str]
    stored: bool = False


async def _evaluations(
    db: Database, settings: Settings, first: date, day: date, unit_ids: Collection[int] | None
) -> dict[int, list[Evaluation]]:
    """Per unit, the scores of the evaluation forms answered between `first` and `day`."""
    out: dict[int, list[Evaluation]] = {}
    for form in settings.forms:
        if form.rating is None or form.weight <= 0:
            continue
        rows = [
            r
            for r in await answers.answer_rows(db, form_key=form.key)
            if first <= r.submitted_on <= day and (unit_ids is None or r.unit_id in unit_ids)
        ]
        for s in unit_scores(form, ((r.unit_id, r.answers) for r in rows)):
            if s.score is not None:
                out.setdefault(s.unit_id, []).append(
                    Evaluation(Input(form.rating.value), form.weight, s.score, s.answers, form.key)
                )
    return out


async def compute(
    db: Database,
    settings: Settings,
    policy: DutyPolicy,
    *,
    first: date,
    day: date,
    ended: bool,
    unit_ids: Collection[int] | None = None,
) -> tuple[list[UnitRating], dict[int, str]]:
    """Every unit with ledger items (in `unit_ids`, or all) rated on `day`, worst first."""
    facts = await stats_facts.facts(db, unit_id=None, unit_ids=unit_ids)
    cases = await store.dispatched(db, unit_ids=unit_ids)
    last = day if ended else day - timedelta(days=1)
    duty = await checkins.duty_facts(db, first, last, tz=policy.timezone)
    nights = duty_days_between(first, last, policy, settings.calendar)
    duty_by_unit = {c.unit_id: c for c in compliance(duty, nights)}
    evaluations = await _evaluations(db, settings, first, day, unit_ids)
    items: dict[int, list[ItemFact]] = {}
    for item in facts.items:
        items.setdefault(item.unit_id, []).append(item)
    inputs = [
        UnitInputs(
            unit_id=unit,
            items=tuple(items[unit]),
            dispatched=tuple(cases.get(unit, ())),
            checkin=duty_by_unit.get(unit),
            evaluations=tuple(evaluations.get(unit, ())),
        )
        for unit in sorted(items)
    ]
    rated = rate_all(
        inputs,
        settings.unit_rating,
        tz=settings.timezone,
        day=day,
        ended=ended,
        clocks=settings.reminders.case_clocks,
        cal=settings.calendar,
    )
    return rated, {u.id: u.name for u in facts.units.values()}


async def board(
    context: BotContext, *, today: date, unit_ids: Collection[int] | None = None
) -> Board:
    """The ratings `/stats` and `/publish` show: those stored at the end of the latest ended
    phase (computed now if the job has not stored them yet), or as of today while the first
    phase runs."""
    svc, policy = context.services, policy_of(context)
    phase, first, day, ended = rating_window(svc.settings.campaign, today)
    if phase is not None and (kept := await store.stored(svc.db, phase)) is not None:
        ratings = [from_record(r) for r in kept.records]
        chosen = [r for r in ratings if unit_ids is None or r.unit_id in unit_ids]
        names = await store.unit_names(svc.db, unit_ids)
        return Board(phase, kept.rated_on, tuple(sorted(chosen, key=worst_first)), names, True)
    rated, names = await compute(
        svc.db, svc.settings, policy, first=first, day=day, ended=ended, unit_ids=unit_ids
    )
    return Board(phase, day, tuple(rated), names)


async def store_ended_phases(svc: Services, policy: DutyPolicy, *, now: datetime) -> list[str]:
    """Store the ratings of every phase that has ended and has none stored yet (the job;
    idempotent: a stored phase is never rated again). Returns the phases stored now."""
    today = now.astimezone(svc.settings.timezone).date()
    done = await store.stored_phases(svc.db)
    stored: list[str] = []
    for phase in ended_phases(svc.settings.campaign, today):
        if phase.key in done:
            continue
        rated, _ = await compute(
            svc.db, svc.settings, policy, first=phase.start, day=phase.end, ended=True
        )
        if await store.store(
            svc.db,
            phase_key=phase.key,
            rated_on=phase.end,
            records=[as_record(r) for r in rated],
            now=now,
        ):
            stored.append(phase.key)
    return stored


async def phase_ratings(
    db: Database,
    settings: Settings,
    policy: DutyPolicy,
    *,
    today: date,
    unit_ids: Collection[int] | None = None,
) -> list[tuple[Phase, list[UnitRating]]]:
    """Each ended phase with its ratings: as stored when it ended, or computed for its last
    day if the job has not stored them yet (the year-end summary's table)."""
    out: list[tuple[Phase, list[UnitRating]]] = []
    for phase in ended_phases(settings.campaign, today):
        kept = await store.stored(db, phase.key)
        if kept is not None:
            rated = [from_record(r) for r in kept.records]
        else:
            rated, _ = await compute(
                db, settings, policy, first=phase.start, day=phase.end, ended=True
            )
        out.append((phase, [r for r in rated if unit_ids is None or r.unit_id in unit_ids]))
    return out


# -- words ------------------------------------------------------------------------------------


def grade_label(t: Translator, grade: UnitGrade | None) -> str:
    match grade:
        case UnitGrade.EXCELLENT:
            return t.gettext("excellent")
        case UnitGrade.GOOD:
            return t.gettext("good")
        case UnitGrade.FAIR:
            return t.gettext("fair")
        case None:
            return t.gettext("not rated yet")


def input_label(t: Translator, key: Input) -> str:
    match key:
        case Input.LEDGER:
            return t.gettext("ledger")
        case Input.CLOCKS:
            return t.gettext("case clocks")
        case Input.CHECKIN:
            return t.gettext("“124” duty")
        case Input.SATISFACTION:
            return t.gettext("satisfaction evaluation")
        case Input.CONDUCT:
            return t.gettext("conduct evaluation")
        case Input.SPECIAL:
            return t.gettext("special evaluation")


def _points(value: float) -> str:
    return f"{value:.0f}"


def reason_line(t: Translator, r: Reason) -> str:
    """One input of a rating with its figures, its score and its weight."""
    weight = f"{round(r.share * 100)}%"
    score = _points(r.score)
    match r.input:
        case Input.LEDGER:
            late, overdue = (*r.extra, 0, 0)[:2]
            return t.gettext(
                "Ledger: {verified} of {due} items due verified ({late} late), {overdue} "
                "overdue → {score} (weight {weight})",
                verified=r.part,
                due=r.whole,
                late=late,
                overdue=overdue,
                score=score,
                weight=weight,
            )
        case Input.CLOCKS:
            return t.gettext(
                "Case clocks: {met} of {due} dispatched cases answered in time → {score} "
                "(weight {weight})",
                met=r.part,
                due=r.whole,
                score=score,
                weight=weight,
            )
        case Input.CHECKIN:
            return t.gettext(
                "“124” duty: {present} of {owed} nights at school → {score} (weight {weight})",
                present=r.part,
                owed=r.whole,
                score=score,
                weight=weight,
            )
        case _:
            return t.ngettext(
                "{name}: {score} from {n} answer (weight {weight})",
                "{name}: {score} from {n} answers (weight {weight})",
                r.part,
                name=input_label(t, r.input),
                score=score,
                weight=weight,
            )


def unit_line(t: Translator, name: str, r: UnitRating) -> str:
    if r.score is None:
        return t.ngettext(
            "{unit}: not rated yet (nothing due; {n} item not due yet)",
            "{unit}: not rated yet (nothing due; {n} items not due yet)",
            r.ledger.not_due,
            unit=name,
        )
    return t.gettext(
        "{unit}: {grade}, {score} points",
        unit=name,
        grade=grade_label(t, r.grade),
        score=_points(r.score),
    )


def explained(t: Translator, name: str, r: UnitRating) -> list[str]:
    """The unit's line, then one line per input, and which inputs were left out."""
    lines = [unit_line(t, name, r)]
    if r.score is None:
        return lines
    lines += [f"  · {reason_line(t, reason)}" for reason in r.reasons]
    if r.left_out:
        comma = t.gettext(", ")
        lines.append(
            "  · "
            + t.gettext(
                "Not applicable, left out (the other weights renormalised): {inputs}",
                inputs=comma.join(input_label(t, k) for k in r.left_out),
            )
        )
    return lines
