"""Groups: binding to a unit, the supergroup migration, and no reports in groups."""

from __future__ import annotations

import asyncio

from domain.membership.roles import Role
from storage.membership import groups
from tests.e2e.conftest import ADMIN_ID, Harness


async def test_admin_binds_a_group_to_a_unit(harness: Harness) -> None:
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    group = harness.sim.add_group("一中工作群", supergroup=True)
    text = await harness.ask(admin, "/bindgroup", "SCH001", chat=group)
    assert text == "本群今后接收 城关第一中学（SCH001）的提醒。"
    unit = await groups.unit_of_group(harness.db, group.id)
    assert unit is not None and unit.code == "SCH001"


async def test_binding_is_refused_to_non_admins_unknown_units_and_private_chats(
    harness: Harness,
) -> None:
    head = harness.sim.add_user("校长")
    await harness.register(head, Role.UNIT_HEAD)
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    group = harness.sim.add_group("工作群", supergroup=True)
    assert "只有管理员" in await harness.ask(head, "/bindgroup", "SCH001", chat=group)
    assert "没有代码为 NOPE 的单位" in await harness.ask(admin, "/bindgroup", "NOPE", chat=group)
    assert "用法" in await harness.ask(admin, "/bindgroup", "", chat=group)
    assert "在要绑定的群里" in await harness.ask(admin, "/bindgroup", "SCH001")
    assert await groups.unit_of_group(harness.db, group.id) is None


async def test_binding_follows_a_group_upgraded_to_supergroup(harness: Harness) -> None:
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    group = harness.sim.add_group("小学工作群", supergroup=False)
    await harness.ask(admin, "/bindgroup", "SCH002", chat=group)
    new_id = harness.sim.migrate_group(group)
    await harness.sim.wait_confirmed()
    # The migration notice makes no API call, so "idle" above does not mean "handled": the
    # database write may still be under way on a busy machine.
    for _ in range(100):
        unit = await groups.unit_of_group(harness.db, new_id)
        if unit is not None:
            break
        await asyncio.sleep(0.05)
    assert unit is not None and unit.code == "SCH002"
    assert await groups.unit_of_group(harness.db, group.id) is None


async def test_report_and_complaint_in_a_group_offer_a_private_chat(harness: Harness) -> None:
    user = harness.sim.add_user("吴老师")
    group = harness.sim.add_group("工作群", supergroup=True)
    await harness.sim.send_command(user, "/report", chat=group)
    reply = await harness.sim.next_message(group)
    assert "私聊" in reply.text
    button = reply.reply_markup["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/rectify_test_bot?start=report"
    await harness.sim.send_command(user, "/complain", chat=group, mention_bot=True)
    reply = await harness.sim.next_message(group)
    assert "群里不受理投诉" in reply.text
    assert reply.reply_markup["inline_keyboard"][0][0]["url"].endswith("?start=complain")
