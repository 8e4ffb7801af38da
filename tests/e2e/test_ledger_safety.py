"""The ledger against forged, stale and repeated button presses, and at 120 items."""

from __future__ import annotations

import re

from domain.membership.roles import Role
from storage.ledger import queries as ledger_queries
from storage.membership import units
from tests.e2e.conftest import Harness
from tests.e2e.ledger_steps import (
    STATUS,
    add_by_chat,
    answer_of,
    forge_press,
    item,
    people,
    press,
    reply,
    seed_items,
)

NEUTRAL = (
    "此按钮已失效。"  # the one answer to a button that is not the presser's, or matches nothing
)


async def test_forged_callbacks_for_another_unit_are_refused(harness: Harness) -> None:
    await people(harness, "SCH001")
    head_b = harness.sim.add_user("二小校长")
    await harness.register(head_b, Role.UNIT_HEAD, "SCH002")
    [item_id] = await seed_items(harness, "SCH001", 1)
    unit_a = await units.by_code(harness.db, "SCH001")
    assert unit_a is not None
    await harness.ask(head_b, "/ledger")
    refusals = {
        f"ledger:v1:o:{item_id}": NEUTRAL,
        f"ledger:v1:ip:{item_id}.1": NEUTRAL,
        f"ledger:v1:rc:{item_id}.1": NEUTRAL,
        f"ledger:v1:em:{item_id}.1": NEUTRAL,
        f"ledger:v1:vf:{item_id}.1": NEUTRAL,
        f"ledger:v1:u:{unit_a.id}.0": NEUTRAL,
        f"ledger:v1:sy:{unit_a.id}.0": NEUTRAL,
        f"ledger:v1:add:{unit_a.id}": NEUTRAL,
        "ledger:v1:o:abc": "此按钮已失效。",
        "ledger:v1:zz:1": NEUTRAL,
    }
    for data, notice in refusals.items():
        assert await answer_of(harness, await forge_press(harness, head_b, data)) == notice, data
    unchanged = await item(harness, item_id)
    assert (unchanged.status, unchanged.version) == (STATUS.OPEN, 1)
    assert unit_a.id is not None
    assert await ledger_queries.latest_signoff(harness.db, unit_a.id) is None
    # nothing was started for head B: text is not taken as a note
    assert "/help" in (await reply(harness, head_b, "整改完成")).text


async def test_stale_and_repeated_presses_change_nothing_twice(harness: Harness) -> None:
    sim = harness.sim
    head, _teacher, _handler = await people(harness)
    await add_by_chat(harness, head, "迟到早退")
    [item_id] = [i.id for i in (await _page(harness)).items if i.id is not None]
    await press(harness, head, "开始整改")
    await sim.wait_edit(head)
    # the same press again, from the card as it was (version 1): a notice, no error
    notice = await answer_of(harness, await forge_press(harness, head, f"ledger:v1:ip:{item_id}.1"))
    assert notice == "该问题已有变动，以下为最新情况。"
    assert (await item(harness, item_id)).version == 2
    # a conversation button after the conversation ended (or a restart): expired
    notice = await answer_of(harness, await forge_press(harness, head, "ledger:v1:done:0"))
    assert notice == NEUTRAL
    # sign-off pressed twice: one version
    await harness.ask(head, "/ledger")
    await press(harness, head, "✍ 签字确认")
    await sim.wait_edit(head)
    presses = [await sim.press_button(head, "确认签字") for _ in range(2)]
    notices = [await answer_of(harness, query) for query in presses]
    assert notices == ["已签字确认：第 1 版。", "问题清单已在此期间签字确认。"]
    latest = await ledger_queries.latest_signoff(harness.db, (await _unit_id(harness)))
    assert latest is not None and latest.version == 1
    # the one sign-off sends the list to print once
    signed = await sim.next_message(head, timeout=30.0)
    assert signed.document is not None and signed.document["file_name"].endswith(".pdf")
    # "Done" pressed twice when adding: one item
    await harness.ask(head, "/ledger")
    await press(harness, head, "➕ 新增问题")
    categories = await sim.next_message(head)
    await press(harness, head, categories.buttons[0][0])
    await sim.next_message(head)
    await reply(harness, head, "重复提交测试")
    await reply(harness, head, "措施")
    await reply(harness, head, "5/1")
    await press(harness, head, "未使用 Telegram 的人员")
    await sim.wait_edit(head)
    await reply(harness, head, "赵老师")
    await sim.drain(head)
    presses = [await sim.press_button(head, "完成") for _ in range(2)]
    assert await answer_of(harness, presses[1]) == NEUTRAL
    assert "第 2 项" in (await sim.next_message(head)).text  # the card of the one saved
    assert (await _page(harness)).total == 2


async def test_self_verification_is_refused(harness: Harness) -> None:
    sim = harness.sim
    head, _teacher, handler = await people(harness)
    doer = sim.add_user("兼职承办人")
    await harness.register(doer, Role.CASE_OFFICER, "SCH001")
    await add_by_chat(harness, head, "公车私用", responsible="兼职承办人")
    [item_id] = [i.id for i in (await _page(harness)).items if i.id is not None]
    await harness.ask(doer, "/ledger", "SCH001")
    await press(harness, doer, "1. 公车私用")
    await sim.wait_edit(doer)
    await press(harness, doer, "标记已整改")
    await sim.next_message(doer)
    await reply(harness, doer, "已归还")
    await press(harness, doer, "完成")
    card = await sim.next_message(doer)
    assert "状态：已整改" in card.text and "✅ 验收销号" not in str(card.buttons)
    query = await forge_press(harness, doer, f"ledger:v1:vf:{item_id}.2")
    assert await answer_of(harness, query) == "该问题是您标记为已整改的，须由他人验收销号。"
    query = await forge_press(harness, doer, f"ledger:v1:rj:{item_id}.2")
    assert await answer_of(harness, query) == "该问题是您标记为已整改的，须由他人验收销号。"
    assert (await item(harness, item_id)).status == STATUS.RECTIFIED
    await harness.ask(handler, "/ledger", "SCH001")
    await press(harness, handler, "1. 公车私用")
    await sim.wait_edit(handler)
    await press(harness, handler, "✅ 验收销号")
    await sim.wait_edit(handler)
    assert (await item(harness, item_id)).status == STATUS.VERIFIED


async def test_120_items_page_within_telegram_limits(harness: Harness) -> None:
    sim = harness.sim
    head, _teacher, _handler = await people(harness)
    await seed_items(harness, "SCH001", 120, text="<&>" + "很长的问题描述" * 140)
    await sim.send_command(head, "/ledger")
    page = await sim.next_message(head)
    seen: list[int] = []
    pages = 0
    while True:
        pages += 1
        assert len(page.text) < 4096 and "<&>" in page.text
        numbers = [int(m) for m in re.findall(r"^(\d+)\. ", page.text, flags=re.M)]
        assert 0 < len(numbers) <= 10
        seen += numbers
        labels = [b for row in page.buttons for b in row]
        assert len(labels) <= 100
        if "下一页 ▶" not in labels:
            break
        await press(harness, head, "下一页 ▶")
        page = await sim.wait_edit(head)
    assert pages == 12 and seen == list(range(1, 121))
    await press(harness, head, "◀ 上一页")
    assert "第 11/12 页" in (await sim.wait_edit(head)).text
    await press(harness, head, "101. <&>很长的问题描述很长的问题描述…")
    card = await sim.wait_edit(head)
    assert len(card.text) < 4096 and "第 101 项" in card.text


async def _unit_id(harness: Harness) -> int:
    unit = await units.by_code(harness.db, "SCH001")
    assert unit is not None and unit.id is not None
    return unit.id


async def _page(harness: Harness) -> ledger_queries.Page:
    return await ledger_queries.page_of_items(harness.db, await _unit_id(harness), 0, 10)
