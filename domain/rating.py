"""The unit rating (目标绩效: 优秀 / 较好 / 一般, or not rated yet), fair and explained.

A rating is taken on a rating day (the end of a phase, or today while the first phase runs)
and counts only what was due by then: a ledger item counts once its deadline has passed or it
was verified; lateness counts against the deadline as the bureau set it, or as an approved
extension moved it (`ItemFact.due`). A unit with nothing due is not rated yet, never 一般, and
the slow units are exactly those with overdue items.

The score (0-100) combines the inputs a unit has, each with its weight from config: the
ledger (verified on time, late with partial credit, overdue with none), the answer clocks of
its dispatched cases, the "124" compliance of a boarding school, and the evaluations of the
forms (满意度评议, 行风评议 …, folded in by `domain.forms.rules.weighted`). An input a unit does not
have is left out and the others' weights renormalised; each input gives a `Reason` with its
figures and its share, which handlers turn into one line each. Pure: storage gathers the
inputs, the caller passes the day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.duties.checkin import Compliance
from domain.forms.rules import weighted
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import CaseClock
from domain.stats import CaseFact, ClockTally, ItemFact, UnitGrade, clocks_met


class Input(StrEnum):
    """What a rating rests on; evaluations are named by their form's rating kind."""

    LEDGER = "ledger"
    CLOCKS = "clocks"
    CHECKIN = "checkin"
    SATISFACTION = "satisfaction"  # 满意度评议
    CONDUCT = "conduct"  # 行风评议
    SPECIAL = "special"  # 专项评议


BASE_INPUTS = (Input.LEDGER, Input.CLOCKS, Input.CHECKIN)


@dataclass(frozen=True)
class RatingRules:
    """The `[rating]` config: the weights of the base inputs (renormalised over those a unit
    has), the credit of an item verified late, and the score a grade needs."""

    ledger_weight: float = 0.6
    clocks_weight: float = 0.2
    checkin_weight: float = 0.2
    late_credit: float = 0.5  # an item verified after its deadline counts this much
    excellent: float = 90.0
    good: float = 75.0

    def weight(self, key: Input) -> float:
        return {
            Input.LEDGER: self.ledger_weight,
            Input.CLOCKS: self.clocks_weight,
            Input.CHECKIN: self.checkin_weight,
        }.get(key, 0.0)


@dataclass(frozen=True)
class Evaluation:
    """A form's scores of one unit: its rating kind, its weight (the form's `weight`), the
    0-100 score and how many answers it rests on."""

    kind: Input
    weight: float
    score: float
    answers: int
    form_key: str = ""


@dataclass(frozen=True)
class UnitInputs:
    """What storage found for one unit up to the rating day."""

    unit_id: int
    items: tuple[ItemFact, ...] = ()
    dispatched: tuple[CaseFact, ...] = ()  # its cases dispatched to its ledger
    checkin: Compliance | None = None  # a boarding school's duty nights in the window
    evaluations: tuple[Evaluation, ...] = ()


@dataclass(frozen=True)
class LedgerTally:
    """A unit's ledger on the rating day: the items that count (due, or verified), of them
    verified on time, verified late and overdue (due and not verified)."""

    counted: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    not_due: int = 0  # open items whose deadline has not come: left out

    @property
    def verified(self) -> int:
        return self.on_time + self.late


@dataclass(frozen=True)
class Reason:
    """One input of a rating: its score, its share of the final score (after renormalising)
    and its figures (`part` of `whole`, e.g. answered in time of due; `extra`: the ledger's
    late and overdue counts, an evaluation's answers)."""

    input: Input
    score: float
    share: float
    part: int
    whole: int
    extra: tuple[int, ...] = ()


@dataclass(frozen=True)
class UnitRating:
    unit_id: int
    grade: UnitGrade | None  # None: not rated yet (nothing due)
    score: float | None
    reasons: tuple[Reason, ...] = ()
    left_out: tuple[Input, ...] = ()  # base inputs the unit does not have (weights renormalised)
    ledger: LedgerTally = field(default_factory=LedgerTally)

    @property
    def slow(self) -> bool:
        """A slow unit has overdue items, whatever its grade."""
        return self.ledger.overdue > 0

    @property
    def rated(self) -> bool:
        return self.grade is not None


def ledger_tally(items: Iterable[ItemFact], tz: ZoneInfo, day: date, *, ended: bool) -> LedgerTally:
    """The ledger as it stood on `day`: items created later are left out; an item counts when
    verified by then (on time or late against `ItemFact.due`) or when its due day has passed
    (`ended`: the rating day itself is over, as at the end of a phase) without verification."""
    counted = on_time = late = overdue = not_due = 0
    for item in items:
        if item.created_at.astimezone(tz).date() > day:
            continue
        verified_on = (
            item.verified_at.astimezone(tz).date()
            if item.status == "verified" and item.verified_at is not None
            else None
        )
        if verified_on is not None and verified_on <= day:
            counted += 1
            if item.due is None or verified_on <= item.due:
                on_time += 1
            else:
                late += 1
        elif item.due is not None and (item.due < day or (ended and item.due == day)):
            counted += 1
            overdue += 1
        else:
            not_due += 1
    return LedgerTally(counted, on_time, late, overdue, not_due)


def answer_clock(
    cases: Iterable[CaseFact], clocks: Mapping[str, CaseClock], *, day: date, cal: WorkCalendar
) -> ClockTally:
    """Of the dispatched cases whose answer limit had passed by `day` or that were answered by
    then: how many were answered in time (a later answer does not count yet)."""
    due = met = 0
    for case in cases:
        if case.answered_on is not None and case.answered_on > day:
            case = CaseFact(case.kind, case.category_key, case.unit_id, case.status, case.opened_on)
        _, answered = clocks_met(case, clocks, today=day, cal=cal)
        if answered is not None:
            due += 1
            met += answered
    return ClockTally(due, met)


def grade_of(score: float, rules: RatingRules) -> UnitGrade:
    if score >= rules.excellent:
        return UnitGrade.EXCELLENT
    if score >= rules.good:
        return UnitGrade.GOOD
    return UnitGrade.FAIR


def rate(
    inputs: UnitInputs,
    rules: RatingRules,
    *,
    tz: ZoneInfo,
    day: date,
    ended: bool,
    clocks: Mapping[str, CaseClock],
    cal: WorkCalendar,
) -> UnitRating:
    """One unit's rating on `day`, with its reasons."""
    tally = ledger_tally(inputs.items, tz, day, ended=ended)
    if tally.counted == 0:
        return UnitRating(inputs.unit_id, None, None, ledger=tally)
    base: list[tuple[Input, float, int, int, tuple[int, ...]]] = []
    ledger_score = 100 * (tally.on_time + rules.late_credit * tally.late) / tally.counted
    base.append(
        (Input.LEDGER, ledger_score, tally.verified, tally.counted, (tally.late, tally.overdue))
    )
    clock = answer_clock(inputs.dispatched, clocks, day=day, cal=cal)
    if (share := clock.share) is not None:
        base.append((Input.CLOCKS, 100 * share, clock.met, clock.due, ()))
    c = inputs.checkin
    if c is not None and (share := c.share) is not None:
        base.append((Input.CHECKIN, 100 * share, c.present, c.present + c.missing, (c.excused,)))
    present = [(key, rules.weight(key)) for key, *_ in base if rules.weight(key) > 0]
    base_weight = sum(w for _, w in present)
    base_score = (
        sum(rules.weight(key) * score for key, score, *_ in base) / base_weight
        if base_weight
        else None
    )
    evaluations = [e for e in inputs.evaluations if e.weight > 0]
    score = weighted(base_score, ((e.weight, e.score) for e in evaluations))
    assert score is not None  # the ledger counted something, or weights are all zero
    rest = max(0.0, 1.0 - sum(e.weight for e in evaluations)) if base_score is not None else 0.0
    whole = rest + sum(e.weight for e in evaluations)
    reasons = [
        Reason(
            key,
            s,
            (rest * rules.weight(key) / base_weight) / whole if base_weight else 0.0,
            part,
            of,
            extra,
        )
        for key, s, part, of, extra in base
    ]
    reasons += [
        Reason(e.kind, e.score, e.weight / whole, e.answers, e.answers, ()) for e in evaluations
    ]
    had = {key for key, *_ in base}
    left_out = tuple(k for k in BASE_INPUTS if k not in had and rules.weight(k) > 0)
    return UnitRating(
        inputs.unit_id, grade_of(score, rules), score, tuple(reasons), left_out, tally
    )


def rate_all(
    units: Sequence[UnitInputs],
    rules: RatingRules,
    *,
    tz: ZoneInfo,
    day: date,
    ended: bool,
    clocks: Mapping[str, CaseClock],
    cal: WorkCalendar,
) -> list[UnitRating]:
    """Every unit's rating, worst first (not rated last, by unit id within a tie)."""
    rated = [rate(u, rules, tz=tz, day=day, ended=ended, clocks=clocks, cal=cal) for u in units]
    return sorted(rated, key=worst_first)


def worst_first(r: UnitRating) -> tuple[int, float, int]:
    return (0 if r.rated else 1, r.score if r.score is not None else 0.0, r.unit_id)


def as_record(r: UnitRating) -> dict[str, object]:
    """A rating as plain JSON data, to be stored when its phase ends."""
    t = r.ledger
    return {
        "unit": r.unit_id,
        "grade": r.grade.value if r.grade is not None else None,
        "score": r.score,
        "reasons": [
            [x.input.value, x.score, x.share, x.part, x.whole, list(x.extra)] for x in r.reasons
        ],
        "left_out": [k.value for k in r.left_out],
        "ledger": [t.counted, t.on_time, t.late, t.overdue, t.not_due],
    }


def from_record(data: Mapping[str, object]) -> UnitRating:
    """The rating `as_record` stored."""
    grade, score = data["grade"], data["score"]
    reasons = data["reasons"]
    left_out = data["left_out"]
    ledger = data["ledger"]
    unit = data["unit"]
    assert isinstance(reasons, list) and isinstance(left_out, list) and isinstance(ledger, list)
    assert isinstance(unit, int)
    return UnitRating(
        unit_id=unit,
        grade=UnitGrade(str(grade)) if grade is not None else None,
        score=float(score) if isinstance(score, (int, float)) else None,
        reasons=tuple(
            Reason(Input(k), float(s), float(w), int(p), int(of), tuple(int(n) for n in extra))
            for k, s, w, p, of, extra in reasons
        ),
        left_out=tuple(Input(k) for k in left_out),
        ledger=LedgerTally(*(int(n) for n in ledger)),
    )
