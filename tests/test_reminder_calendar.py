"""The working-day calendar: China's National Day week and its 调休 Saturday (2026, from the
`holidays` package), operator overrides, and years without data named, not guessed."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, config_from_dict
from bot.reminders.calendar_source import CalendarFileError, load_calendar, read_operator_file
from domain.reminders.calendar import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
CAL_2026, _ = load_calendar([2026], None)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 30), True),  # Wednesday before the holiday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 5), False),  # Monday, in the holiday week
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),  # back to work
        (date(2026, 10, 10), True),  # Saturday worked in exchange (调休)
        (date(2026, 10, 11), False),  # an ordinary Sunday
        (date(2026, 9, 20), True),  # Sunday worked in exchange
        (date(2026, 2, 14), True),  # Saturday worked before the Spring Festival
        (date(2026, 2, 17), False),  # Spring Festival
    ],
)
def test_china_2026_working_days(day: date, working: bool) -> None:
    assert CAL_2026.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 28), 5, date(2026, 10, 10)),  # 29, 30, the week off, 8, 9, Saturday 10
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 10, 8), 2, date(2026, 10, 10)),  # Fri 9, then the 调休 Saturday
        (date(2026, 10, 9), 0, date(2026, 10, 9)),
    ],
)
def test_add_working_days_across_national_day(start: date, n: int, expected: date) -> None:
    assert CAL_2026.add_working_days(start, n) == expected


def test_working_days_between_counts_the_makeup_saturday() -> None:
    assert CAL_2026.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 8,9,10,12


def test_a_year_without_published_makeup_days_is_named() -> None:
    calendar, warnings = load_calendar([2026, 2027], None)
    assert calendar.uncovered_years([2026, 2027]) == (2027,)
    assert any("2027" in w for w in warnings)
    assert calendar.is_working_day(date(2027, 10, 1)) is False  # the statutory day is still known


def test_operator_file_adds_and_overrides_days(tmp_path: Path) -> None:
    toml = tmp_path / "cal.toml"
    toml.write_text(
        'years = [2027]\n[[days]]\ndate = 2027-10-09\nkind = "workday"\nname = "调休上班"\n'
        '[[days]]\ndate = "2027-10-08"\nkind = "holiday"\n',
        encoding="utf-8",
    )
    calendar, warnings = load_calendar([2027], toml)
    assert warnings == []
    assert calendar.is_working_day(date(2027, 10, 9))  # a Saturday, worked
    assert not calendar.is_working_day(date(2027, 10, 8))  # a Friday, off
    csv_file = tmp_path / "cal.csv"
    csv_file.write_text("date,kind,name\n2026-10-10,holiday,撤销调休\n", encoding="utf-8")
    calendar, _ = load_calendar([2026], csv_file)
    assert not calendar.is_working_day(date(2026, 10, 10))


def test_operator_file_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[days]]\ndate = 2027-10-09\nkind = "party"\n', encoding="utf-8")
    with pytest.raises(CalendarFileError, match=r"days\[0\]"):
        read_operator_file(bad)


def test_empty_calendar_uses_weekends() -> None:
    calendar = WorkCalendar()
    assert calendar.is_working_day(date(2027, 3, 5))
    assert not calendar.is_working_day(date(2027, 3, 6))
    assert calendar.uncovered_years([2027]) == (2027,)


def test_a_bad_calendar_file_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "cal.csv"
    bad.write_text("date,kind,name\n2027-13-01,holiday,x\n", encoding="utf-8")
    data = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    data["telegram"]["token"] = "1:test"
    data["reminders"]["calendar_file"] = str(bad)
    with pytest.raises(ConfigError) as raised:
        config_from_dict(data, env={})
    assert "reminders.calendar_file" in str(raised.value) and "line 2" in str(raised.value)
    del data["reminders"]["calendar_file"]
    policy = config_from_dict(data, env={}).reminders.policy(ZoneInfo("Asia/Shanghai"))
    assert (policy.send_time.hour, policy.item_ladder) == (9, (3, 1, 0))
