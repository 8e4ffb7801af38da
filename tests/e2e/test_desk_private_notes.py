"""`[desk] private_notes = true`: a section's internal notes are read by that section's handlers
and administrators only; a complaint's internal note never reaches the complainant's view; a
handler of the unit concerned cannot open the staff thread at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import TravelClock
from bot.config.desk import DeskConfig
from bot.demo import example_config
from bot.runtime import running
from domain.hotline import receipts
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from handlers.hotline.views import author_view
from simulator import BotApiSimulator
from storage.cases import complaints
from storage.db import Database
from storage.membership import units
from tests.e2e.conftest import ADMIN_ID, START, TOKEN, UNITS, Harness
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.test_desk_notes import accepted_report, add_sections, open_panel
from tests.template_db import migrated_sqlite


@pytest.fixture
async def private(tmp_path: Path) -> AsyncIterator[Harness]:
    """The e2e harness with `[desk] private_notes = true`."""
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        config = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        ).model_copy(update={"desk": DeskConfig(private_notes=True)})
        db = Database(config.storage.url)
        clock = TravelClock(START)
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
                yield Harness(sim=sim, app=app, db=db, clock=clock, config=config)
        finally:
            await db.dispose()
        assert sim.violations == []


async def test_private_section_notes(private: Harness) -> None:
    harness = private
    await add_sections(harness)
    teacher, owner = harness.sim.add_user("周老师"), harness.sim.add_user("人事股刘干事")
    same, other = harness.sim.add_user("人事股李干事"), harness.sim.add_user("督导室王干事")
    local = harness.sim.add_user("一中承办人")
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    await harness.register(teacher)
    for user, code in ((owner, "RSG"), (same, "RSG"), (other, "DDS"), (local, "SCH001")):
        await harness.register(user, Role.CASE_OFFICER, code)
    case_id, _number = await accepted_report(harness, teacher, owner)
    await open_panel(harness, owner, case_id)
    await harness.sim.press_button(owner, "添加内部备注")
    prompt = await harness.sim.next_message(owner)
    await harness.sim.send_text(owner, "人事股内部意见：暂缓约谈。", reply_to=prompt)
    await harness.sim.next_message(owner)
    assert "暂缓约谈" in await open_panel(harness, same, case_id)
    assert "暂缓约谈" not in await open_panel(harness, other, case_id)
    await harness.sim.send_text(admin, "/start")
    await harness.sim.next_message(admin)
    assert "暂缓约谈" in await open_panel(harness, admin, case_id)
    # The unit concerned's own handler: no thread (conflict of interest).
    await harness.sim.send_command(local, "/inbox")
    await harness.sim.next_message(local)
    chat = harness.sim.state.chat(local.id)
    refused = await answer_of(
        harness.sim, await forge_press(harness.sim, local, chat, f"desk:v1:p:{case_id}")
    )
    assert refused is not None and "回避" in refused
    # A complaint's internal note: staff read it; the complainant's view never shows it.
    svc: Services = harness.app.bot_data[SERVICES_KEY]
    school = await units.by_code(harness.db, "SCH002")
    assert school is not None
    filed = await complaints.file_complaint(
        harness.db,
        complaints.NewComplaint(svc.settings.campaign.categories[0].key, school.id, "乱收费。"),
        receipt=receipts.new_receipt(),
        policy=svc.settings.hotline,
        today=harness.clock.now().date(),
    )
    await open_panel(harness, other, filed.case_id)
    await harness.sim.press_button(other, "添加内部备注")
    prompt = await harness.sim.next_message(other)
    await harness.sim.send_text(other, "督导室：与去年同类问题合并。", reply_to=prompt)
    assert "仅工作人员可见" in (await harness.sim.next_message(other)).text
    assert "合并" in await open_panel(harness, other, filed.case_id)
    assert "合并" not in await open_panel(harness, owner, filed.case_id)  # another section
    view = await complaints.view(harness.db, filed.case_id)
    assert view is not None and all(m.direction != "internal" for m in view.messages)
    assert "合并" not in author_view(svc.catalogs.get("zh_CN"), svc.settings.campaign, view, 3000)
