"""Reading typed deadlines and the quick choices, against the example campaign's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.campaign import Campaign, Phase
from domain.ledger.deadlines import (
    DeadlineProblem,
    check_deadline,
    end_of_phase,
    in_days,
    local_today,
    parse_deadline,
    quick_choices,
    read_deadline,
)

CAMPAIGN = Campaign(
    name="作风整顿",
    phases=(
        Phase("mobilise", "学习动员", date(2027, 2, 14), date(2027, 3, 5)),
        Phase("self_check", "自查自纠", date(2027, 3, 6), date(2027, 3, 31)),
        Phase("rectify", "综合整治", date(2027, 4, 1), date(2027, 10, 31)),
        Phase("review", "总结提高", date(2027, 11, 1), date(2027, 12, 31)),
    ),
    deadlines=(),
    categories=(),
)
TODAY = date(2027, 3, 10)
P = DeadlineProblem


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-05-01", date(2027, 5, 1)),
        ("2027/5/1", date(2027, 5, 1)),
        ("2027.5.1", date(2027, 5, 1)),
        ("2027年5月1日", date(2027, 5, 1)),
        ("2027 年 5 月 1 日", date(2027, 5, 1)),
        ("20270501", date(2027, 5, 1)),
        ("5月1日", date(2027, 5, 1)),
        ("5月1号", date(2027, 5, 1)),
        ("5月1", date(2027, 5, 1)),
        ("5/1", date(2027, 5, 1)),
        ("5-1", date(2027, 5, 1)),
        ("5.1", date(2027, 5, 1)),
        ("５月１日", date(2027, 5, 1)),  # full-width digits
        ("２０２７－０５－０１", date(2027, 5, 1)),
        ("  5/1  ", date(2027, 5, 1)),
        ("3/1", date(2028, 3, 1)),  # passed this year: next year's (then refused as too late)
        ("3/10", date(2027, 3, 10)),  # today
        ("2/30", P.NO_SUCH_DAY),
        ("2027-13-01", P.NO_SUCH_DAY),
        ("tomorrow", P.UNREADABLE),
        ("明天", P.UNREADABLE),
        ("", P.UNREADABLE),
        ("5/1/2027", P.UNREADABLE),
        ("<b>5/1</b>", P.UNREADABLE),
    ],
)
def test_parse_deadline(typed: str, expected: date | DeadlineProblem) -> None:
    assert parse_deadline(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "today", "expected"),
    [
        ("2027-05-01", TODAY, date(2027, 5, 1)),
        ("2027-03-10", TODAY, date(2027, 3, 10)),
        ("2027-03-09", TODAY, P.IN_PAST),
        ("3/1", TODAY, P.AFTER_CAMPAIGN),  # read as 2028-03-01
        ("2028-01-01", TODAY, P.AFTER_CAMPAIGN),
        ("2027-12-31", TODAY, date(2027, 12, 31)),
        ("2027-02-01", date(2027, 1, 10), P.BEFORE_CAMPAIGN),
        ("2/30", TODAY, P.NO_SUCH_DAY),
        ("next week", TODAY, P.UNREADABLE),
    ],
)
def test_read_deadline(typed: str, today: date, expected: date | DeadlineProblem) -> None:
    assert read_deadline(typed, today, CAMPAIGN) == expected


def test_check_deadline_prefers_the_past_over_the_campaign() -> None:
    assert check_deadline(date(2027, 1, 1), date(2027, 3, 1), CAMPAIGN) is P.IN_PAST
    assert check_deadline(date(2027, 3, 1), date(2027, 3, 1), CAMPAIGN) is None


@pytest.mark.parametrize(
    ("today", "phase_end", "in_30"),
    [
        (date(2027, 3, 10), date(2027, 3, 31), date(2027, 4, 9)),
        (date(2027, 3, 31), date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 1, 1), date(2027, 3, 5), None),  # before the campaign: 30 days is too early
        (date(2027, 12, 15), date(2027, 12, 31), None),  # 30 days would leave the campaign
        (date(2028, 1, 2), None, None),  # after the campaign
    ],
)
def test_quick_choices(today: date, phase_end: date | None, in_30: date | None) -> None:
    assert quick_choices(today, CAMPAIGN) == (phase_end, in_30)


def test_end_of_phase_and_in_days() -> None:
    assert end_of_phase(date(2027, 3, 6), CAMPAIGN) == date(2027, 3, 31)
    assert end_of_phase(date(2028, 1, 1), CAMPAIGN) is None
    assert in_days(date(2027, 3, 10), CAMPAIGN, 5) == date(2027, 3, 15)


def test_local_today_uses_the_campaign_zone() -> None:
    late = datetime(2027, 3, 9, 17, 30, tzinfo=UTC)  # 01:30 on the 10th in Shanghai
    assert local_today(late, ZoneInfo("Asia/Shanghai")) == date(2027, 3, 10)
    assert local_today(late, ZoneInfo("UTC")) == date(2027, 3, 9)
