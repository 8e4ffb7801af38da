"""The loop of a case end to end (issue 14, the 12345 bar 受理 → 派单 → 办理 → 审核 → 答复 →
回访 → (重办) → 办结): the unit marks its dispatched item rectified → the owner is told (the
unit's account, the files) → the item is in the verification queue → verified (销号) or sent
back with a reason (the unit told) → the owner answers with the prepared answer and closes →
the reporter gets it and rates; dissatisfied → 重办 with its own clock → satisfied; a second
dissatisfaction goes to the staff chat. A complaint's loop is read with /status and pushed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.reminders import engine_of
from domain.cases.outcome import Outcome
from domain.cases.reports import ReportDraft
from domain.desk.rules import Actor
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from simulator import SimChat, SimUser
from storage.cases import complaint_staff, reports
from storage.desk import actions as desk
from storage.membership import members, units
from storage.models import AuditEvent, Case, ComplaintRating, LedgerItem
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import Hotline, answer_of, forge_press, hotline_bot


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def seen(h: Harness, chat: SimUser | SimChat, text: str, *, after: int = 0) -> str:
    """The first bot message in `chat` (from the `after`-th on) that contains `text`; notices
    come through the outbox's paced sender, so the sweep is run if they are not there yet."""

    def found() -> str | None:
        return next((m.text for m in h.sim.bot_messages(chat)[after:] if text in m.text), None)

    if not await h.sim.state.signal.wait_for(lambda: found() is not None, 2.0):
        await engine_of(h.app).sweep_once()
        await h.sim.state.signal.wait_for(lambda: found() is not None, 5.0)
    got = found()
    assert got is not None, [m.text for m in h.sim.bot_messages(chat)[after:]]
    return got


async def ask(h: Harness, user: SimUser, command: str, args: str = "") -> str:
    """A command's answer, after everything shown so far (notices included) was read."""
    await h.sim.drain(user)
    return await h.ask(user, command, args)


async def record_finding(h: Harness, user: SimUser, finding: str, *, after: int) -> None:
    """答复办结 asks what the case was found to be first (as Close does): one after which
    nobody is held accountable, so the answer is asked next."""
    await seen(h, user, "核查结论", after=after)
    await h.sim.press_button(user, finding)


async def actor_of(h: Harness, user: SimUser) -> Actor:
    found = await members.by_telegram_id(h.db, user.id)
    assert found is not None
    return Actor(Role(found.member.role), found.member.id, found.member.unit_id)


async def case_of(h: Harness, case_id: int) -> Case:
    async with h.db.session() as session:
        case = await session.get(Case, case_id)
    assert case is not None
    return case


async def dispatched_report(h: Harness) -> tuple[SimUser, SimUser, SimUser, int]:
    """A teacher's report about SCH001, accepted by a bureau handler and dispatched (the inbox's
    own tests drive those buttons)."""
    teacher, handler = h.sim.add_user("周老师"), h.sim.add_user("人事股刘干事")
    head = h.sim.add_user("郑校长")
    await h.register(teacher)
    await h.register(handler, Role.CASE_OFFICER, "EDU")
    await h.register(head, Role.UNIT_HEAD, "SCH001")
    who = await members.by_telegram_id(h.db, teacher.id)
    school = await units.by_code(h.db, "SCH001")
    assert who is not None and who.member.id is not None and school is not None
    svc: Services = h.app.bot_data[SERVICES_KEY]
    now = h.clock.now()
    filed = await reports.submit_report(
        h.db,
        author_member_id=who.member.id,
        draft=ReportDraft(
            svc.settings.campaign.categories[0].key, school.id, "食堂账目不公开。", None, [], False
        ),
        year=2027,
        today=now.date(),
        now=now,
    )
    async with h.db.session() as session:
        case_id = (await session.exec(select(Case.id).where(Case.number == filed.number))).one()
    assert case_id is not None
    owner = await actor_of(h, handler)
    await desk.accept(h.db, case_id, owner, today=now.date(), now=now)
    sent = await desk.dispatch(
        h.db, case_id, owner, date(2027, 4, 30), "公开食堂账目。", today=now.date(), now=now
    )
    assert sent.outcome is Outcome.OK
    return teacher, handler, head, case_id


async def rectify(h: Harness, head: SimUser, note: str, *, photo: bool = False) -> None:
    """The unit head marks the dispatched item rectified from its ledger card."""
    sim = h.sim
    await ask(h, head, "/ledger")
    await sim.press_button(head, "1. 食堂账目不公开。")
    await sim.wait_edit(head)
    await sim.drain(head)
    await sim.press_button(head, "标记已整改")
    await sim.next_message(head)
    await sim.send_text(head, note)
    await sim.next_message(head)  # files?
    if photo:
        await sim.send_photo(head, b"photo-bytes", caption="公示栏")
        await sim.next_message(head)
    await sim.press_button(head, "完成")
    await sim.next_message(head)  # the card as it now stands


async def test_a_reports_full_loop_with_a_send_back(hl: Hotline) -> None:
    h, sim = hl.h, hl.sim
    teacher, handler, head, case_id = await dispatched_report(h)

    # 办理: the unit's account and a photo; the owner is told, the case follows its item.
    await rectify(h, head, "账目已在公示栏公开。", photo=True)
    told = await seen(h, handler, "等待您核验")
    assert "城关第一中学已将第 1 项标记为已整改" in told and "账目已在公示栏公开" in told
    assert "1 个文件" in told
    assert (await case_of(h, case_id)).status == "rectified"
    card = await ask(h, teacher, "/mine")
    assert "已整改待核验" in card

    # 审核: the queue lists it; sent back with a reason, the unit hears it and goes on.
    queue = await ask(h, handler, "/inbox", "verify")
    assert "待核验" in queue and "共 1 项" in queue
    await sim.press_button(handler, "城关第一中学 1. 食堂账目不公开。 · R-2027-0001")
    await sim.wait_edit(handler)
    await sim.drain(handler)
    await sim.press_button(handler, "退回整改")
    await sim.next_message(handler)
    await sim.send_text(handler, "缺少家长委员会签字。")
    await sim.next_message(handler)
    back = await seen(h, head, "被退回")
    assert "缺少家长委员会签字" in back
    case = await case_of(h, case_id)
    assert case.status == "in_progress"
    async with h.db.session() as session:
        item = (await session.exec(select(LedgerItem))).one()
    assert item.status == "in_progress"  # the item's clock resumes

    # Again rectified; this time verified, by the owner: asked at once to answer.
    await rectify(h, head, "已补家长委员会签字并公示。")
    await seen(h, handler, "整改说明：已补家长委员会签字并公示")
    queue = await ask(h, handler, "/inbox", "verify")
    await sim.press_button(handler, "城关第一中学 1. 食堂账目不公开。 · R-2027-0001")
    await sim.wait_edit(handler)
    await sim.press_button(handler, "✅ 验收销号")
    invited = await seen(h, handler, "请答复当事人并办结")
    assert "R-2027-0001" in invited
    assert (await case_of(h, case_id)).status == "verified"
    assert "暂无待核验" in await ask(h, handler, "/inbox", "verify")

    # 答复 + 办结: the prepared answer sent as it is.
    count = len(sim.bot_messages(handler))
    await sim.press_button(handler, "答复并办结")
    await record_finding(h, handler, "不属实", after=count)
    prepared = await seen(h, handler, "拟答复", after=count)
    assert "已补家长委员会签字并公示" in prepared and "城关第一中学" in prepared
    await sim.press_button(handler, "按此答复并办结")
    assert "已答复并办结" in await seen(h, handler, "已答复并办结", after=count)
    case = await case_of(h, case_id)
    assert case.status == "closed" and case.closed_on is not None and case.answered_on

    # The reporter is told in chat and rates it; a second press rates nothing twice.
    answer = await seen(h, teacher, "对您的问题反映 R-2027-0001 的答复")
    assert "已补家长委员会签字并公示" in answer and "是否满意" in answer
    await sim.press_button(teacher, "满意")
    assert "您的评价：满意" in await seen(h, teacher, "您的评价")
    chat = sim.state.chat(teacher.id)
    again = await answer_of(sim, await forge_press(sim, teacher, chat, f"rate:v1:d:{case_id}"))
    assert again is not None and "已评价过" in again
    async with h.db.session() as session:
        rating = await session.get(ComplaintRating, case_id)
        events = (
            await session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "case")
                .where(AuditEvent.subject_id == str(case_id))
                .order_by(col(AuditEvent.id))
            )
        ).all()
    assert rating is not None and rating.rating == "satisfied"
    loop = [e for e in events if e.startswith("case.") or e == "desk.answer"]
    assert loop == [
        "case.rectify",
        "case.send_back",
        "case.rectify",
        "case.verify",
        "desk.answer",
    ]


async def test_dissatisfied_report_is_rehandled_then_escalated(hl: Hotline) -> None:
    h, sim = hl.h, hl.sim
    teacher, handler, head, case_id = await dispatched_report(h)
    await rectify(h, head, "账目已公开。")
    owner = await actor_of(h, handler)
    now = h.clock.now()
    async with h.db.session() as session:
        item = (await session.exec(select(LedgerItem))).one()
    assert item.id is not None
    await ask(h, handler, "/ledger", "SCH001")
    await sim.press_button(handler, "1. 食堂账目不公开。")
    await sim.wait_edit(handler)
    await sim.press_button(handler, "✅ 验收销号")
    await seen(h, handler, "请答复当事人并办结")
    done = await desk.answer(h.db, case_id, owner, "已公开账目。", today=now.date(), now=now)
    assert done.outcome is Outcome.OK

    # Dissatisfied, with the reason: 重办 — the case is back with its owner, who is told.
    await seen(h, teacher, "是否满意")
    await sim.press_button(teacher, "不满意")
    await seen(h, teacher, "为什么不满意")
    prompt = sim.bot_messages(teacher)[-1]
    await sim.send_text(teacher, "只公开了一个月的账。", reply_to=prompt)
    assert "已退回重办" in await seen(h, teacher, "已退回重办")
    reopened = await seen(h, handler, "已退回重办")
    assert "只公开了一个月的账" in reopened and "R-2027-0001" in reopened
    case = await case_of(h, case_id)
    assert case.status == "accepted" and case.rehandled == 1 and case.reopened_on == now.date()
    assert case.owner_member_id == owner.member_id
    async with h.db.session() as session:
        assert await session.get(ComplaintRating, case_id) is None  # that round is not rated

    # Re-handled: answered again; satisfied is not the point here — dissatisfied again goes up.
    again = await desk.reply(h.db, case_id, owner, "已公开全年账目。", today=now.date(), now=now)
    assert again.outcome is Outcome.OK
    closed = await desk.close(h.db, case_id, owner, "重办办结", today=now.date(), now=now)
    assert closed.outcome is Outcome.OK
    count = len(sim.bot_messages(teacher))
    await sim.drain(teacher)
    chat = sim.state.chat(teacher.id)
    await forge_press(sim, teacher, chat, f"rate:v1:d:{case_id}")  # the button of the notice
    await seen(h, teacher, "为什么不满意", after=count)
    prompt = sim.bot_messages(teacher)[-1]
    await sim.send_text(teacher, "还是不公开。", reply_to=prompt)
    assert "上级督办" in await seen(h, teacher, "上级督办")
    escalated = await seen(h, hl.staff, "重办后当事人仍不满意")
    assert "R-2027-0001" in escalated and "还是不公开" in escalated
    case = await case_of(h, case_id)
    assert case.status == "closed" and case.rehandled == 1
    async with h.db.session() as session:
        rating = await session.get(ComplaintRating, case_id)
    assert rating is not None and rating.rating == "dissatisfied"

    # Statistics show the re-handled case.
    shown = await ask(h, handler, "/stats")
    assert "重办 1 件" in shown


async def test_a_complaints_loop_with_status_push_and_rehandling(hl: Hotline) -> None:
    h, sim = hl.h, hl.sim
    parent = hl.complainant()
    receipt = await hl.file(parent, push=True)
    card = await sim.next_message(hl.staff)
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]
    case_id = await complaint_staff.case_id_of(h.db, pseudonym)
    assert case_id is not None
    bureau, head = sim.add_user("人事股王干事"), sim.add_user("郑校长")
    await h.register(bureau, Role.CASE_OFFICER, "EDU")
    await h.register(head, Role.UNIT_HEAD, "SCH001")
    await sim.press_button(bureau, "受理（由我负责）", chat=hl.staff)
    await sim.wait_edit(card)
    owner, now = await actor_of(h, bureau), h.clock.now()
    sent = await desk.dispatch(
        h.db, case_id, owner, date(2027, 4, 30), "退还多收费用。", today=now.date(), now=now
    )
    assert sent.outcome is Outcome.OK

    await ask(h, head, "/ledger")
    await sim.press_button(head, "1. 城关第一中学食堂今年多次收取学生额…")
    await sim.wait_edit(head)
    await sim.drain(head)
    await sim.press_button(head, "标记已整改")
    await sim.next_message(head)
    await sim.send_text(head, "多收费用已退还并公示。")
    await sim.next_message(head)
    await sim.press_button(head, "完成")
    await seen(h, bureau, "等待您核验")
    shown = await ask(h, parent, "/status", receipt)
    assert "已整改待核验" in shown
    await sim.press_button(parent, "完成")
    await sim.next_message(parent)

    await ask(h, bureau, "/inbox", "verify")
    await sim.press_button(
        bureau,
        f"城关第一中学 1. 城关第一中学食堂今年多次收取学生额外伙食费，没有收据。 · {pseudonym}",
    )
    await sim.wait_edit(bureau)
    await sim.press_button(bureau, "✅ 验收销号")
    await seen(h, bureau, "请答复当事人并办结")
    count = len(sim.bot_messages(parent))
    mine = len(sim.bot_messages(bureau))
    await sim.press_button(bureau, "答复并办结")
    await record_finding(h, bureau, "无法核实", after=mine)
    prompt = await seen(h, bureau, "或回复本条消息")
    asked = next(m for m in sim.bot_messages(bureau) if m.text == prompt)
    await sim.send_text(bureau, "经核实，多收费用已全部退还。", reply_to=asked)
    assert "投诉人可用 /status 查看答复" in await seen(h, bureau, "已答复并办结")
    assert "有新进展" in await seen(h, parent, "有新进展", after=count)  # the push, no content
    assert "多收费用" not in sim.bot_messages(parent)[-1].text

    # Read with /status; dissatisfied with a reason: 重办 (the owner told), no audit row.
    shown = await ask(h, parent, "/status", receipt)
    assert "经核实，多收费用已全部退还" in shown
    await sim.press_button(parent, "评价办理结果")
    await sim.next_message(parent)
    await sim.press_button(parent, "不满意")
    await sim.wait_edit(sim.private_chat(parent))
    assert "说明不满意的原因" in (await sim.next_message(parent)).text
    assert "退回重办" in await hl.say(parent, "只退了一部分。")
    told = await seen(h, bureau, "已退回重办")
    assert "只退了一部分" in told
    case = await case_of(h, case_id)
    assert case.status == "accepted" and case.rehandled == 1
    async with h.db.session() as session:
        actions = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.subject_id == pseudonym))
        ).all()
    assert "case.rehandle" not in actions  # the complainant's own act leaves no audit row

    # Answered again and closed; satisfied this time.
    again = await desk.reply(h.db, case_id, owner, "剩余部分已退还。", today=now.date(), now=now)
    assert again.outcome is Outcome.OK
    closed = await desk.close(h.db, case_id, owner, "重办办结", today=now.date(), now=now)
    assert closed.outcome is Outcome.OK
    shown = await ask(h, parent, "/status", receipt)
    await sim.press_button(parent, "评价办理结果")
    await sim.next_message(parent)
    await sim.press_button(parent, "满意")
    await sim.wait_edit(sim.private_chat(parent))
    await sim.next_message(parent)
    await sim.press_button(parent, "不写意见")
    assert "已保存" in (await sim.next_message(parent)).text
    async with h.db.session() as session:
        rating = await session.get(ComplaintRating, case_id)
    assert rating is not None and rating.rating == "satisfied"
