"""The weekly brief through the real bot and the simulator: on Monday morning the staff chat
gets one picture with a short text (units behind first, new and overdue cases, the trend),
or one album when the units take several pictures (every unit drawn, none hidden); once per
week across a restart; held during quiet hours; no reporter's or complainant's name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.brief import BriefPolicy, brief_week
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from handlers.stats import charts
from simulator import BotApiSimulator, SimChat
from storage.membership import units
from storage.reminders import outbox
from tests.e2e.conftest import TOKEN
from tests.e2e.reminder_support import World, world

# Monday 19 April 2027, 08:00 in Shanghai (before the brief's 08:30)
MONDAY_0800 = datetime(2027, 4, 19, 0, 0, tzinfo=UTC)


def briefs(sim: BotApiSimulator, staff: object) -> list[object]:
    return [m for m in sim.bot_messages(staff) if "一周简报" in m.text]  # type: ignore[arg-type]


@asynccontextmanager
async def restarted(tmp_path: Path, sim: BotApiSimulator, staff: SimChat) -> AsyncIterator[World]:
    """The bot restarted at 09:00 on the same database: two sweeps send no second brief."""
    async with world(
        tmp_path,
        start=MONDAY_0800 + timedelta(hours=1),
        sim=sim,
        staff=staff,
        fresh=False,
        forms=False,
        brief=True,
    ) as again:
        await again.engine.sweep_once()
        await again.engine.sweep_once()
        assert len(briefs(sim, staff)) == 1
        rows = await outbox.rows(again.db, rule="weekly_brief")
        assert [(r.slot, r.state) for r in rows] == [("2027-W16", "sent")]
        yield again


async def test_the_brief_is_sent_once_per_week_across_a_restart(tmp_path: Path) -> None:
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        staff = sim.add_group("局作风办工作群", supergroup=True)
        reporter = sim.add_user("实名举报人甲")
        async with world(
            tmp_path, start=MONDAY_0800, sim=sim, staff=staff, forms=False, brief=True
        ) as w:
            await w.register(reporter, Role.MEMBER, "SCH002")
            # SCH001: one item overdue since 10 April; SCH002: one verified last week
            await w.add_item("SCH001", date(2027, 4, 10))
            await w.add_item("SCH001", date(2027, 5, 30))
            done = await w.add_item("SCH002", date(2027, 4, 30), status="verified")
            await w.set_item(done, verified_at=datetime(2027, 4, 14, 2, 0, tzinfo=UTC))
            await w.add_case("complaint", date(2027, 4, 13), number="TS-0001")
            await w.add_case("report", date(2027, 4, 15), number="TS-0002")
            await w.add_case("report", date(2027, 4, 6), number="TS-0003")
            await w.engine.sweep_once()
            assert briefs(sim, staff) == []  # 08:00: not yet
            w.clock.set(MONDAY_0800 + timedelta(minutes=31))
            await w.engine.sweep_once()
            sent = briefs(sim, staff)
            assert len(sent) == 1
            brief = sent[0]
            assert brief.photo is not None  # type: ignore[attr-defined]
            data = sim.state.files[str(brief.photo[-1]["file_id"])].data  # type: ignore[attr-defined]
            assert data.startswith(b"\x89PNG")
            text = brief.text  # type: ignore[attr-defined]
            assert "2027年4月12日" in text and "2027年4月18日" in text
            assert "新受理 2 件（前一周 1 件）" in text
            assert "销号 1 项（前一周 0 项）" in text and "逾期 1 项" in text
            # the unit behind comes first; the district, which filed no list, after the units
            # with overdue items and before the others; the bureau itself files none
            assert text.index("城关第一中学") < text.index("城关学区") < text.index("城关第二小学")
            assert "城关第一中学：已销号 0/2，逾期 1 项" in text
            assert "城关学区：未建台账" in text and "县教文广新体局" not in text
            assert "实名举报人甲" not in text and "家长反映乱收费" not in text
            assert len(text) <= 1024

        # the bot restarts the same morning: no second brief
        async with restarted(tmp_path, sim, staff) as again:
            # the next Monday: due at 08:30, but the bot was down until 22:00 (quiet hours)
            again.clock.set(MONDAY_0800 + timedelta(days=7, hours=14))
            report = await again.engine.sweep_once()
            assert report.quiet and len(briefs(sim, staff)) == 1
            again.clock.set(MONDAY_0800 + timedelta(days=8, minutes=5))  # Tuesday 08:05
            await again.engine.sweep_once()
            assert len(briefs(sim, staff)) == 2
            rows = await outbox.rows(again.db, rule="weekly_brief")
            assert [r.slot for r in rows] == ["2027-W16", "2027-W17"]
        assert sim.violations == []


@pytest.mark.timeout(180)
async def test_a_brief_of_120_units_is_one_album_of_every_unit_sent_once_across_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[list[str]] = []  # the unit names on each picture, as drawn
    real = charts.bar_chart

    def recording(title: str, bars: Any, **kwargs: Any) -> bytes:
        drawn.append([b.label for b in bars])
        return real(title, bars, **kwargs)

    monkeypatch.setattr(charts, "bar_chart", recording)
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        staff = sim.add_group("局作风办工作群", supergroup=True)
        async with world(
            tmp_path, start=MONDAY_0800, sim=sim, staff=staff, forms=False, brief=True
        ) as w:
            # 117 more schools: with the two and the district (no list yet), 120 units
            more = [
                UnitRow(f"S{n:03d}", f"第{n}学校", UnitKind.SCHOOL, "D01") for n in range(3, 120)
            ]
            await units.import_units(w.db, list(enumerate(more, start=10)), now=w.clock.now())
            await w.add_item("SCH001", date(2027, 4, 10))  # the worst: overdue
            done = await w.add_item("SCH002", date(2027, 4, 30), status="verified")  # the best
            await w.set_item(done, verified_at=datetime(2027, 4, 14, 2, 0, tzinfo=UTC))
            for n in range(3, 120):
                await w.add_item(f"S{n:03d}", date(2027, 5, 30))
            w.clock.set(MONDAY_0800 + timedelta(minutes=31))
            await w.engine.sweep_once()
            [brief] = briefs(sim, staff)
            album = [m for m in sim.bot_messages(staff) if m.media_group_id is not None]
            assert len(album) == 4 and {m.media_group_id for m in album} == {brief.media_group_id}  # type: ignore[attr-defined]
            assert album[0] is brief and [m.caption for m in album[1:]] == [None] * 3
            assert "……另有 112 个单位见 4 张图" in brief.text  # type: ignore[attr-defined]
            labels = [name for page in drawn for name in page]
            assert len(labels) == 120 and len(set(labels)) == 120  # every unit, once
            assert labels[0] == "城关第一中学" and labels[-1] == "城关第二小学"
            assert labels[1] == "城关学区" and "县教文广新体局" not in labels

        async with restarted(tmp_path, sim, staff):  # the same morning: no second album
            assert sim.stats.calls_by_method.get("sendMediaGroup") == 1
        assert sim.violations == []


def test_the_brief_week_follows_the_configured_day_and_time() -> None:
    policy = BriefPolicy(weekday=2, at=datetime(2027, 1, 1, 9, 15).time())
    wednesday = datetime(2027, 4, 21, 1, 14, tzinfo=UTC)  # 09:14 in Shanghai
    assert brief_week(wednesday, policy) is None
    slot = brief_week(wednesday + timedelta(minutes=1), policy)
    assert slot is not None and slot[0] == "2027-W16" and slot[2] == date(2027, 4, 12)
    # still due later that day (a restart), not the next day
    assert brief_week(wednesday + timedelta(hours=14, minutes=44), policy) is not None
    assert brief_week(wednesday + timedelta(hours=14, minutes=46), policy) is None
    assert brief_week(wednesday, BriefPolicy(enabled=False)) is None
