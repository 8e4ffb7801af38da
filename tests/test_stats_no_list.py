"""Issue 15: a unit that must file a problem list and has none yet is never hidden. The /stats
text, the completion chart and the weekly brief show it ("未建台账", a bar of 0), after the
units with overdue items and before the others; the bureau itself (局机关) files none and is
not listed; the deadline reminder agrees (its head is not chased for a list)."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import settings_from
from bot.config import config_from_dict
from domain.brief import BriefPolicy, brief_due
from domain.membership.units import UnitKind, files_problem_list
from domain.reminders.calendar import WorkCalendar
from domain.stats import ItemFact, Scope, behind_first, completion
from handlers.context import Settings
from handlers.i18n import Catalogs, Translator
from handlers.stats.brief import brief_chart, brief_text
from handlers.stats.texts import completion_data, summary
from storage.stats.facts import Facts, UnitName

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2027, 4, 22)
BUREAU, DISTRICT, LATE, DONE, SECTION, OPEN = 1, 2, 3, 4, 5, 6


def _item(unit: int, *, verified: bool = False, deadline: date = date(2027, 5, 30)) -> ItemFact:
    return ItemFact(
        unit_id=unit,
        category_key="slow",
        status="verified" if verified else "open",
        deadline=deadline,
        created_at=datetime(2027, 3, 1, tzinfo=UTC),
        verified_at=datetime(2027, 3, 20, tzinfo=UTC) if verified else None,
    )


def _facts(*, items: bool = True) -> Facts:
    """The bureau and its section, a district and three schools: one with an item overdue,
    one all verified, one open and on time; the district and the section have no list."""
    units = {
        BUREAU: UnitName(BUREAU, "EDU", "县教育局", UnitKind.BUREAU),
        DISTRICT: UnitName(DISTRICT, "D01", "城关学区", UnitKind.DISTRICT),
        LATE: UnitName(LATE, "SCH001", "城关第一中学", UnitKind.SCHOOL),
        DONE: UnitName(DONE, "SCH002", "城关第二小学", UnitKind.SCHOOL),
        SECTION: UnitName(SECTION, "RSG", "人事股", UnitKind.SECTION),
        OPEN: UnitName(OPEN, "SCH003", "城关第三小学", UnitKind.SCHOOL),
    }
    found = (
        (_item(LATE, deadline=date(2027, 4, 10)), _item(DONE, verified=True), _item(OPEN))
        if items
        else ()
    )
    return Facts(cases=(), items=found, units=units)


@pytest.fixture
def settings() -> Settings:
    config = config_from_dict(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")), env={})
    return settings_from(config)


def _t(settings: Settings, language: str = "zh_CN") -> Translator:
    return Catalogs(timezone=settings.timezone).get(language)


def test_every_unit_but_the_bureau_files_a_list() -> None:
    assert not files_problem_list(UnitKind.BUREAU)
    assert all(files_problem_list(k) for k in UnitKind if k is not UnitKind.BUREAU)
    assert _facts().listing_units == {DISTRICT, LATE, DONE, SECTION, OPEN}


def test_completion_has_the_expected_units_without_items() -> None:
    rows = completion(_facts().items, SHANGHAI, as_of=TODAY, expected=_facts().listing_units)
    by_unit = {c.unit_id: c for c in rows}
    assert set(by_unit) == {DISTRICT, LATE, DONE, SECTION, OPEN}
    empty = by_unit[DISTRICT]
    assert not empty.listed and empty.total == 0 and empty.share is None  # no division by 0
    assert empty.lateness is None
    # overdue first, then no list (unit id order), then the least verified
    assert [c.unit_id for c in behind_first(rows)] == [LATE, DISTRICT, SECTION, OPEN, DONE]


@pytest.mark.parametrize(("language", "note"), [("zh_CN", "未建台账"), ("en", "no list yet")])
def test_the_completion_chart_shows_a_unit_with_no_list(
    settings: Settings, language: str, note: str
) -> None:
    data = completion_data(_t(settings, language), settings, _facts(), TODAY)
    labels = [b.label for b in data.bars]
    assert labels == ["城关第一中学", "城关学区", "人事股", "城关第三小学", "城关第二小学"]
    district = data.bars[1]
    assert district.value == 0 and district.note == note
    assert "县教育局" not in labels  # the bureau itself holds no ledger
    assert data.bars[-1].note == "1/1"


def test_the_chart_with_no_items_at_all_still_lists_every_unit(settings: Settings) -> None:
    data = completion_data(_t(settings), settings, _facts(items=False), TODAY)
    assert [b.label for b in data.bars] == [
        "城关学区",
        "城关第一中学",
        "城关第二小学",
        "人事股",
        "城关第三小学",
    ]
    assert {(b.value, b.note) for b in data.bars} == {(0, "未建台账")}


def test_the_stats_text_names_the_units_with_no_list(settings: Settings) -> None:
    text = summary(_t(settings), settings, _facts(), Scope(None), TODAY)
    assert "2 个单位未建台账" in text
    assert "城关学区：未建台账" in text and "人事股：未建台账" in text
    assert "0/0" not in text and "县教育局" not in text
    order = [
        text.index(n) for n in ("城关第一中学：", "城关学区：", "城关第三小学：", "城关第二小学：")
    ]
    assert order == sorted(order)
    english = summary(_t(settings, "en"), settings, _facts(), Scope(None), TODAY)
    assert "2 units have no list yet" in english and "城关学区: no list yet" in english


def test_the_stats_text_without_any_item_lists_the_units(settings: Settings) -> None:
    text = summary(_t(settings), settings, _facts(items=False), Scope(None), TODAY)
    assert "5 个单位未建台账" in text and "城关第二小学：未建台账" in text
    alone = Facts(cases=(), items=(), units={LATE: _facts().units[LATE]})
    own = summary(_t(settings), settings, alone, Scope(LATE), TODAY)  # a unit head's own
    assert "城关第一中学：未建台账" in own and "个单位未建台账" not in own


def _brief(settings: Settings, facts: Facts) -> dict[str, object]:
    [due] = brief_due(
        now=datetime(2027, 4, 19, 0, 31, tzinfo=UTC),  # Monday 08:31 in Shanghai
        policy=BriefPolicy(),
        campaign=settings.campaign,
        cases=(),
        items=facts.items,
        units={uid: u.name for uid, u in facts.units.items()},
        expected=facts.listing_units,
        clocks={},
        cal=WorkCalendar(),
    )
    return dict(due.payload)


@pytest.mark.parametrize(("language", "note"), [("zh_CN", "未建台账"), ("en", "no list yet")])
def test_the_weekly_brief_shows_a_unit_with_no_list(
    settings: Settings, language: str, note: str
) -> None:
    payload = _brief(settings, _facts())
    names = [row[0] for row in payload["units"]]  # type: ignore[attr-defined]
    # overdue first, then the units with no list (by name), then the least verified
    assert names == ["城关第一中学", "人事股", "城关学区", "城关第三小学", "城关第二小学"]
    t = _t(settings, language)
    chart = brief_chart(t, payload)
    assert [(b.value, b.note) for b in chart.bars[1:3]] == [(0.0, note), (0.0, note)]
    assert chart.bars[-1].value == 100.0
    text = brief_text(t, payload)
    line = "城关学区：未建台账" if language == "zh_CN" else "城关学区: no list yet"
    assert line in text and "县教育局" not in text and "0/0" not in text
