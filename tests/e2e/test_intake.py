"""Cases from other channels (issue 14): a case officer registers with /intake what came in by
the phone line, the mailbox, a letter, a visit, a 12345 transfer or an audit. An anonymous
phone call becomes a complaint whose receipt the officer reads out and the caller follows with
/status; a named visit becomes a case on the desk that goes round the loop, its person's
contact details shown to staff in private only; answer-and-close records the finding."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from domain.cases.outcome import Outcome
from domain.membership.roles import Role
from simulator import SimUser
from storage.cases import complaint_staff
from storage.desk import actions as desk
from storage.models import AuditEvent, Case, CaseFinding, CaseIntake, Evidence
from storage.stats.files import CASE_COLUMNS
from tests.e2e.hotline_support import RECEIPT_RE, Hotline, answer_of, forge_press, hotline_bot
from tests.e2e.test_case_loop import actor_of, ask, case_of, dispatched_report, rectify, seen


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def bureau_officer(hl: Hotline) -> SimUser:
    """A case officer of the bureau (the hotline's handler is a school's: a conflict)."""
    officer = hl.sim.add_user("人事股王干事")
    await hl.h.register(officer, Role.CASE_OFFICER, "EDU")
    return officer


async def to_who(hl: Hotline, officer: SimUser, channel: str, day: str | None = None) -> None:
    """/intake up to "named or anonymous?" (the day typed, or Today pressed)."""
    assert "哪个渠道" in await ask(hl.h, officer, "/intake")
    assert "哪一天" in await hl.press(officer, channel)
    if day is None:
        assert "姓名和联系方式" in await hl.press(officer, "今天")
    else:
        assert "姓名和联系方式" in await hl.say(officer, day)


async def from_unit(hl: Hotline, officer: SimUser, text: str, *, photo: bool = False) -> str:
    """Unit → category → text → (photo) → Done: the summary."""
    sim = hl.sim
    assert "相符的单位" in await hl.say(officer, "一中")
    assert "类别" in await hl.press(officer, "城关第一中学 (SCH001)")
    category = sim.bot_messages(officer)[-1].buttons[0][0]
    assert "什么问题" in await hl.press(officer, category)
    assert "照片" in await hl.say(officer, text)
    if photo:
        await sim.send_photo(officer, b"letter-scan")
        assert "已添加 1 张照片" in (await sim.next_message(officer)).text
    return await hl.press(officer, "完成")


async def test_an_anonymous_phone_call_gets_a_receipt_the_caller_follows_with_status(
    hl: Hotline,
) -> None:
    h, sim, officer = hl.h, hl.sim, await bureau_officer(hl)
    assert "哪个渠道" in await ask(h, officer, "/intake")
    await hl.press(officer, "举报专线")
    # Bad dates: a clear message and the step again.
    assert "还没到" in await hl.say(officer, "2099-01-01")
    assert "无法识别" in await hl.say(officer, "上周")
    assert "没有这一天" in await hl.say(officer, "2027-02-30")
    assert "匿名" in await hl.say(officer, "3月9日")
    assert "哪个单位" in await hl.press(officer, "匿名")
    summary = await from_unit(hl, officer, "来电反映城关第一中学违规收取补课费。", photo=True)
    assert "受理渠道：举报专线" in summary and "收到日期：2027年3月9日" in summary
    assert "匿名" in summary and "1 张照片" in summary
    # An empty text is refused before that step ends (the summary came after a good one).
    registered = await hl.press(officer, "登记案件")
    found = RECEIPT_RE.search(registered)
    assert found is not None and "只显示这一次" in registered, registered
    receipt = found.group(0)
    pseudonym = registered.split("匿名案件 ")[1].split()[0]

    # The staff chat's card shows the channel, like any complaint's card otherwise.
    card = await seen(h, hl.staff, pseudonym)
    assert "受理渠道：举报专线" in card and "违规收取补课费" in card

    # Stored as a complaint, opened on the day received; its intake row names the channel and
    # the officer, nothing of the caller; no audit row places the call in time.
    case_id = await complaint_staff.case_id_of(h.db, pseudonym)
    assert case_id is not None
    case = await case_of(h, case_id)
    assert case.kind == "complaint" and case.status == "received"
    assert case.opened_on == date(2027, 3, 9) and case.opened_at is None
    async with h.db.session() as session:
        intake = await session.get(CaseIntake, case_id)
        files = (await session.exec(select(Evidence).where(Evidence.case_id == case_id))).all()
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.subject_id == pseudonym))
        ).all()
    assert intake is not None and intake.channel == "phone"
    assert intake.contact_name is None and intake.contact_details is None
    assert intake.received_on == date(2027, 3, 9)
    assert len(files) == 1 and events == []

    # The caller, later, in their own chat: /status with the receipt read out to them.
    caller = sim.add_user("来电人")
    shown = await ask(h, caller, "/status", receipt)
    assert "违规收取补课费" in shown and "已收到" in shown

    # Accepted and answered by staff: the caller reads the answer the same way.
    owner, now = await actor_of(h, officer), h.clock.now()
    assert (await desk.accept(h.db, case_id, owner, today=now.date(), now=now)).outcome is (
        Outcome.OK
    )
    done = await desk.reply(h.db, case_id, owner, "已责令退还补课费。", today=now.date(), now=now)
    assert done.outcome is Outcome.OK
    await sim.drain(caller)
    await sim.press_button(caller, "完成")
    await sim.next_message(caller)
    assert "已责令退还补课费" in await ask(h, caller, "/status", receipt)


async def test_a_named_visit_goes_round_the_loop_and_its_answer_records_the_finding(
    hl: Hotline,
) -> None:
    h, sim, officer = hl.h, hl.sim, await bureau_officer(hl)
    await to_who(hl, officer, "来访", "3月8日")
    assert "姓名" in await hl.press(officer, "实名（留有联系方式）")
    assert "如何联系" in await hl.say(officer, "王大妈")
    assert "哪个单位" in await hl.say(officer, "13800001111")
    summary = await from_unit(hl, officer, "食堂账目不公开。")
    assert "反映人：王大妈，联系方式：13800001111" in summary and "受理渠道：来访" in summary
    registered = await hl.press(officer, "登记案件")
    assert "案件 R-2027-0001 已登记" in registered, registered

    # The staff chat's card: the channel, never the person.
    card = await seen(h, hl.staff, "R-2027-0001")
    assert "受理渠道：来访" in card and "收到日期" not in card
    assert "王大妈" not in card and "13800001111" not in card
    async with h.db.session() as session:
        case_id = (await session.exec(select(Case.id).where(Case.number == "R-2027-0001"))).one()
        intake = await session.get(CaseIntake, case_id)
    assert case_id is not None and intake is not None
    assert intake.contact_name == "王大妈" and intake.channel == "visit"
    assert (await case_of(h, case_id)).opened_on == date(2027, 3, 8)

    # Accepted from the staff chat's card; the private card names the person.
    await sim.press_button(officer, "受理（由我负责）", chat=hl.staff)
    await sim.wait_edit(hl.staff)
    chat = sim.state.chat(officer.id)
    await forge_press(sim, officer, chat, f"inbox:v1:open:{case_id}")
    private = (await sim.next_message(officer)).text
    assert "王大妈" in private and "13800001111" in private and "受理渠道：来访" in private

    # Dispatched, rectified, verified: the loop as for a chat case.
    head = sim.add_user("郑校长")
    await h.register(head, Role.UNIT_HEAD, "SCH001")
    owner, now = await actor_of(h, officer), h.clock.now()
    sent = await desk.dispatch(
        h.db, case_id, owner, date(2027, 4, 30), "公开食堂账目。", today=now.date(), now=now
    )
    assert sent.outcome is Outcome.OK
    await rectify(h, head, "账目已在公示栏公开。")
    await seen(h, officer, "等待您核验")
    await ask(h, officer, "/inbox", "verify")
    await sim.press_button(officer, "城关第一中学 1. 食堂账目不公开。 · R-2027-0001")
    await sim.wait_edit(officer)
    await sim.press_button(officer, "✅ 验收销号")
    await seen(h, officer, "请答复当事人并办结")

    # 答复办结: the finding first (as Close asks), then the prepared answer.
    count = len(sim.bot_messages(officer))
    await sim.press_button(officer, "答复并办结")
    assert "核查结论" in await seen(h, officer, "核查结论", after=count)
    findings = sim.bot_messages(officer)[-1]
    await sim.press_button(officer, "属实")
    await sim.wait_edit(findings)
    await sim.press_button(officer, "完成，办结")
    await seen(h, officer, "拟答复", after=count)
    await sim.press_button(officer, "按此答复并办结")
    assert "已答复并办结" in await seen(h, officer, "已答复并办结", after=count)
    case = await case_of(h, case_id)
    assert case.status == "closed"
    async with h.db.session() as session:
        finding = await session.get(CaseFinding, case_id)
    assert finding is not None and finding.finding == "true"

    # The case register shows where it came from, who owned it and what it found.
    await ask(h, officer, "/export")
    await sim.press_button(officer, "案件登记表 · CSV")
    sent = await sim.next_message(officer)
    assert sent.document is not None
    data = sim.state.files[str(sent.document["file_id"])].data.decode("utf-8-sig")
    register = list(csv.reader(io.StringIO(data)))
    row = dict(zip([name for name, _ in CASE_COLUMNS], register[1], strict=True))
    assert row["编号"] == "R-2027-0001" and row["来源渠道"] == "来访"
    assert row["承办人"] == "人事股王干事" and row["核查结论"] == "属实"
    assert row["重办次数"] == "0" and "王大妈" not in data and "13800001111" not in data


async def test_answer_and_close_without_a_finding_records_nothing(hl: Hotline) -> None:
    """The prepared answer's button pressed without the finding step (an old message): refused,
    the case stays verified."""
    h, sim = hl.h, hl.sim
    _teacher, handler, head, case_id = await dispatched_report(h)
    await rectify(h, head, "账目已公开。")
    await ask(h, handler, "/inbox", "verify")
    await sim.press_button(handler, "城关第一中学 1. 食堂账目不公开。 · R-2027-0001")
    await sim.wait_edit(handler)
    await sim.press_button(handler, "✅ 验收销号")
    await seen(h, handler, "请答复当事人并办结")
    chat = sim.state.chat(handler.id)
    answer = await answer_of(sim, await forge_press(sim, handler, chat, f"inbox:v1:asis:{case_id}"))
    assert answer is not None and "核查结论" in answer, answer
    assert (await case_of(h, case_id)).status == "verified"


async def test_intake_is_for_case_officers_and_admins_only(hl: Hotline) -> None:
    h, sim = hl.h, hl.sim
    head = sim.add_user("郑校长")
    await h.register(head, Role.UNIT_HEAD, "SCH001")
    assert "只有案件承办人和管理员可以登记案件" in await ask(h, head, "/intake")
    stranger = sim.add_user("路人")
    assert "登记" in await ask(h, stranger, "/intake")
    async with h.db.session() as session:
        assert (await session.exec(select(CaseIntake))).all() == []
