"""A district (学区) head's oversight, as the people concerned would meet it through the
simulator: an overdue item of a school goes to the district's head before the bureau (and
straight to the bureau for a school without one), the district head chases (催办) a school
(rights re-checked on every press, once a school a day), and exports the district's ledger."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.reminders import engine_of
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from handlers.stats import charts
from simulator import SimMessage, SimUser
from storage.ledger import items as ledger
from storage.membership import units
from storage.models import AuditEvent, BoardingSchool, Cadre, CheckIn
from storage.reminders import outbox
from tests.e2e.conftest import Harness
from tests.e2e.ledger_steps import answer_of, forge_press, member_id, press
from tests.e2e.reminder_support import World, world


def nine(month: int, day: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, 1, minute, tzinfo=UTC)  # 09:00 in Shanghai


async def outside_school(db: object, now: datetime) -> None:
    """SCH099: a school straight under the bureau, in no district."""
    await units.import_units(
        db,  # type: ignore[arg-type]
        [(2, UnitRow("SCH099", "外学区小学", UnitKind.SCHOOL, "EDU"))],
        now=now,
    )


def texts(w: World, user: object) -> list[str]:
    return [m.text for m in w.sim.bot_messages(user)]  # type: ignore[arg-type]


async def test_an_overdue_item_goes_to_the_district_head_before_the_bureau(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, start=nine(4, 8), forms=False) as w:
        district, head = w.sim.add_user("学区主任"), w.sim.add_user("一中校长")
        await w.register(district, Role.UNIT_HEAD, "D01")
        await w.register(head, Role.UNIT_HEAD, "SCH001")
        await outside_school(w.db, w.clock.now())
        # Friday April 9: three working days later is Wednesday the 14th (the district),
        # five is Friday the 16th (the bureau).
        inside = await w.add_item("SCH001", date(2027, 4, 9), description="一中食堂账目未公开")
        outside = await w.add_item("SCH099", date(2027, 4, 9), description="外学区收费不公示")
        before = len(w.sim.bot_messages(district))
        for moment in (nine(4, 10), nine(4, 12), nine(4, 13)):
            w.clock.set(moment)
            await w.engine.sweep_once()
        w.clock.set(datetime(2027, 4, 14, 0, 59, tzinfo=UTC))  # 08:59: not yet the send time
        await w.engine.sweep_once()
        assert len(w.sim.bot_messages(district)) == before
        w.clock.set(nine(4, 14))
        await w.engine.sweep_once()
        told = await w.sim.next_message(district)
        assert "报学区" in told.text and "一中食堂账目未公开" in told.text
        assert "逾期 5 天" in told.text and "外学区" not in told.text
        # the district head opens the school's item from the notice
        assert told.inline_keyboard[0][0]["callback_data"] == f"ledger:v1:o:{inside}"
        await w.sim.press_button(district, told.buttons[0][0], chat=district)
        assert "一中食堂账目未公开" in (await w.sim.wait_edit(district)).text
        assert w.sim.bot_messages(w.staff) == []  # the bureau hears later
        w.clock.set(nine(4, 15))
        await w.engine.sweep_once()
        assert w.sim.bot_messages(w.staff) == []
        w.clock.set(nine(4, 16))
        await w.engine.sweep_once()
        staff = [m.text for m in w.sim.bot_messages(w.staff)]
        assert len(staff) == 2 and all("通报" in t for t in staff)
        assert any("一中食堂" in t for t in staff) and any("外学区收费" in t for t in staff)
        # once to the district: later sweeps add nothing for it
        rows = await outbox.rows(w.db, rule="item_district")
        assert [(r.subject, r.recipient, r.state) for r in rows] == [
            (f"item:{inside}", f"member:{await member_of(w, district)}", "sent")
        ]
        assert all(r.subject != f"item:{outside}" for r in rows)


async def member_of(w: World, user: object) -> int:
    from storage.membership import members

    found = await members.by_telegram_id(w.db, user.id)  # type: ignore[attr-defined]
    assert found is not None and found.member.id is not None
    return found.member.id


async def test_a_school_whose_district_has_no_head_goes_straight_to_the_bureau(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, start=nine(4, 8), forms=False) as w:
        head = w.sim.add_user("二小校长")
        await w.register(head, Role.UNIT_HEAD, "SCH002")
        await w.add_item("SCH002", date(2027, 4, 9), description="二小教师上课玩手机")
        for day in (14, 15, 16):
            w.clock.set(nine(4, day))
            await w.engine.sweep_once()
        assert await outbox.rows(w.db, rule="item_district") == []
        staff = [m.text for m in w.sim.bot_messages(w.staff)]
        assert len(staff) == 1 and "通报" in staff[0] and "二小教师" in staff[0]


async def _late_item(harness: Harness, code: str, text: str) -> None:
    unit = await units.by_code(harness.db, code)
    assert unit is not None and unit.id is not None
    await ledger.add_item(
        harness.db,
        unit_id=unit.id,
        category_key="loose",
        description=text,
        measure="整改",
        deadline=harness.clock.now().date() - timedelta(days=3),
        responsible_member_id=None,
        responsible_name=None,
        actor_member_id=None,
        now=harness.clock.now(),
        today=harness.clock.now().date(),
    )


async def chase_of(harness: Harness, user: SimUser) -> SimMessage:
    """The chase notice among the messages the sweep sent `user` (the weekly list may come
    first)."""
    for _ in range(5):
        message = await harness.sim.next_message(user)
        if "城关学区催办" in message.text:
            return message
    raise AssertionError("no chase notice")


async def test_a_district_head_chases_a_school_once_a_day(harness: Harness) -> None:
    sim = harness.sim
    district, head, other = (
        sim.add_user("学区主任"),
        sim.add_user("一中校长"),
        sim.add_user("二小校长"),
    )
    await harness.register(district, Role.UNIT_HEAD, "D01")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    await harness.register(other, Role.UNIT_HEAD, "SCH002")
    await outside_school(harness.db, harness.clock.now())
    await _late_item(harness, "SCH001", "一中食堂账目不公开")
    # From the school's ledger page.
    page = await harness.ask(district, "/ledger", "SCH001")
    assert "一中食堂" in page
    query = await sim.press_button(district, "⏰ 催办本校")
    assert await answer_of(harness, query) == "已催办：将通知城关第一中学负责人。"
    await engine_of(harness.app).sweep_once()
    notice = await chase_of(harness, head)
    assert "学区主任" in notice.text
    assert "1 项已逾期" in notice.text and "尚未签字" in notice.text
    # the school's head opens their ledger from the notice
    await sim.press_button(head, "打开整改台账")
    assert "一中食堂" in (await sim.wait_edit(head)).text
    # A second chase the same day, from /overdue this time, is refused.
    # (the sweep told the district of the item three working days overdue meanwhile)
    assert "报学区" in (await sim.next_message(district)).text
    overdue = await harness.ask(district, "/overdue")
    assert "一中食堂" in overdue
    query = await sim.press_button(district, "⏰ 催办 SCH001")
    assert await answer_of(harness, query) == "城关第一中学今天已催办过，明天可再次催办。"
    # From the unsigned list: the other school, whose head gets their own notice.
    assert "SCH002" in await harness.ask(district, "/ledger", "unsigned")
    query = await sim.press_button(district, "⏰ 催办 SCH002")
    assert await answer_of(harness, query) == "已催办：将通知城关第二小学负责人。"
    await engine_of(harness.app).sweep_once()
    await chase_of(harness, other)
    # Forged presses: a school outside the district, the district itself, a school head
    # chasing a neighbour, and a case officer: all refused, nothing written.
    outside = await units.by_code(harness.db, "SCH099")
    d01 = await units.by_code(harness.db, "D01")
    sch2 = await units.by_code(harness.db, "SCH002")
    assert outside is not None and d01 is not None and sch2 is not None
    refused = "此按钮已失效。"  # not theirs to press: the neutral answer
    for user, unit_id in ((district, outside.id), (district, d01.id), (head, sch2.id)):
        query = await forge_press(harness, user, f"ledger:v1:ch:{unit_id}")
        assert await answer_of(harness, query) == refused
    officer = sim.add_user("承办人")
    await harness.register(officer, Role.CASE_OFFICER, "EDU")
    query = await forge_press(harness, officer, f"ledger:v1:ch:{sch2.id}")
    assert await answer_of(harness, query) == refused
    async with harness.db.session() as session:
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "district_chase"))
        ).all()
    assert len(events) == 2
    assert {e.actor_member_id for e in events} == {await member_id(harness, district)}
    assert all(e.to_value is not None and e.to_value.isdigit() for e in events)  # heads reached
    # The next day the school may be chased again.
    harness.clock.set(harness.clock.now() + timedelta(days=1))
    await harness.ask(district, "/ledger", "SCH001")
    query = await sim.press_button(district, "⏰ 催办本校")
    assert await answer_of(harness, query) == "已催办：将通知城关第一中学负责人。"


async def test_a_school_without_a_head_cannot_be_chased(harness: Harness) -> None:
    district = harness.sim.add_user("学区主任")
    await harness.register(district, Role.UNIT_HEAD, "D01")
    await harness.ask(district, "/ledger", "SCH002")
    query = await harness.sim.press_button(district, "⏰ 催办本校")
    answer = await answer_of(harness, query)
    assert answer is not None and "尚无已登记的负责人" in answer
    assert await outbox.rows(harness.db, rule="district_chase") == []


async def test_a_district_head_exports_the_districts_ledger(harness: Harness) -> None:
    sim = harness.sim
    district = sim.add_user("学区主任")
    await harness.register(district, Role.UNIT_HEAD, "D01")
    await outside_school(harness.db, harness.clock.now())
    await _late_item(harness, "SCH001", "一中食堂账目不公开")
    await _late_item(harness, "SCH002", "二小教师上课玩手机")
    await _late_item(harness, "SCH099", "外学区的问题")
    sch1 = await units.by_code(harness.db, "SCH001")
    sch9 = await units.by_code(harness.db, "SCH099")
    assert sch1 is not None and sch1.id is not None and sch9 is not None and sch9.id is not None
    now = harness.clock.now()
    head = sim.add_user("一中校长")
    outsider = sim.add_user("外校老师")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    await harness.register(outsider, Role.MEMBER, "SCH099")
    marked = datetime(2027, 3, 1, 2, tzinfo=UTC)
    async with harness.db.session() as session:
        for who, unit_id in ((head, sch1.id), (outsider, sch9.id)):
            session.add(BoardingSchool(unit_id=unit_id, marked_at=marked))
            session.add(Cadre(member_id=await member_id(harness, who), marked_at=marked))
            session.add(
                CheckIn(
                    member_id=await member_id(harness, who),
                    unit_id=unit_id,
                    day=date(2027, 3, 9),
                    checked_at=now,
                    location_shared=False,
                )
            )
        await session.commit()
    harness.clock.advance(timedelta(days=2))  # the 124 sheet runs to yesterday
    offer = await harness.ask(district, "/export")
    assert "本学区的 3 个单位" in offer
    await press(harness, district, "整改台账 · Excel")
    sent = await sim.next_message(district)
    assert sent.document is not None and sent.document["file_name"].startswith("ledger-D01-")
    assert "共 2 行" in sent.text
    data = harness.sim.state.files[str(sent.document["file_id"])].data
    book = load_workbook(io.BytesIO(data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))  # a title row, then the header
    assert {r[1] for r in rows[2:]} == {"城关第一中学", "城关第二小学"}
    nights = list(book.worksheets[1].iter_rows(values_only=True))[2:]
    assert nights and {r[1] for r in nights} == {"城关第一中学"}  # the other district's: none
    assert ("一中校长", "在校") in {(r[2], r[3]) for r in nights}
    await press(harness, district, "整改台账 · CSV")
    sent = await sim.next_message(district)
    assert sent.document is not None
    text = harness.sim.state.files[str(sent.document["file_id"])].data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 3 and "外学区" not in text
    # the case register stays the bureau's, forged button or not
    query = await forge_press(harness, district, "export:v1:cases:xlsx")
    assert await answer_of(harness, query) == "此按钮已失效。"


async def test_a_district_heads_stats_show_their_units_without_a_list_and_no_others(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: the district's units with no list yet are in the district head's /stats text
    and completion chart (未建台账, after the units with overdue items); another district's
    empty units are not, nor the bureau; a handler's /stats shows them all."""
    drawn: list[list[str]] = []
    real = charts.bar_chart

    def recording(title: str, bars: Any, **kwargs: Any) -> bytes:
        drawn.append([f"{b.label}|{b.note}" for b in bars])
        return real(title, bars, **kwargs)

    monkeypatch.setattr(charts, "bar_chart", recording)
    await units.import_units(
        harness.db,
        [
            (2, UnitRow("D02", "东关学区", UnitKind.DISTRICT, "EDU")),
            (3, UnitRow("SCH201", "东关小学", UnitKind.SCHOOL, "D02")),
        ],
        now=harness.clock.now(),
    )
    await _late_item(harness, "SCH001", "一中食堂账目不公开")
    district = harness.sim.add_user("学区主任")
    await harness.register(district, Role.UNIT_HEAD, "D01")
    text = await harness.ask(district, "/stats")
    assert "2 个单位未建台账" in text
    assert "城关学区：未建台账" in text and "城关第二小学：未建台账" in text
    assert text.index("城关第一中学：0/1") < text.index("城关学区：未建台账")
    assert "东关" not in text and "县教文广新体局" not in text
    await press(harness, district, "各单位完成情况")
    chart = await harness.sim.next_message(district)
    assert chart.photo is not None
    assert drawn[-1] == [
        "城关第一中学|0/1，逾期 1 项",
        "城关学区|未建台账",
        "城关第二小学|未建台账",
    ]
    handler = harness.sim.add_user("承办人")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    everything = await harness.ask(handler, "/stats")
    assert "4 个单位未建台账" in everything and "东关小学：未建台账" in everything
    assert "县教文广新体局" not in everything
