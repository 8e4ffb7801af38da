"""/complain and /status end to end: filing with a photo, the receipt, the staff card, a staff
reply read through /status, added information, closing and the rating."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.cases.lifecycle import CaseStatus
from domain.membership.roles import Role
from storage import audit
from storage.cases import complaint_staff, complaints
from tests.e2e.hotline_support import RECEIPT_RE, Hotline, answer_of, forge_press, hotline_bot
from tests.owners import accepted


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def test_complaint_goes_from_filing_to_rating(hl: Hotline) -> None:
    sim, parent = hl.sim, hl.complainant()
    receipt = await hl.file(parent, photo=b"\x89PNG fake photo")
    assert RECEIPT_RE.fullmatch(receipt)

    card = await sim.next_message(hl.staff)
    assert "匿名投诉 C-" in card.text and "2027年3月10日" in card.text
    assert "食堂" in card.text and "09:00" not in card.text
    assert card.buttons == [["受理（由我负责）"], ["回复"], ["办结", "不予受理"]]
    assert "承办人：尚无人受理" in card.text
    photo = await sim.next_message(hl.staff)
    assert photo.raw.get("photo") and photo.raw.get("forward_origin") is None
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]

    # Staff reply from the card through the ForceReply prompt.
    prompt_text = await hl.press(hl.handler, "回复", chat=hl.staff)
    assert pseudonym in prompt_text
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "已责成学校退还多收费用。", chat=hl.staff, reply_to=prompt)
    assert "已保存" in (await sim.next_message(hl.staff)).text

    # Answered, but nobody accepted it yet: it cannot be closed (谁受理谁负责); a bureau
    # handler accepts it on the card, which then names them.
    refused = await answer_of(sim, await sim.press_button(hl.handler, "办结", chat=hl.staff))
    assert refused is not None and "请先受理" in refused
    bureau = sim.add_user("人事股王干事")
    await hl.h.register(bureau, Role.CASE_OFFICER, "EDU")  # 刘干事 is of the school: 回避
    await sim.press_button(bureau, "受理（由我负责）", chat=hl.staff)
    named = await sim.state.signal.wait_for(lambda: "承办人：人事股王干事" in card.text, 5.0)
    assert named and card.buttons == [["回复"], ["办结", "不予受理"]]

    # The parent reads it and adds information.
    shown = await hl.h.ask(parent, "/status", receipt.lower().replace("-", " "))
    assert "已责成学校退还多收费用" in shown and "工作人员答复" in shown
    await sim.press_button(parent, "补充材料")
    await sim.next_message(parent)
    assert "已添加" in await hl.say(parent, "三月份又收了一次。")
    added = await sim.next_message(hl.staff)
    assert "三月份又收了一次" in added.text and pseudonym in added.text
    await sim.next_message(parent)  # the view again
    await sim.press_button(parent, "完成")
    await sim.next_message(parent)

    # Staff answer again and close.
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "费用已全部退还。", chat=hl.staff, reply_to=prompt)
    await sim.next_message(hl.staff)
    # Closing records the finding and who was held accountable (问责) first.
    assert "核查结论" in await hl.press(hl.handler, "办结", chat=hl.staff)
    findings = sim.bot_messages(hl.staff)[-1]
    await sim.press_button(hl.handler, "部分属实", chat=hl.staff)
    assert "部分属实" in (await sim.wait_edit(findings)).text
    assert "被问责" in await hl.press(hl.handler, "批评教育", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "#SCH001", chat=hl.staff, reply_to=prompt)
    so_far = await sim.next_message(hl.staff)
    assert "批评教育：#SCH001" in so_far.text
    await sim.press_button(hl.handler, "完成，办结", chat=hl.staff)
    assert "已办结" in (await sim.wait_edit(so_far)).text

    # The parent rates it.
    shown = await hl.h.ask(parent, "/status", receipt)
    assert "费用已全部退还" in shown
    await sim.press_button(parent, "评价办理结果")
    await sim.next_message(parent)
    await sim.press_button(parent, "基本满意")
    await sim.wait_edit(sim.private_chat(parent))
    await sim.next_message(parent)
    assert "已保存" in await hl.say(parent, "处理及时。")

    case_id = await complaint_staff.case_id_of(hl.h.db, pseudonym)
    assert case_id is not None
    view = await complaints.view(hl.h.db, case_id)
    assert view is not None and view.status == CaseStatus.CLOSED
    assert view.rating == "basically_satisfied"
    assert [m.direction for m in view.messages] == ["to_author", "from_author", "to_author"]
    events = await audit.events_for(hl.h.db, "complaint", pseudonym)
    staff_events = [e for e in events if e.actor_kind == "member"]
    assert staff_events and all(e.actor_member_id is not None for e in staff_events)
    # The complainant's own actions leave no audit row (its id and time would place them).
    assert all(e.actor_kind == "member" for e in events)
    # The administrators' audit export of the complaint: the staff's actions only, each with
    # its day, never a time of day that could come close to when the complaint was filed.
    exported = [
        row
        async for batch in audit.audit_rows(
            hl.h.db, where=audit.AuditFilter(case_number=pseudonym), tz=ZoneInfo("Asia/Shanghai")
        )
        for row in batch
    ]
    assert len(exported) == len(events) and all(r.actor for r in exported)
    assert all(type(r.at) is date and r.subject == pseudonym for r in exported)


async def test_deep_link_opens_the_hotline_and_notices_can_be_switched(hl: Hotline) -> None:
    sim, parent = hl.sim, hl.complainant()
    assert "匿名投诉" in await hl.h.ask(parent, "/start", "complain")
    assert "已取消" in await hl.h.ask(parent, "/cancel")
    receipt = await hl.file(parent, push=False)
    await sim.next_message(hl.staff)
    await hl.h.ask(parent, "/status", receipt)
    assert "已开启通知" in await hl.press(parent, "有答复时通知我")
    await sim.next_message(parent)  # the view again, now with "stop notices"
    assert "停止通知" in str(sim.bot_messages(parent)[-1].buttons)
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "收到。", chat=hl.staff, reply_to=prompt)
    await sim.next_message(hl.staff)
    assert "有新进展" in (await sim.next_message(parent)).text
    assert "已关闭通知" in await hl.press(parent, "停止通知")
    await sim.next_message(parent)
    await sim.press_button(parent, "完成")
    await sim.next_message(parent)
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "再次答复。", chat=hl.staff, reply_to=prompt)
    await sim.next_message(hl.staff)
    await sim.wait_confirmed()
    assert "有新进展" not in sim.bot_messages(parent)[-1].text


async def test_each_refusal_on_the_card_says_what_happened(hl: Hotline) -> None:
    """Reject on an answered complaint, a reason typed after someone answered it meanwhile,
    Close on a closed one and a press on a purged one: each says its own thing."""
    sim, parent = hl.sim, hl.complainant()
    await hl.file(parent)
    card = await sim.next_message(hl.staff)
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]
    await hl.press(hl.handler, "不予受理", chat=hl.staff)  # a reason prompt, left open
    reason_prompt = sim.bot_messages(hl.staff)[-1]
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "已责成学校退还。", chat=hl.staff, reply_to=prompt)
    await sim.next_message(hl.staff)

    before = len(sim.callback_answers)
    await sim.press_button(hl.handler, "不予受理", chat=hl.staff)
    await sim.state.signal.wait_for(lambda: len(sim.callback_answers) > before, 5.0)
    answered = sim.callback_answers[-1].text or ""
    assert "已答复" in answered and "已办结" not in answered, answered

    await sim.send_text(hl.handler, "不属实。", chat=hl.staff, reply_to=reason_prompt)
    late = (await sim.next_message(hl.staff)).text
    assert "已答复" in late and "已办结" not in late, late

    await accepted(hl.h.db, (await complaints.for_staff(hl.h.db))[0].case_id)  # 谁受理谁负责
    assert "已办结" in await hl.close_from_card()
    query = await forge_press(sim, hl.handler, hl.staff, f"hotline:v1:reject:{pseudonym}")
    closed = await answer_of(sim, query)
    assert closed == "该投诉已办结。", closed

    query = await forge_press(sim, hl.handler, hl.staff, "hotline:v1:close:ZZ99ZZ")
    assert await answer_of(sim, query) in ("该投诉已不存在。", "此按钮已失效。")
    await sim.wait_confirmed()
