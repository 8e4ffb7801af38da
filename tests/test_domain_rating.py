"""The unit rating as a table: nothing due is not rated yet, on time, late, overdue, an
approved extension moving the day lateness counts against and a refused one not; inputs a
unit lacks left out with the weights renormalised; evaluations changing the grade; the
record stored at a phase's end read back unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.duties.checkin import Compliance
from domain.rating import (
    Evaluation,
    Input,
    RatingRules,
    UnitInputs,
    as_record,
    from_record,
    rate,
    rate_all,
)
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import CaseClock
from domain.stats import CaseFact, ItemFact, UnitGrade

TZ = ZoneInfo("Asia/Shanghai")
RULES = RatingRules()
DAY = date(2027, 3, 31)  # the rating day: the end of a phase
DEADLINE = date(2027, 3, 20)
CLOCKS = {"report": CaseClock(answer_days=15)}


def item(
    *,
    deadline: date | None = DEADLINE,
    due_on: date | None = None,
    verified: date | None = None,
    unit_id: int = 1,
) -> ItemFact:
    """An item listed on Mar 1; `due_on` is the day lateness counts against (the deadline
    unless the bureau or an approved extension moved it)."""
    return ItemFact(
        unit_id=unit_id,
        category_key="slow",
        status="verified" if verified else "open",
        deadline=deadline,
        created_at=datetime(2027, 3, 1, 2, tzinfo=UTC),
        verified_at=datetime.combine(verified, datetime.min.time(), TZ) if verified else None,
        due_on=due_on if due_on is not None else deadline,
    )


def rated(*items: ItemFact, ended: bool = True, **extra: object) -> tuple[object, ...]:
    r = rate(
        UnitInputs(1, items=items, **extra),  # type: ignore[arg-type]
        RULES,
        tz=TZ,
        day=DAY,
        ended=ended,
        clocks=CLOCKS,
        cal=WorkCalendar(),
    )
    return r.grade, None if r.score is None else round(r.score), r.slow


LATER = date(2027, 4, 30)  # after the rating day
EXTENDED = date(2027, 3, 28)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # nothing due: deadlines after the rating day, nothing verified -> not rated, not slow
        ((item(deadline=LATER), item(deadline=LATER)), (None, None, False)),
        ((item(deadline=None),), (None, None, False)),
        # due and verified on time
        ((item(verified=date(2027, 3, 19)),), (UnitGrade.EXCELLENT, 100, False)),
        # verified on the deadline day itself is on time
        ((item(verified=DEADLINE),), (UnitGrade.EXCELLENT, 100, False)),
        # verified late: half credit (late_credit), not slow any more
        ((item(verified=date(2027, 3, 25)),), (UnitGrade.FAIR, 50, False)),
        # due and still open: overdue, a slow unit
        ((item(),), (UnitGrade.FAIR, 0, True)),
        # late against the original deadline, but an extension was approved: on time
        (
            (item(deadline=EXTENDED, due_on=EXTENDED, verified=date(2027, 3, 25)),),
            (UnitGrade.EXCELLENT, 100, False),
        ),
        # the extension was refused: the deadline stays, the item was late
        ((item(due_on=DEADLINE, verified=date(2027, 3, 25)),), (UnitGrade.FAIR, 50, False)),
        # the unit moved its own deadline without approval: still late against the original
        (
            (item(deadline=EXTENDED, due_on=DEADLINE, verified=date(2027, 3, 25)),),
            (UnitGrade.FAIR, 50, False),
        ),
        # an on-track unit: one verified early, one not due yet -> rated on what counts
        (
            (item(verified=date(2027, 3, 10)), item(deadline=LATER)),
            (UnitGrade.EXCELLENT, 100, False),
        ),
        # 9 on time and one overdue: 90 -> excellent, but slow (it has an overdue item)
        (
            (*(item(verified=date(2027, 3, 2)) for _ in range(9)), item()),
            (UnitGrade.EXCELLENT, 90, True),
        ),
        # 4 on time of 5: 80 -> good
        (
            (*(item(verified=date(2027, 3, 2)) for _ in range(4)), item()),
            (UnitGrade.GOOD, 80, True),
        ),
    ],
)
def test_rating_table(items: tuple[ItemFact, ...], expected: tuple[object, ...]) -> None:
    assert rated(*items) == expected


def test_an_item_due_on_the_rating_day_is_overdue_only_once_the_day_is_over() -> None:
    due_today = item(deadline=DAY)
    assert rated(due_today, ended=False) == (None, None, False)  # today: still time
    assert rated(due_today, ended=True) == (UnitGrade.FAIR, 0, True)  # the phase has ended


def test_an_item_listed_after_the_rating_day_does_not_count() -> None:
    late_listed = ItemFact(1, "slow", "open", DEADLINE, datetime(2027, 4, 2, tzinfo=UTC))
    assert rated(late_listed) == (None, None, False)


def test_missing_inputs_are_left_out_and_the_weights_renormalised() -> None:
    answered_late = CaseFact(
        "report", "slow", 1, "closed", date(2027, 3, 1), answered_on=date(2027, 3, 29)
    )
    r = rate(
        UnitInputs(1, items=(item(verified=date(2027, 3, 2)),), dispatched=(answered_late,)),
        RULES,
        tz=TZ,
        day=DAY,
        ended=True,
        clocks=CLOCKS,
        cal=WorkCalendar(),
    )
    # ledger 100 with 0.6, clocks 0 (answered after its 15 days) with 0.2; no "124" duty:
    # 0.6 and 0.2 become 0.75 and 0.25
    assert r.left_out == (Input.CHECKIN,)
    assert [(x.input, x.score, x.share) for x in r.reasons] == [
        (Input.LEDGER, 100.0, pytest.approx(0.75)),
        (Input.CLOCKS, 0.0, pytest.approx(0.25)),
    ]
    assert r.score == pytest.approx(75.0)
    assert r.grade is UnitGrade.GOOD
    # with the duty at school every night it counts too, and nothing is left out
    full = rate(
        UnitInputs(
            1,
            items=(item(verified=date(2027, 3, 2)),),
            dispatched=(answered_late,),
            checkin=Compliance(1, present=8, excused=1, missing=0),
        ),
        RULES,
        tz=TZ,
        day=DAY,
        ended=True,
        clocks=CLOCKS,
        cal=WorkCalendar(),
    )
    assert full.left_out == ()
    assert full.score == pytest.approx(0.6 * 100 + 0.2 * 0 + 0.2 * 100)


def test_a_case_answered_after_the_rating_day_is_not_counted_yet() -> None:
    answered_after = CaseFact(
        "report", "slow", 1, "closed", date(2027, 3, 25), answered_on=date(2027, 4, 5)
    )
    r = rate(
        UnitInputs(1, items=(item(verified=date(2027, 3, 2)),), dispatched=(answered_after,)),
        RULES,
        tz=TZ,
        day=DAY,
        ended=True,
        clocks=CLOCKS,
        cal=WorkCalendar(),
    )
    assert Input.CLOCKS in r.left_out  # still within its limit on the rating day


def test_evaluation_scores_change_the_rating() -> None:
    ledger = (item(verified=date(2027, 3, 2)),)

    def with_evaluations(*evaluations: Evaluation) -> tuple[UnitGrade | None, float | None]:
        r = rate(
            UnitInputs(1, items=ledger, evaluations=evaluations),
            RULES,
            tz=TZ,
            day=DAY,
            ended=True,
            clocks=CLOCKS,
            cal=WorkCalendar(),
        )
        return r.grade, r.score

    assert with_evaluations() == (UnitGrade.EXCELLENT, 100.0)
    # parents unhappy (满意度 0 with weight 0.2): 0.8 * 100 + 0.2 * 0
    unhappy = Evaluation(Input.SATISFACTION, 0.2, 0.0, 12, "parent_satisfaction")
    assert with_evaluations(unhappy) == (UnitGrade.GOOD, pytest.approx(80.0))
    # and monitors' 行风评议 too: 0.6 * 100 + 0.2 * 0 + 0.2 * 25
    conduct = Evaluation(Input.CONDUCT, 0.2, 25.0, 3, "conduct_review")
    grade, score = with_evaluations(unhappy, conduct)
    assert (grade, score) == (UnitGrade.FAIR, pytest.approx(65.0))


def test_rate_all_puts_the_worst_first_and_the_not_rated_last() -> None:
    units = [
        UnitInputs(1, items=(item(unit_id=1, verified=date(2027, 3, 2)),)),
        UnitInputs(2, items=(item(unit_id=2, deadline=LATER),)),
        UnitInputs(3, items=(item(unit_id=3),)),
    ]
    order = rate_all(units, RULES, tz=TZ, day=DAY, ended=True, clocks=CLOCKS, cal=WorkCalendar())
    assert [r.unit_id for r in order] == [3, 1, 2]
    assert [r.slow for r in order] == [True, False, False]


def test_the_stored_record_reads_back_the_same() -> None:
    r = rate(
        UnitInputs(
            7,
            items=(item(verified=date(2027, 3, 25)), item()),
            checkin=Compliance(7, present=3, excused=1, missing=1),
            evaluations=(Evaluation(Input.SATISFACTION, 0.2, 90.0, 4),),
        ),
        RULES,
        tz=TZ,
        day=DAY,
        ended=True,
        clocks=CLOCKS,
        cal=WorkCalendar(),
    )
    back = from_record(as_record(r))
    assert back == r
