"""The staff chat's case cards end to end: a named report's card is posted by the card job
(without the reporter's name), accepted from the staff chat, opened in private, and edited in
place on every desk action — also after Telegram refused the post or the edit for a while.
A complaint is accepted, answered and closed from /inbox: the hotline's card is edited, the
complainant reads the answer with the receipt, and nothing names them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.jobs import desk as desk_jobs
from domain.membership.roles import Role
from tests.e2e.hotline_support import Hotline, hotline_bot
from tests.e2e.test_inbox import ACCEPT, CLOSE, REPLY, file_report, open_card

PRIVATE = "在私聊中打开"


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def test_report_card_posted_accepted_and_edited_in_place(hl: Hotline) -> None:
    h, sim, staff = hl.h, hl.sim, hl.staff
    teacher = sim.add_user("周老师")
    await h.register(teacher, Role.MEMBER, "SCH002")
    handler = sim.add_user("督导室王干事")
    await h.register(handler, Role.CASE_OFFICER, "EDU")
    sim.faults.fail_next("sendMessage", status=502)  # Telegram has a bad moment
    number = await file_report(h, teacher, "SCH002")
    assert await desk_jobs.sweep_once(h.app) == 1
    assert sim.bot_messages(staff) == []  # not posted, and not lost:
    assert await desk_jobs.sweep_once(h.app) == 0  # not due yet
    h.clock.advance(timedelta(minutes=1))
    assert await desk_jobs.sweep_once(h.app) == 1
    card = await sim.next_message(staff)
    assert number in card.text and "尚无人受理" in card.text and "周老师" not in card.text
    assert card.buttons == [[ACCEPT], [PRIVATE]]

    await sim.press_button(handler, PRIVATE, chat=staff)
    private = await sim.next_message(handler)
    assert "周老师" in private.text and private.buttons[0] == [ACCEPT]  # names only in private

    await sim.press_button(handler, ACCEPT, chat=staff)
    edited = await sim.wait_edit(card)
    assert "承办人：督导室王干事" in edited.text and edited.buttons == [[PRIVATE]]
    assert number in (await sim.next_message(teacher)).text  # 已受理

    await open_card(h, handler, number)
    sim.faults.fail_next("editMessageText", status=500)  # the staff card's edit is refused
    await sim.press_button(handler, REPLY)
    prompt = await sim.next_message(handler)
    await sim.send_text(handler, "已约谈。", reply_to=prompt)
    assert "已保存并发送给反映人" in (await sim.next_message(handler)).text
    await sim.next_message(teacher)
    await sim.wait_edit(handler)  # the private card
    assert "已受理" in card.text  # still the old state in the staff chat: the edit is owed
    h.clock.advance(timedelta(minutes=1))
    assert await desk_jobs.sweep_once(h.app) == 1
    assert "已答复" in (await sim.wait_edit(card)).text
    assert len(sim.bot_messages(staff)) == 1  # edited, never re-posted
    assert await desk_jobs.sweep_once(h.app) == 0


async def test_complaint_accepted_answered_and_closed_from_the_inbox(hl: Hotline) -> None:
    h, sim, staff = hl.h, hl.sim, hl.staff
    handler = sim.add_user("督导室王干事")
    await h.register(handler, Role.CASE_OFFICER, "EDU")
    parent = hl.complainant()
    receipt = await hl.file(parent, push=True)
    card = await sim.next_message(staff)
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]
    assert "尚无人受理" in card.text
    assert await desk_jobs.sweep_once(h.app) == 0  # the hotline posted it: no second card

    text = await open_card(h, hl.handler, pseudonym)  # a case officer of the school concerned
    assert pseudonym in text and ACCEPT not in str(sim.bot_messages(hl.handler)[-1].buttons)
    await open_card(h, handler, pseudonym)
    await sim.press_button(handler, ACCEPT)
    assert "承办人：督导室王干事" in (await sim.wait_edit(card)).text
    assert "答复投诉人" in str((await sim.wait_edit(handler)).buttons)

    await sim.press_button(handler, "答复投诉人")
    prompt = await sim.next_message(handler)
    assert "/status" in prompt.text
    await sim.send_text(handler, "已责成学校退费。", reply_to=prompt)
    assert "投诉人可通过 /status 查看" in (await sim.next_message(handler)).text
    notice = await sim.next_message(parent)  # the opted-in notice, without content
    assert "已责成" not in notice.text and "/status" in notice.text
    assert "已答复" in (await sim.wait_edit(card)).text
    shown = await h.ask(parent, "/status", receipt)
    assert "已责成学校退费。" in shown

    await sim.wait_edit(handler)
    await sim.press_button(handler, CLOSE)
    findings = await sim.next_message(handler)
    assert "核查结论" in findings.text
    await sim.press_button(handler, "属实")
    await sim.wait_edit(findings)
    await sim.press_button(handler, "完成，办结")  # substantiated, nobody held accountable
    prompt = await sim.next_message(handler)
    await sim.send_text(handler, "已退费到位。", reply_to=prompt)
    assert f"{pseudonym} 已办结" in (await sim.next_message(handler)).text
    closed = await sim.wait_edit(card)
    assert "已办结" in closed.text and closed.buttons == []
    for message in sim.messages(staff):  # nothing in the staff chat names the complainant
        assert "Xiaoqiang" not in str(message.raw) and "parent_whistle" not in str(message.raw)
