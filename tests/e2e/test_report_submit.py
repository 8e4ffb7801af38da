"""Submitting a report: a double press stores one report, a confidential reporter stays
hidden from the unit head, status changes reach the reporter, /mine lists and pages, and an
acknowledged report survives a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.clock import TravelClock
from bot.demo import example_config
from bot.runtime import running
from domain.cases.lifecycle import CaseStatus
from domain.cases.reports import ReportViewer
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from handlers.report.notify import notify_reporter
from handlers.report.views import report_text
from simulator import BotApiSimulator
from storage.cases import reports
from storage.db import Database
from storage.membership import members, units
from tests.e2e.conftest import START, TOKEN, UNITS, Harness
from tests.e2e.report_helpers import (
    answers_after,
    file_report_until_summary,
    own_reports,
    press_for_notice,
    submit,
)
from tests.template_db import migrated_sqlite


async def viewer_of(harness: Harness, user_id: int) -> ReportViewer:
    found = await members.by_telegram_id(harness.db, user_id)
    assert found is not None
    return ReportViewer(
        role=Role(found.member.role), unit_id=found.unit.id, member_id=found.member.id
    )


def services(harness: Harness) -> Services:
    found: Services = harness.app.bot_data[SERVICES_KEY]
    return found


async def test_double_submit_stores_one_report(harness: Harness) -> None:
    user = harness.sim.add_user("钱老师")
    await harness.register(user)
    await file_report_until_summary(harness, user)
    before = len(harness.sim.callback_answers)
    await harness.sim.press_button(user, "提交")
    await harness.sim.press_button(user, "提交")  # before the bot answered the first
    assert "R-2027-0001" in (await harness.sim.next_message(user)).text
    assert await answers_after(harness, before, 2) == [None, "已提交，编号 R-2027-0001。"]
    assert [r.number for r in await own_reports(harness, user)] == ["R-2027-0001"]
    assert len(harness.sim.bot_messages(user)) == 9  # welcome, 7 steps, one acknowledgement
    # The form is over: nothing of this member stays in the bot's memory.
    await harness.sim.wait_confirmed()
    for _ in range(50):
        if user.id not in harness.app.user_data:
            break
        await asyncio.sleep(0.02)
    assert user.id not in harness.app.user_data


async def test_confidential_report_hides_the_reporter_from_the_unit_head(
    harness: Harness,
) -> None:
    teacher, head = harness.sim.add_user("吴老师"), harness.sim.add_user("郑校长")
    handler = harness.sim.add_user("人事股干部")
    await harness.register(teacher)
    await harness.register(head, Role.UNIT_HEAD)
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    await file_report_until_summary(harness, teacher, confidential=True)
    await submit(harness, teacher)
    await file_report_until_summary(harness, teacher, description="另一件事，不保密。")
    await submit(harness, teacher)
    secret, open_ = sorted(await own_reports(harness, teacher), key=lambda r: r.number)
    campaign = services(harness).settings.campaign
    t = services(harness).catalogs.get("zh_CN")

    head_view = await reports.view_for(
        harness.db, secret.case_id, await viewer_of(harness, head.id)
    )
    assert head_view is not None and head_view.reporter_name is None
    shown = report_text(t, campaign, head_view)
    assert "吴老师" not in shown and "反映人：（保密）" in shown

    open_view = await reports.view_for(harness.db, open_.case_id, await viewer_of(harness, head.id))
    assert open_view is not None and "反映人：吴老师" in report_text(t, campaign, open_view)

    staff_view = await reports.view_for(
        harness.db, secret.case_id, await viewer_of(harness, handler.id)
    )
    assert staff_view is not None and staff_view.reporter_name == "吴老师"


async def test_status_change_is_sent_to_the_reporter_in_their_language(
    harness: Harness,
) -> None:
    user = harness.sim.add_user("冯老师")
    await harness.register(user)
    await file_report_until_summary(harness, user)
    await submit(harness, user)
    (report,) = await own_reports(harness, user)
    svc = services(harness)
    change = await reports.set_status(
        harness.db,
        case_id=report.case_id,
        to=CaseStatus.ACCEPTED,
        actor_member_id=None,
        actor_role=Role.ADMIN,
        today=START.date(),
        now=harness.clock.now(),
    )
    assert change is not None and change.changed
    assert await notify_reporter(harness.app.bot, svc.catalogs, change)
    notice = (await harness.sim.next_message(user)).text
    assert "R-2027-0001" in notice and "已受理" in notice
    assert "已受理" in await harness.ask(user, "/mine")

    await harness.sim.drain(user)
    await harness.ask(user, "/language")
    await harness.sim.press_button(user, "English")
    await harness.sim.wait_edit(user)
    change = await reports.set_status(
        harness.db,
        case_id=report.case_id,
        to=CaseStatus.IN_PROGRESS,
        actor_member_id=None,
        actor_role=Role.ADMIN,
        today=START.date(),
        now=harness.clock.now(),
    )
    assert change is not None
    assert await notify_reporter(harness.app.bot, svc.catalogs, change)
    assert "R-2027-0001 is now: being handled" in (await harness.sim.next_message(user)).text

    harness.sim.block_bot(user)
    change = await reports.set_status(
        harness.db,
        case_id=report.case_id,
        to=CaseStatus.ANSWERED,
        actor_member_id=None,
        actor_role=Role.ADMIN,
        today=START.date(),
        now=harness.clock.now(),
    )
    assert change is not None and change.changed
    assert not await notify_reporter(harness.app.bot, svc.catalogs, change)


async def test_mine_pages_through_own_reports(harness: Harness) -> None:
    user, other = harness.sim.add_user("陈老师"), harness.sim.add_user("褚老师")
    await harness.register(user)
    await harness.register(other)
    assert "您还没有提交过" in await harness.ask(user, "/mine")
    for n in range(6):
        await file_report_until_summary(harness, user, description=f"第{n}件")
        await submit(harness, user)
    await file_report_until_summary(harness, other)
    await submit(harness, other)
    await harness.sim.drain(user)
    first = await harness.ask(user, "/mine")
    assert "共 6 件" in first and "第 1/2 页" in first
    assert "R-2027-0006" in first and "R-2027-0001" not in first and "R-2027-0007" not in first
    await harness.sim.press_button(user, "较早 »")
    second = (await harness.sim.wait_edit(user)).text
    assert "第 2/2 页" in second and "R-2027-0001" in second
    await harness.sim.press_button(user, "« 较新")
    assert "第 1/2 页" in (await harness.sim.wait_edit(user)).text


async def test_an_acknowledged_report_survives_a_restart(tmp_path: Path) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_test_bot") as sim:
        config = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="zh_CN",
            admins=[],
            token=TOKEN,
        )
        clock = TravelClock(START)
        user = sim.add_user("蒋老师")
        db = Database(config.storage.url)
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
                first = Harness(sim=sim, app=app, db=db, clock=clock, config=config)
                await first.register(user)
                await file_report_until_summary(first, user)
                assert "R-2027-0001" in await submit(first, user)
        finally:
            await db.dispose()
        db = Database(config.storage.url)  # a new Application on the same database
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                again = Harness(sim=sim, app=app, db=db, clock=clock, config=config)
                listed = await again.ask(user, "/mine")
                assert "R-2027-0001" in listed and "已收到" in listed
                await file_report_until_summary(again, user)
                assert "R-2027-0002" in await submit(again, user)
        finally:
            await db.dispose()
        assert sim.violations == []


async def test_the_card_of_a_cancelled_draft_files_nothing(harness: Harness) -> None:
    user = harness.sim.add_user("沈老师")
    await harness.register(user)
    await file_report_until_summary(harness, user)
    assert "R-2027-0001" in await submit(harness, user)
    await file_report_until_summary(harness, user, description="后来取消的草稿")
    assert "已取消" in await harness.ask(user, "/cancel")
    await harness.ask(user, "/report")  # a new draft is open; the old card still has buttons
    assert await press_for_notice(harness, user, "提交") == "此按钮已失效。"
    assert [r.number for r in await own_reports(harness, user)] == ["R-2027-0001"]
