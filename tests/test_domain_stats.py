"""The statistics rules as tables: who sees which scope, the 12345 rates, on-time verification
by the local day, completion per unit, case clocks, phases and weekly series."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.campaign import Campaign, Phase
from domain.membership.roles import Role
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import CaseClock
from domain.stats import (
    CaseFact,
    ItemFact,
    Scope,
    case_clocks,
    completion,
    phase_of,
    rates,
    rating_day,
    ratio,
    scope_for,
    series_span,
    verified_on_time,
    weekly,
)

TZ = ZoneInfo("Asia/Shanghai")
D = date(2027, 3, 1)  # a Monday


def case(status: str = "received", rating: str | None = None, **extra: object) -> CaseFact:
    values: dict[str, object] = {
        "kind": "complaint",
        "category_key": "slow",
        "unit_id": 1,
        "status": status,
        "opened_on": D,
        "rating": rating,
    }
    values.update(extra)
    return CaseFact(**values)  # type: ignore[arg-type]


def item(
    status: str = "open",
    deadline: date | None = date(2027, 3, 10),
    verified_at: datetime | None = None,
    unit_id: int = 1,
) -> ItemFact:
    return ItemFact(
        unit_id=unit_id,
        category_key="slow",
        status=status,
        deadline=deadline,
        created_at=datetime(2027, 3, 1, tzinfo=UTC),
        verified_at=verified_at,
    )


@pytest.mark.parametrize(
    ("role", "unit_id", "expected"),
    [
        (Role.ADMIN, None, Scope(None)),
        (Role.CASE_OFFICER, 3, Scope(None)),
        (Role.UNIT_HEAD, 3, Scope(3)),
        (Role.UNIT_HEAD, None, None),
        (Role.MEMBER, 3, None),
        (None, None, None),
    ],
)
def test_scope(role: Role | None, unit_id: int | None, expected: Scope | None) -> None:
    assert scope_for(role, unit_id) == expected


@pytest.mark.parametrize(
    ("cases", "response", "resolution", "satisfaction"),
    [
        ([], None, None, None),
        ([case("received")], 0.0, 0.0, None),
        ([case("answered"), case("closed"), case("received"), case("rejected")], 0.5, 0.25, None),
        (
            [
                case("closed", "satisfied"),
                case("closed", "basically_satisfied"),
                case("closed", "dissatisfied"),
                case("closed"),
            ],
            1.0,
            1.0,
            2 / 3,
        ),
    ],
)
def test_rates(
    cases: list[CaseFact],
    response: float | None,
    resolution: float | None,
    satisfaction: float | None,
) -> None:
    r = rates(cases)
    assert (r.response, r.resolution, r.satisfaction) == (response, resolution, satisfaction)


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        (item("open"), None),
        (item("rectified"), None),
        (item("verified", verified_at=datetime(2027, 3, 10, 15, 59, tzinfo=UTC)), True),
        # 16:00 UTC on the 10th is already the 11th in Shanghai
        (item("verified", verified_at=datetime(2027, 3, 10, 16, 0, tzinfo=UTC)), False),
        (item("verified", deadline=None, verified_at=datetime(2027, 9, 1, tzinfo=UTC)), True),
    ],
)
def test_verified_on_time_uses_the_local_day(fact: ItemFact, expected: bool | None) -> None:
    assert verified_on_time(fact, TZ) is expected


def test_completion_per_unit() -> None:
    late = datetime(2027, 3, 20, tzinfo=UTC)
    early = datetime(2027, 3, 2, tzinfo=UTC)
    result = completion(
        [
            item("verified", verified_at=early),
            item("verified", verified_at=late),
            item("open"),
            item("in_progress", unit_id=2),
        ],
        TZ,
    )
    assert [(c.unit_id, c.total, c.verified, c.on_time, c.late) for c in result] == [
        (1, 3, 2, 1, 1),
        (2, 1, 0, 0, 0),
    ]
    assert result[0].share == pytest.approx(2 / 3) and result[1].share == 0.0


@pytest.mark.parametrize(
    ("fact", "today", "ack", "answer"),
    [
        # acknowledged on day 7 (in time), answered within 90 days
        (case(acknowledged_on=date(2027, 3, 8), answered_on=date(2027, 4, 1)), D, (1, 1), (1, 1)),
        # acknowledged on day 8: late
        (case(acknowledged_on=date(2027, 3, 9)), date(2027, 3, 9), (1, 0), (0, 0)),
        # not acknowledged, still within the limit: not counted yet
        (case(), date(2027, 3, 8), (0, 0), (0, 0)),
        # not acknowledged and past the limit: missed
        (case(), date(2027, 3, 9), (1, 0), (0, 0)),
        # rejected cases and purged tombstones have no clock
        (case("rejected"), date(2027, 9, 1), (0, 0), (0, 0)),
        (case("closed", purged=True), date(2027, 9, 1), (0, 0), (0, 0)),
        # a kind without a configured clock
        (case(kind="finding"), date(2027, 9, 1), (0, 0), (0, 0)),
    ],
)
def test_case_clocks(
    fact: CaseFact, today: date, ack: tuple[int, int], answer: tuple[int, int]
) -> None:
    clocks = {"complaint": CaseClock(acknowledge_days=7, answer_days=90)}
    got_ack, got_answer = case_clocks([fact], clocks, today=today, cal=WorkCalendar())
    assert (got_ack.due, got_ack.met) == ack
    assert (got_answer.due, got_answer.met) == answer


def test_phase_and_weekly_series() -> None:
    campaign = Campaign(
        name="x",
        phases=(Phase("p1", "一", date(2027, 2, 14), date(2027, 3, 5)),),
        deadlines=(),
        categories=(),
    )
    assert phase_of(campaign, date(2027, 3, 5)) == "p1"
    assert phase_of(campaign, date(2027, 3, 6)) == ""
    cases = [
        case(opened_on=date(2027, 3, 1), closed_on=date(2027, 3, 9)),
        case(opened_on=date(2027, 3, 7)),
        case(opened_on=date(2027, 3, 16)),
    ]
    weeks = weekly(cases, first=date(2027, 3, 3), last=date(2027, 3, 17))
    assert [(w.start, w.opened, w.closed) for w in weeks] == [
        (date(2027, 3, 1), 2, 0),
        (date(2027, 3, 8), 0, 1),
        (date(2027, 3, 15), 1, 0),
    ]
    assert series_span([], date(2027, 3, 17)) == (date(2027, 3, 17), date(2027, 3, 17))
    assert series_span(cases, date(2027, 12, 31), max_weeks=2)[0] == date(2027, 12, 24)
    assert ratio(1, 0) is None


def test_completion_as_of_a_day() -> None:
    on_the_8th = datetime(2027, 3, 8, 2, 0, tzinfo=UTC)
    items = [
        item("verified", deadline=date(2027, 3, 9), verified_at=on_the_8th),
        # verified after the day: still open then, and past its deadline
        item("verified", deadline=date(2027, 3, 5), verified_at=datetime(2027, 3, 20, tzinfo=UTC)),
        item("open", deadline=date(2027, 3, 12)),  # not yet due on the 10th
    ]
    [c] = completion(items, TZ, as_of=date(2027, 3, 10))
    assert (c.total, c.verified, c.on_time, c.late, c.overdue) == (3, 1, 1, 0, 1)
    assert c.lateness == pytest.approx(1 / 3)
    # an item created after the day does not exist yet
    assert completion(items, TZ, as_of=date(2027, 2, 28)) == []


def test_rating_day_is_the_end_of_the_latest_finished_phase() -> None:
    campaign = Campaign(
        name="x",
        phases=(
            Phase("p1", "一", date(2027, 2, 14), date(2027, 3, 5)),
            Phase("p2", "二", date(2027, 3, 6), date(2027, 3, 31)),
        ),
        deadlines=(),
        categories=(),
    )
    assert rating_day(campaign, date(2027, 2, 20)) == (None, date(2027, 2, 20))
    assert rating_day(campaign, date(2027, 3, 10)) == ("p1", date(2027, 3, 5))
    assert rating_day(campaign, date(2027, 4, 1)) == ("p2", date(2027, 3, 31))


def test_rehandled_cases_are_counted_once_each() -> None:
    """重办: a case reopened by the person's dissatisfaction counts once, however often."""
    facts = [
        case(status="closed", rating="satisfied", rehandled=1),
        case(status="accepted", rehandled=1),
        case(status="closed", rating="satisfied"),
    ]
    r = rates(facts)
    assert (r.rehandled, r.total, r.rated, r.satisfied) == (2, 3, 2, 2)
    assert rates([]).rehandled == 0
