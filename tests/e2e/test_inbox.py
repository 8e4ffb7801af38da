"""/inbox end to end: only handlers and admins, in private; the paged list with its filters;
a report's card with the reporter's name; accept (谁受理谁负责) telling the reporter; conflict
of interest; two handlers accepting at once; reply (sent to the reporter in their language)
and close through ForceReply prompts; forged buttons refused."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from domain.cases.reports import ReportDraft
from domain.hotline import receipts
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from simulator import SimUser
from storage.cases import complaints, reports
from storage.membership import members, units
from storage.models import Case, LedgerItem
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.report_helpers import answers_after

ACCEPT, REPLY, CLOSE = "受理（由我负责）", "答复反映人", "填写办结意见并办结"


def services(harness: Harness) -> Services:
    found: Services = harness.app.bot_data[SERVICES_KEY]
    return found


async def file_report(harness: Harness, author: SimUser, unit_code: str = "SCH001") -> str:
    """The author files a report through storage (the /report flow has its own tests)."""
    who = await members.by_telegram_id(harness.db, author.id)
    assert who is not None and who.member.id is not None
    found = await units.by_code(harness.db, unit_code)
    assert found is not None
    unit = found.id
    category = services(harness).settings.campaign.categories[0].key
    draft = ReportDraft(category, unit, "有教师经常迟到早退。", None, [], False)
    filed = await reports.submit_report(
        harness.db,
        author_member_id=who.member.id,
        draft=draft,
        year=2027,
        today=harness.clock.now().date(),
        now=harness.clock.now(),
    )
    return filed.number


async def people(harness: Harness) -> tuple[SimUser, SimUser]:
    teacher, handler = harness.sim.add_user("周老师"), harness.sim.add_user("人事股刘干事")
    await harness.register(teacher)
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    return teacher, handler


async def open_card(harness: Harness, handler: SimUser, number: str) -> str:
    await harness.ask(handler, "/inbox")
    label = next(
        b for row in harness.sim.bot_messages(handler)[-1].buttons for b in row if number in b
    )
    await harness.sim.press_button(handler, label)
    return (await harness.sim.next_message(handler)).text


async def test_inbox_is_for_handlers_and_admins_in_private(harness: Harness) -> None:
    teacher, handler = await people(harness)
    assert "只有承办人员和管理员" in await harness.ask(teacher, "/inbox")
    group = harness.sim.add_group("工作群", supergroup=True)
    assert "私聊" in await harness.ask(handler, "/inbox", chat=group)
    assert "没有未办结的案件" in await harness.ask(handler, "/inbox")


async def test_accept_reply_close_end_to_end(harness: Harness) -> None:
    teacher, handler = await people(harness)
    number = await file_report(harness, teacher)
    card = await open_card(harness, handler, number)
    assert "周老师" in card and "尚无人受理" in card  # staff see the reporter's name
    await harness.sim.press_button(handler, ACCEPT)
    edited = await harness.sim.wait_edit(handler)
    assert "承办人：人事股刘干事" in edited.text and edited.buttons[0] == [REPLY]
    assert f"{number}" in (await harness.sim.next_message(teacher)).text  # 已受理 notice
    await harness.sim.press_button(handler, REPLY)
    prompt = await harness.sim.next_message(handler)
    assert "答复" in prompt.text
    await harness.sim.send_text(handler, "<b>经核实</b>，已约谈当事教师。", reply_to=prompt)
    assert "已保存并发送给反映人" in (await harness.sim.next_message(handler)).text
    reply = await harness.sim.next_message(teacher)
    assert "<b>经核实</b>，已约谈当事教师。" in reply.text and number in reply.text
    refreshed = await harness.sim.wait_edit(handler)
    assert refreshed.buttons[-1] == [CLOSE] or [CLOSE] in refreshed.buttons
    await harness.sim.press_button(handler, CLOSE)
    assert "核查结论" in (await harness.sim.next_message(handler)).text
    await harness.sim.press_button(handler, "不属实")  # nobody to hold accountable: summary next
    prompt = await harness.sim.next_message(handler)
    await harness.sim.send_text(handler, "x" * 1001, reply_to=prompt)
    assert "1001" in (await harness.sim.next_message(handler)).text
    await harness.sim.send_text(handler, "已整改到位，办结。", reply_to=prompt)
    assert f"{number} 已办结" in (await harness.sim.next_message(handler)).text
    assert "办结" in (await harness.sim.next_message(teacher)).text
    assert "没有未办结的案件" in await harness.ask(handler, "/inbox")


async def test_conflict_of_interest_and_forged_buttons(harness: Harness) -> None:
    teacher, _handler = await people(harness)
    local = harness.sim.add_user("本校承办人")
    await harness.register(local, Role.CASE_OFFICER, "SCH001")
    number = await file_report(harness, teacher)
    await open_card(harness, local, number)
    assert harness.sim.bot_messages(local)[-1].buttons == []  # no accept for its own unit
    async with harness.db.session() as session:
        case_id = (await session.exec(select(Case.id).where(Case.number == number))).one()
    chat = harness.sim.state.chat(local.id)
    notice = await answer_of(
        harness.sim, await forge_press(harness.sim, local, chat, f"inbox:v1:accept:{case_id}")
    )
    assert notice is not None and "回避" in notice
    teacher_chat = harness.sim.state.chat(teacher.id)
    refused = await answer_of(
        harness.sim,
        await forge_press(harness.sim, teacher, teacher_chat, f"inbox:v1:open:{case_id}"),
    )
    assert refused == "此按钮已失效。"  # not staff: the neutral answer
    bogus = await answer_of(
        harness.sim, await forge_press(harness.sim, local, chat, "inbox:v1:open:abc")
    )
    assert bogus is not None and "失效" in bogus


async def test_two_handlers_accept_at_once_one_wins(harness: Harness) -> None:
    teacher, first = await people(harness)
    second = harness.sim.add_user("督导室王干事")
    await harness.register(second, Role.CASE_OFFICER, "EDU")
    number = await file_report(harness, teacher)
    await open_card(harness, first, number)
    await open_card(harness, second, number)
    before = len(harness.sim.callback_answers)
    await harness.sim.press_button(first, ACCEPT)
    await harness.sim.press_button(second, ACCEPT)
    answers = await answers_after(harness, before, 2)
    assert sum(1 for a in answers if a and "由您负责" in a) == 1
    assert sum(1 for a in answers if a and "由您负责" not in a) == 1


async def test_list_pages_and_filters(harness: Harness) -> None:
    teacher, handler = await people(harness)
    for _ in range(7):
        await file_report(harness, teacher)
    text = await harness.ask(handler, "/inbox")
    assert "共 7 件" in text and "第 1/2 页" in text
    await harness.sim.press_button(handler, "下一页 ›")
    assert "第 2/2 页" in (await harness.sim.wait_edit(handler)).text
    await harness.sim.press_button(handler, "🔎 筛选")
    menu = await harness.sim.wait_edit(handler)
    assert "筛选待办件" in menu.text and menu.buttons[-1] == ["查看 7 件"]
    assert all(len(b) <= 64 for b in _data(harness, handler))
    await harness.sim.press_button(handler, "投诉")
    menu = await harness.sim.wait_edit(handler)
    assert "当前：投诉 · 未办结" in menu.text and menu.buttons[-1] == ["查看 0 件"]
    await harness.sim.press_button(handler, "查看 0 件")
    assert "这里没有未办结的案件" in (await harness.sim.wait_edit(handler)).text
    await harness.sim.press_button(handler, "清除筛选")
    assert "共 7 件" in (await harness.sim.wait_edit(handler)).text
    await harness.sim.press_button(handler, "我负责的")
    mine = await harness.sim.wait_edit(handler)
    assert "没有未办结的案件" in mine.text and "• 我负责的" in str(mine.buttons)
    assert "共 7 件" in await harness.ask(handler, "/inbox", "report")
    assert "无法识别" in await harness.ask(handler, "/inbox", "everything")
    chat = harness.sim.state.chat(handler.id)
    bad = await forge_press(harness.sim, handler, chat, "inbox:v1:l:kr.kc.p0")
    assert "失效" in (await answer_of(harness.sim, bad) or "")
    await forge_press(harness.sim, handler, chat, "inbox:v1:list:cmp.0")  # an old list's button
    assert "投诉 · 未办结" in (await harness.sim.wait_edit(handler)).text


def _data(harness: Harness, user: SimUser) -> list[bytes]:
    """The callback data of the buttons of the bot's last message to `user`, as bytes."""
    raw = harness.sim.bot_messages(user)[-1].raw.get("reply_markup", {})
    rows = raw.get("inline_keyboard", [])
    return [b["callback_data"].encode() for row in rows for b in row]


async def test_typed_filters_and_the_menu_pickers(harness: Harness) -> None:
    teacher, handler = await people(harness)
    first = await file_report(harness, teacher)
    await file_report(harness, teacher, "SCH002")
    taken = await file_report(harness, teacher)
    await open_card(harness, handler, taken)
    await harness.sim.press_button(handler, ACCEPT)
    await harness.sim.wait_edit(handler)
    assert "没有未办结的案件" in await harness.ask(handler, "/inbox", "overdue")
    harness.clock.advance(timedelta(days=9))  # the reports' 7-day acknowledgement clock
    late = await harness.ask(handler, "/inbox", "overdue")
    assert "共 2 件" in late and "已超期" in late
    assert taken not in str(harness.sim.bot_messages(handler)[-1].buttons)
    assert "共 1 件" in await harness.ask(handler, "/inbox", "mine")
    school = await harness.ask(handler, "/inbox", "unit SCH002 unassigned")
    assert "共 1 件" in school and "城关第二小学" in school
    assert "无法识别" in await harness.ask(handler, "/inbox", "unit NOPE")
    await harness.ask(handler, "/inbox")
    await harness.sim.press_button(handler, "🔎 筛选")
    await harness.sim.wait_edit(handler)
    await harness.sim.press_button(handler, "单位 ▸")
    picker = await harness.sim.wait_edit(handler)
    assert ["城关第一中学 (2)", "城关第二小学 (1)"] in picker.buttons or any(
        "城关第一中学 (2)" in b for row in picker.buttons for b in row
    )
    await harness.sim.press_button(handler, "城关第一中学 (2)")
    await harness.sim.wait_edit(handler)
    await harness.sim.press_button(handler, "承办人 ▸")
    await harness.sim.wait_edit(handler)
    await harness.sim.press_button(handler, "尚未受理")
    menu = await harness.sim.wait_edit(handler)
    assert "城关第一中学 · 尚未受理" in menu.text and menu.buttons[-1] == ["查看 1 件"]
    await harness.sim.press_button(handler, "查看 1 件")
    listed = await harness.sim.wait_edit(handler)
    assert first in str(listed.buttons) and taken not in str(listed.buttons)


async def test_complaint_card_in_inbox_names_nobody(harness: Harness) -> None:
    _teacher, handler = await people(harness)
    svc = services(harness)
    school = await units.by_code(harness.db, "SCH002")
    assert school is not None
    filed = await complaints.file_complaint(
        harness.db,
        complaints.NewComplaint(svc.settings.campaign.categories[0].key, school.id, "乱收费。"),
        receipt=receipts.new_receipt(),
        policy=svc.settings.hotline,
        today=harness.clock.now().date(),
    )
    text = await harness.ask(handler, "/inbox")
    assert "共 1 件" in text
    card = await open_card(harness, handler, filed.pseudonym)
    assert "乱收费。" in card and "尚无人受理" in card
    assert harness.sim.bot_messages(handler)[-1].buttons[0] == [ACCEPT]


async def test_transfer_to_another_handler(harness: Harness) -> None:
    teacher, first = await people(harness)
    second = harness.sim.add_user("督导室王干事")
    await harness.register(second, Role.CASE_OFFICER, "EDU")
    number = await file_report(harness, teacher)
    await open_card(harness, first, number)
    await harness.sim.press_button(first, ACCEPT)
    await harness.sim.wait_edit(first)
    await harness.sim.press_button(first, "转办")
    picker = await harness.sim.wait_edit(first)
    assert picker.buttons[0] == ["督导室王干事 · 县教文广新体局"]
    await harness.sim.press_button(first, "督导室王干事 · 县教文广新体局")
    prompt = await harness.sim.next_message(first)
    assert "转交给督导室王干事" in prompt.text
    await harness.sim.send_text(first, "属督导室职责。", reply_to=prompt)
    assert "已转交督导室王干事" in (await harness.sim.next_message(first)).text
    told = await harness.sim.next_message(second)
    assert number in told.text and "属督导室职责。" in told.text
    left = (await harness.sim.wait_edit(first)).buttons  # no longer the owner's card
    assert not {REPLY, CLOSE, "转办"} & {b for row in left for b in row}
    card = await open_card(harness, second, number)
    assert "承办人：督导室王干事" in card
    assert harness.sim.bot_messages(second)[-1].buttons[0] == [REPLY]


async def test_dispatch_to_the_unit(harness: Harness) -> None:
    teacher, handler = await people(harness)
    head = harness.sim.add_user("郑校长")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    number = await file_report(harness, teacher)
    await open_card(harness, handler, number)
    await harness.sim.press_button(handler, ACCEPT)
    await harness.sim.wait_edit(handler)
    await harness.sim.next_message(teacher)  # accepted
    await harness.sim.press_button(handler, "交办给责任单位")
    prompt = await harness.sim.next_message(handler)
    await harness.sim.send_text(handler, "哪天都行", reply_to=prompt)
    assert "请重新回复" in (await harness.sim.next_message(handler)).text
    await harness.sim.send_text(handler, "4月30日", reply_to=prompt)
    second = await harness.sim.next_message(handler)
    assert "2027年4月30日" in second.text and "整改要求" in second.text
    await harness.sim.send_text(handler, "一周内约谈<当事人>。", reply_to=second)
    assert "已通知 1 位单位负责人" in (await harness.sim.next_message(handler)).text
    told = await harness.sim.next_message(head)
    assert number in told.text and "一周内约谈<当事人>。" in told.text
    assert "周老师" not in told.text
    async with harness.db.session() as session:
        case = (await session.exec(select(Case).where(Case.number == number))).one()
        item = (
            await session.exec(select(LedgerItem).where(LedgerItem.source_case_id == case.id))
        ).one()
    assert case.status == "in_progress" and item.requirement == "一周内约谈<当事人>。"
    assert item.deadline is not None and item.deadline.isoformat() == "2027-04-30"
