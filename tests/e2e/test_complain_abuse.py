"""The hotline against abuse and bad input: the daily limit, duplicates, wrong receipts,
receipts pasted into texts, self-identification, forged and stale buttons, odd messages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from simulator import SimUser
from storage.cases import complaint_staff, complaints
from tests.e2e.hotline_support import RECEIPT_RE, Hotline, answer_of, forge_press, hotline_bot


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path, max_per_day=2) as found:
        yield found


async def stored_texts(hl: Hotline) -> list[str]:
    listed = await complaints.for_staff(hl.h.db)
    return [v.description for v in listed] + [m.body for v in listed for m in v.messages]


async def test_at_most_n_complaints_per_sender_per_day(hl: Hotline) -> None:
    parent = hl.complainant()
    await hl.file(parent, text="第一件：学校乱收费。")
    await hl.file(parent, text="第二件：教师有偿补课。")
    assert "最多提交 2 件" in await hl.h.ask(parent, "/complain")
    other = hl.sim.add_user("另一位家长")
    await hl.file(other, text="第三件：另一个人的投诉。")
    hl.h.clock.advance(timedelta(days=1))
    await hl.file(parent, text="第二天的投诉。")
    assert len(await complaints.for_staff(hl.h.db)) == 4


async def _file_again(hl: Hotline, who: SimUser, text: str) -> str:
    """Walk /complain with `text` to the submit button; the answer to pressing it."""
    await hl.to_evidence(who, text)
    await hl.press(who, "完成")
    await hl.press(who, "不需要通知")
    return await hl.press(who, "提交")


async def test_the_same_text_is_refused_from_its_sender_and_filed_from_another(
    hl: Hotline,
) -> None:
    a, b = hl.complainant(), hl.sim.add_user("另一位家长")
    await hl.file(a, text="食堂 多收 伙食费。")
    # A second parent using the same template words is filed, and learns nothing of the first.
    assert RECEIPT_RE.search(await _file_again(hl, b, "食堂多收 伙食费。"))
    await hl.sim.next_message(hl.staff)
    assert "已收到内容相同的投诉" in await _file_again(hl, a, "食堂多收伙食费。")
    assert len(await complaints.for_staff(hl.h.db)) == 2


async def test_wrong_receipts_are_throttled_with_a_growing_wait(hl: Hotline) -> None:
    parent = hl.complainant()
    receipt = await hl.file(parent)
    wrong = "7KQ2-M9XD-4HPA-TR3W"
    assert "没有与此回执码对应的投诉" in await hl.h.ask(parent, "/status", wrong)
    assert "没有与此回执码对应的投诉" in await hl.say(parent, wrong)
    assert "没有与此回执码对应的投诉" in await hl.say(parent, wrong)
    assert "次数过多" in await hl.h.ask(parent, "/status", receipt)  # even the right one waits
    hl.h.clock.advance(timedelta(seconds=31))
    assert "食堂" in await hl.h.ask(parent, "/status", receipt)
    await hl.sim.press_button(parent, "完成")
    await hl.sim.next_message(parent)
    assert "不是回执码" in await hl.h.ask(parent, "/status", "123")  # malformed: no try used


async def test_a_pasted_receipt_is_removed_from_complaint_and_follow_up(hl: Hotline) -> None:
    parent = hl.complainant()
    first = await hl.file(parent, text="第一件投诉。")
    await hl.h.ask(parent, "/complain")
    await hl.press(parent, "继续")
    await hl.sim.press_button(parent, hl.first_category_label(parent))
    await hl.sim.next_message(parent)
    await hl.sim.press_button(parent, "不知道")
    await hl.sim.next_message(parent)
    assert "回执已删除" in await hl.say(parent, f"接上次 {first.lower()} 的投诉，又发生了。")
    await hl.sim.next_message(parent)  # the evidence prompt
    await hl.press(parent, "完成")
    await hl.press(parent, "不需要通知")
    await hl.press(parent, "提交")
    await hl.h.ask(parent, "/status", first)
    await hl.sim.press_button(parent, "补充材料")
    await hl.sim.next_message(parent)
    assert "回执已删除" in await hl.say(parent, f"我的回执 {first.replace('-', ' ')}")
    texts = " ".join(await stored_texts(hl))
    assert "[回执已删除]" in texts
    assert first not in texts and first.replace("-", "") not in texts.upper().replace(" ", "")


async def test_own_name_in_the_text_is_warned_about(hl: Hotline) -> None:
    parent = hl.complainant()
    await hl.h.ask(parent, "/complain")
    await hl.press(parent, "继续")
    await hl.sim.press_button(parent, hl.first_category_label(parent))
    await hl.sim.next_message(parent)
    await hl.sim.press_button(parent, "不知道")
    await hl.sim.next_message(parent)
    warning = await hl.say(parent, "我是 xiaoqiang 的家长，学校乱收费。")
    assert "Xiaoqiang" in warning and "修改文字" in str(hl.sim.bot_messages(parent)[-1].buttons)
    assert "发生了什么" in await hl.press(parent, "修改文字")
    assert "证据" in await hl.say(parent, "学校乱收费。")


async def test_bad_input_mid_flow_gets_clear_answers(hl: Hotline) -> None:
    parent = hl.complainant()
    limit = hl.h.config.limits.text_max_chars
    await hl.h.ask(parent, "/complain")
    assert "这一步不需要" in await hl.say(parent, "随便说点")  # buttons expected
    await hl.press(parent, "继续")
    await hl.sim.press_button(parent, hl.first_category_label(parent))
    await hl.sim.next_message(parent)
    await hl.sim.press_button(parent, "不知道")
    await hl.sim.next_message(parent)
    await hl.sim._user_says(parent, None, {"location": {"latitude": 30.1, "longitude": 120.2}})
    assert "这一步不需要" in (await hl.sim.next_message(parent)).text
    assert f"最多允许 {limit} 个字" in await hl.say(parent, "长" * (limit + 1))
    assert "/help" not in await hl.h.ask(parent, "/ledger")  # a command midway is answered
    await hl.say(parent, "<b>校长</b> & 会计\x00 收费")
    big = b"x" * (21 * 1024 * 1024)
    await hl.sim.send_document(parent, big, "big.pdf")
    assert "最大允许 20 MB" in (await hl.sim.next_message(parent)).text
    await hl.press(parent, "完成")
    await hl.press(parent, "不需要通知")
    await hl.press(parent, "提交")
    card = await hl.sim.next_message(hl.staff)
    assert "&lt;b&gt;校长&lt;/b&gt; &amp; 会计 收费" in (card.html or "")


async def test_forged_and_stale_buttons_change_nothing(hl: Hotline) -> None:
    parent = hl.complainant()
    await hl.file(parent)
    card = await hl.sim.next_message(hl.staff)
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]
    outsider = hl.sim.add_user("路人")
    query = await forge_press(hl.sim, outsider, hl.staff, f"hotline:v1:close:{pseudonym}")
    assert await answer_of(hl.sim, query) == "此按钮已失效。"  # the neutral answer
    query = await forge_press(hl.sim, hl.handler, hl.staff, "hotline:v1:close:C-ZZZZ")
    assert "已不存在" in (await answer_of(hl.sim, query) or "")
    query = await forge_press(hl.sim, hl.handler, hl.staff, "hotline:v1:drop:x")
    assert "失效" in (await answer_of(hl.sim, query) or "")
    query = await forge_press(hl.sim, hl.handler, hl.staff, f"hotline:v1:close:{pseudonym}")
    assert "请先答复" in (await answer_of(hl.sim, query) or "")
    stale = await forge_press(hl.sim, parent, hl.sim.private_chat(parent), "complain:v1:submit:-")
    assert "已失效" in (await answer_of(hl.sim, stale) or "")
    case_id = await complaint_staff.case_id_of(hl.h.db, pseudonym)
    assert case_id is not None
    view = await complaints.view(hl.h.db, case_id)
    assert view is not None and view.status == "received"
    assert len(await complaints.for_staff(hl.h.db)) == 1


async def test_rejection_reason_reaches_the_complainant(hl: Hotline) -> None:
    parent = hl.complainant()
    receipt = await hl.file(parent)
    await hl.sim.next_message(hl.staff)
    await hl.press(hl.handler, "不予受理", chat=hl.staff)
    prompt = hl.sim.bot_messages(hl.staff)[-1]
    await hl.sim.send_text(hl.handler, "不属于本次整治范围。", chat=hl.staff, reply_to=prompt)
    assert "不予受理" in (await hl.sim.next_message(hl.staff)).text
    shown = await hl.h.ask(parent, "/status", receipt)
    assert "不属于本次整治范围" in shown and "补充材料" not in str(
        hl.sim.bot_messages(parent)[-1].buttons
    )


async def test_complaints_are_never_taken_in_a_group(hl: Hotline) -> None:
    parent = hl.complainant()
    group = hl.sim.add_group("家长群", supergroup=True)
    assert "私聊" in await hl.h.ask(parent, "/complain", chat=group)
    assert await complaints.for_staff(hl.h.db) == []


async def test_errors_are_logged_without_update_content(
    hl: Hotline, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    parent = hl.complainant()
    await hl.h.ask(parent, "/complain")
    await hl.press(parent, "继续")
    await hl.sim.press_button(parent, hl.first_category_label(parent))
    await hl.sim.next_message(parent)
    await hl.sim.press_button(parent, "不知道")
    await hl.sim.next_message(parent)
    hl.sim.faults.fail_next("sendMessage", count=2)
    await hl.sim.send_text(parent, "秘密内容：某校长收受礼金。")
    await hl.sim.wait_confirmed()
    failures = [r for r in caplog.records if r.name == "handlers.errors"]
    assert failures, "the failure was logged"
    assert "秘密内容" not in caplog.text and "Xiaoqiang" not in caplog.text
    assert str(parent.id) not in caplog.text
