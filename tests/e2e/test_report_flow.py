"""/report end to end, as a member would file one: with and without evidence, editing a
field, and the number shown only once the report is stored."""

from __future__ import annotations

from domain.membership.roles import Role
from simulator import SimUser
from storage.cases import reports
from tests.e2e.conftest import Harness
from tests.e2e.report_helpers import (
    PHOTO,
    file_report_until_summary,
    own_reports,
    submit,
)


async def test_full_report_with_a_photo(harness: Harness) -> None:
    user = harness.sim.add_user("张老师")
    await harness.register(user)
    prompt = await harness.ask(user, "/report")
    assert "第 1 步" in prompt and "理想信念不坚决" not in prompt  # the buttons say it, once
    shown = harness.sim.bot_messages(user)[-1].buttons
    assert shown[0] == ["弱 · 理想信念不坚决", "松 · 党性锻炼不经常"]
    assert all(len(b) <= 30 for row in shown for b in row)
    await harness.sim.press_button(user, "弱 · 理想信念不坚决")
    unit_prompt = await harness.sim.next_message(user)
    assert "第 2 步" in unit_prompt.text and unit_prompt.buttons == [["城关第一中学"]]
    await harness.sim.press_button(user, "城关第一中学")
    assert "2000" in (await harness.sim.next_message(user)).text
    await harness.sim.send_text(user, "教务处<b>王某</b>上班时间炒股。")
    assert "跳过" in (await harness.sim.next_message(user)).text
    await harness.sim.send_text(user, "3月8日上午，教务处办公室")
    assert "第 4 步" in (await harness.sim.next_message(user)).text
    await harness.sim.send_photo(user, PHOTO, caption="拍摄于教务处")
    received = await harness.sim.next_message(user)
    assert "第 1 个文件" in received.text and received.buttons[0] == ["完成"]
    await harness.sim.press_button(user, "完成")
    assert "第 5 步" in (await harness.sim.next_message(user)).text
    await harness.sim.press_button(user, "否，可以署名")
    card = await harness.sim.next_message(user)
    assert "教务处<b>王某</b>上班时间炒股。" in card.text  # shown literally, not as HTML
    assert "1 个文件" in card.text and "拍摄于" not in card.text
    assert card.buttons == [["提交"], ["修改", "取消"]]
    assert await own_reports(harness, user) == []  # nothing stored before Submit
    done = await submit(harness, user)
    assert "R-2027-0001" in done and "/mine" in done
    stored = await own_reports(harness, user)
    assert [r.number for r in stored] == ["R-2027-0001"]
    view = await reports.view_for(harness.db, stored[0].case_id, reports_viewer(Role.CASE_OFFICER))
    assert view is not None
    assert view.occurred == "3月8日上午，教务处办公室"
    assert [(e.kind, e.caption) for e in view.evidence] == [("photo", "拍摄于教务处")]
    assert view.reporter_name == "张老师" and not view.confidential


def reports_viewer(role: Role) -> reports.ReportViewer:
    return reports.ReportViewer(role=role, unit_id=None, member_id=None)


async def test_report_without_evidence_and_skipping_when(harness: Harness) -> None:
    user = harness.sim.add_user("李老师")
    await harness.register(user)
    await file_report_until_summary(harness, user, confidential=True)
    card = harness.sim.bot_messages(user)[-1].text
    assert "（未填写）" in card and "城关第一中学负责人看不到您的姓名" in card
    assert "R-2027-0001" in await submit(harness, user)
    second = harness.sim.add_user("赵老师")
    await harness.register(second)
    await file_report_until_summary(harness, second)
    assert "R-2027-0002" in await submit(harness, second)


async def test_edit_a_field_from_the_summary(harness: Harness) -> None:
    user = harness.sim.add_user("孙老师")
    await harness.register(user)
    await file_report_until_summary(harness, user)
    await harness.sim.press_button(user, "修改")
    choose = await harness.sim.next_message(user)
    assert "请选择要修改的内容" in choose.text
    await harness.sim.press_button(user, "涉及单位")
    await harness.sim.next_message(user)
    await harness.sim.send_text(user, "SCH002")
    found = await harness.sim.next_message(user)
    assert found.buttons == [["城关第二小学 (SCH002)"]]
    await harness.sim.press_button(user, "城关第二小学 (SCH002)")
    card = await harness.sim.next_message(user)
    assert "涉及单位：城关第二小学" in card.text and card.buttons[0] == ["提交"]
    await harness.sim.press_button(user, "修改")
    await harness.sim.next_message(user)
    await harness.sim.press_button(user, "情况说明")
    await harness.sim.next_message(user)
    await harness.sim.send_text(user, "改过的说明")
    card = await harness.sim.next_message(user)
    assert "情况说明：改过的说明" in card.text
    assert "R-2027-0001" in await submit(harness, user)


async def test_unit_search_by_name(harness: Harness) -> None:
    user = harness.sim.add_user("周老师")
    await harness.register(user)
    await harness.ask(user, "/report")
    await harness.sim.press_button(user, "慢 · 落实行动不迅速")
    await harness.sim.next_message(user)
    await harness.sim.send_text(user, "城关")
    found = await harness.sim.next_message(user)
    assert len(found.buttons) == 3 and ["城关第二小学 (SCH002)"] in found.buttons
    await harness.sim.send_text(user, "不存在的学校")
    assert "没有找到" in (await harness.sim.next_message(user)).text


async def test_a_member_of_no_unit_cannot_report(harness: Harness) -> None:
    outsider: SimUser = harness.sim.add_user("路人")
    text = await harness.ask(outsider, "/report")
    assert "只有已登记的成员" in text and "/complain" in text


async def test_the_deep_link_from_a_group_opens_the_report(harness: Harness) -> None:
    user = harness.sim.add_user("郑老师")
    await harness.register(user)
    group = harness.sim.add_group("一中工作群", supergroup=True)
    offer = await harness.ask(user, "/report", chat=group)
    assert "私聊" in offer
    assert "第 1 步" in await harness.ask(user, "/start", "report")
