"""The ledger through the simulator: a unit head adds, signs off and marks rectified; a case
handler verifies or sends back; deadlines change with a reason; the responsible member
posts progress."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.membership.units import UnitKind, UnitRow
from storage import audit
from storage.ledger import queries as ledger_queries
from storage.membership import units
from tests.e2e.conftest import Harness
from tests.e2e.ledger_steps import (
    STATUS,
    add_by_chat,
    item,
    member_id,
    people,
    press,
    reply,
    seed_items,
)


async def test_head_adds_signs_off_marks_rectified_and_handler_verifies(harness: Harness) -> None:
    sim = harness.sim
    head, teacher, handler = await people(harness)
    card = await add_by_chat(harness, head, "<b>上班时间炒股</b>", responsible="老师SCH001")
    assert "第 1 项" in card.text and "<b>上班时间炒股</b>" in card.text  # shown literally
    assert "2027年5月1日" in card.text and "老师SCH001" in card.text
    await add_by_chat(harness, head, "办公室超标")
    await add_by_chat(harness, head, "值班缺岗", deadline="2027-04-30")

    listing = await harness.ask(head, "/ledger")
    assert "共 3 项" in listing and "尚未签字确认（截止 2027年4月5日）" in listing
    await press(harness, head, "✍ 签字确认")
    assert "共 3 项" in (await sim.wait_edit(head)).text
    await press(harness, head, "确认签字")
    signed = await sim.wait_edit(head)
    assert "已签字确认：第 1 版" in signed.text
    unit = await units.by_code(harness.db, "SCH001")
    assert unit is not None and unit.id is not None
    latest = await ledger_queries.latest_signoff(harness.db, unit.id)
    assert latest is not None and (latest.version, latest.item_count) == (1, 3)

    # the head marks item 1 rectified with a note and a photo
    await press(harness, head, "1. <b>上班时间炒股</b>")
    await sim.wait_edit(head)
    await press(harness, head, "标记已整改")
    assert "第 1 项" in (await sim.next_message(head)).text
    assert "佐证材料" in (await reply(harness, head, "已约谈，签订承诺书")).text
    await sim.send_photo(head, b"photo-bytes", caption="承诺书")
    assert "已收到 1 个文件" in (await sim.next_message(head)).text
    await press(harness, head, "完成")
    rectified = await sim.next_message(head)
    assert "状态：已整改" in rectified.text and "佐证材料：1 份" in rectified.text
    assert "✅ 验收销号" not in str(rectified.buttons)

    # the handler opens the unit's ledger and verifies item 1
    await harness.ask(handler, "/ledger", "SCH001")
    await press(harness, handler, "1. <b>上班时间炒股</b>")
    opened = await sim.wait_edit(handler)
    assert "✅ 验收销号" in str(opened.buttons)
    await press(harness, handler, "✅ 验收销号")
    assert "状态：已销号" in (await sim.wait_edit(handler)).text

    ids = [i.id for i in (await ledger_queries.page_of_items(harness.db, unit.id, 0, 10)).items]
    first = await item(harness, ids[0] or 0)
    assert first.status == STATUS.VERIFIED
    moves = [
        (e.from_value, e.to_value, e.actor_member_id)
        for e in await audit.events_for(harness.db, "ledger_item", first.id)
        if e.action == "ledger.status"
    ]
    assert moves == [
        ("open", "rectified", await member_id(harness, head)),
        ("rectified", "verified", await member_id(harness, handler)),
    ]

    # the responsible teacher sees the closed item, with nothing left to press
    await harness.ask(teacher, "/ledger")
    await press(harness, teacher, "1. <b>上班时间炒股</b>")
    closed = await sim.wait_edit(teacher)
    assert "状态：已销号" in closed.text and "已于 2027年3月10日" in closed.text
    assert closed.buttons == []

    # an item added after the sign-off is marked so
    await add_by_chat(harness, head, "新发现的问题")
    listing = await harness.ask(head, "/ledger")
    assert "4. 【待整改】新发现的问题" in listing and "（签字后新增）" in listing


async def test_send_back_needs_a_reason_and_returns_to_in_progress(harness: Harness) -> None:
    sim = harness.sim
    head, _teacher, handler = await people(harness)
    await add_by_chat(harness, head, "作业量过大")
    await press(harness, head, "开始整改")
    assert "状态：整改中" in (await sim.wait_edit(head)).text
    await press(harness, head, "标记已整改")
    await sim.next_message(head)
    await reply(harness, head, "已调整作业")
    await press(harness, head, "完成")
    await sim.next_message(head)
    await harness.ask(handler, "/ledger", "SCH001")
    await press(harness, handler, "1. 作业量过大")
    await sim.wait_edit(handler)
    await press(harness, handler, "退回整改")
    assert "理由" in (await sim.next_message(handler)).text
    back = await reply(harness, handler, "未见家长反馈")
    assert "状态：整改中" in back.text and "退回：未见家长反馈" in back.text


async def test_deadline_change_keeps_the_old_one_and_bad_dates_are_explained(
    harness: Harness,
) -> None:
    sim = harness.sim
    head, _teacher, _handler = await people(harness)
    await add_by_chat(harness, head, "报销不规范")
    await press(harness, head, "调整时限")
    await sim.next_message(head)
    assert "无法识别" in (await reply(harness, head, "明天吧")).text
    assert "已过" in (await reply(harness, head, "2027-03-01")).text
    assert "不能晚于" in (await reply(harness, head, "2028-01-05")).text
    assert "不存在" in (await reply(harness, head, "2/30")).text
    assert "理由" in (await reply(harness, head, "６月１日")).text  # full-width digits
    card = await reply(harness, head, "需等审计结果")
    assert "整改时限：2027年6月1日" in card.text
    assert "原时限 2027年5月1日" in card.text and "需等审计结果" in card.text


async def test_responsible_member_sees_own_items_and_posts_progress(harness: Harness) -> None:
    sim = harness.sim
    head, teacher, _handler = await people(harness)
    await add_by_chat(harness, head, "课堂玩手机", responsible="老师SCH001")
    await harness.ask(teacher, "/mine")  # the reports section comes first
    section = (await sim.next_message(teacher)).text
    assert "您负责的整改台账问题：1 项（1 项未销号）" in section and "课堂玩手机" in section
    mine = await harness.ask(teacher, "/ledger")
    assert "您是以下 1 项问题的责任人" in mine and "课堂玩手机" in mine
    await press(harness, teacher, "1. 课堂玩手机")
    card = await sim.wait_edit(teacher)
    assert "修改措施" not in str(card.buttons)  # not the head
    await press(harness, teacher, "报告进展")
    await sim.next_message(teacher)
    posted = await reply(harness, teacher, "已上交手机")
    assert "进展：已上交手机" in posted.text


async def test_text_limits_and_wrong_input_get_clear_answers(harness: Harness) -> None:
    sim = harness.sim
    head, _teacher, _handler = await people(harness)
    await harness.ask(head, "/ledger")
    await press(harness, head, "➕ 新增问题")
    categories = await sim.next_message(head)
    assert "请点击上方按钮" in (await reply(harness, head, "弱")).text
    await press(harness, head, categories.buttons[0][0])
    await sim.next_message(head)
    await sim.send_photo(head, b"x")
    assert "文字" in (await sim.next_message(head)).text
    assert "共 1001 字，此处最多 1000 字" in (await reply(harness, head, "问" * 1001)).text
    assert "/cancel" in (await harness.ask(head, "/ledger"))  # a command mid-way
    assert "未保存" in (await harness.ask(head, "/cancel"))
    unit = await units.by_code(harness.db, "SCH001")
    assert unit is not None and unit.id is not None
    assert (await ledger_queries.page_of_items(harness.db, unit.id, 0, 10)).total == 0


async def test_staff_see_unsigned_units(harness: Harness) -> None:
    head, _teacher, handler = await people(harness)
    await seed_items(harness, "SCH001", 2)
    text = await harness.ask(handler, "/ledger", "unsigned")
    assert "截止 2027年4月5日" in text and "SCH001" in text and "SCH002" in text
    await harness.ask(head, "/ledger")
    await press(harness, head, "✍ 签字确认")
    await harness.sim.wait_edit(head)
    await press(harness, head, "确认签字")
    await harness.sim.wait_edit(head)
    text = await harness.ask(handler, "/ledger", "unsigned")
    assert "SCH001" not in text and "SCH002" in text
    overview = await harness.ask(handler, "/ledger")
    assert "SCH001 城关第一中学：2 项，已销号 0 项，已签字（第 1 版）" in overview


async def test_staff_see_who_signed_off_only_after_the_day(harness: Harness) -> None:
    head, _teacher, handler = await people(harness)
    await seed_items(harness, "SCH001", 1)
    harness.clock.set(datetime(2027, 4, 6, 2, 0, tzinfo=UTC))  # April 6, 10:00 in Shanghai
    await harness.ask(head, "/ledger")
    await press(harness, head, "✍ 签字确认")
    await harness.sim.wait_edit(head)
    await press(harness, head, "确认签字")
    await harness.sim.wait_edit(head)
    text = await harness.ask(handler, "/ledger", "unsigned")
    late = text.split("逾期后才签字的单位：")[1]
    assert late.startswith("1 个") and "SCH001" in late
    assert "SCH002" in text.split("逾期后才签字的单位：")[0]


async def test_staff_page_through_units_and_the_ledger_stays_private(harness: Harness) -> None:
    sim = harness.sim
    _head, teacher, handler = await people(harness)
    extra = [UnitRow(f"X{i:02d}", f"乡镇学校{i}", UnitKind.SCHOOL, "D01") for i in range(12)]
    await units.import_units(harness.db, list(enumerate(extra, start=2)), now=harness.clock.now())
    first = await harness.ask(handler, "/ledger")
    assert "共 15 个单位" in first and "D01 城关学区" in first
    await press(harness, handler, "下一页 ▶")
    second = await sim.wait_edit(handler)
    assert "X09" in second.text and "SCH001" not in second.text
    await press(harness, handler, "◀ 上一页")
    await sim.wait_edit(handler)
    await press(harness, handler, "SCH001 城关第一中学")
    assert "整改台账 · 城关第一中学" in (await sim.wait_edit(handler)).text
    assert "没有代码为" in await harness.ask(handler, "/ledger", "NOPE")
    group = sim.add_group("一中工作群", supergroup=True)
    assert "私聊" in await harness.ask(teacher, "/ledger", chat=group)
    outsider = sim.add_user("路人")
    assert "已登记" in await harness.ask(outsider, "/ledger")
    assert "暂无以您为责任人" in await harness.ask(teacher, "/ledger")
