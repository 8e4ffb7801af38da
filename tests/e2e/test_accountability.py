"""Outcome and 问责 end to end: closing a case from the desk records the finding, each handling
with the persons (a member or not) and units held accountable and the day decided, in the
close's own move; the register (问责台账) exports them, the case register shows the outcome,
/stats shows 属实率 and accountability by handling and unit. Bad input asks again and loses
nothing; another handler's press on the draft finds nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlmodel import select

from domain.membership.roles import Role
from storage.desk import actions as desk
from storage.models import Accountability, Case, CaseFinding
from storage.stats.files import ACCOUNTABILITY_COLUMNS, CASE_COLUMNS
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.report_helpers import press_for_notice
from tests.e2e.test_desk_return import actor_of
from tests.e2e.test_inbox import CLOSE, file_report, open_card, people


async def test_close_records_finding_and_accountability_and_the_register_exports_them(
    harness: Harness,
) -> None:
    teacher, handler = await people(harness)
    culprit = harness.sim.add_user("王主任")
    await harness.register(culprit, Role.MEMBER, "SCH001")
    number = await file_report(harness, teacher)
    async with harness.db.session() as session:
        case_id = (await session.exec(select(Case.id).where(Case.number == number))).one()
    assert case_id is not None
    now = harness.clock.now()
    owner = await actor_of(harness, handler)
    await desk.accept(harness.db, case_id, owner, today=now.date(), now=now)
    await desk.reply(harness.db, case_id, owner, "经核实属实。", today=now.date(), now=now)
    sim = harness.sim
    await open_card(harness, handler, number)
    await sim.press_button(handler, CLOSE)
    findings = await sim.next_message(handler)
    assert "核查结论" in findings.text and ["属实"] in findings.buttons
    # Another handler replaying the press finds no draft of theirs: nothing changes.
    other = sim.add_user("另一承办人")
    await harness.register(other, Role.CASE_OFFICER, "EDU")
    await harness.ask(other, "/help")
    replay = await answer_of(
        sim,
        await forge_press(sim, other, sim.state.chat(other.id), f"close:v1:f:{case_id}.0"),
    )
    assert replay is not None and "失效" in replay
    await sim.press_button(handler, "属实")
    assert "诫勉谈话" in str((await sim.wait_edit(findings)).buttons)
    await sim.press_button(handler, "诫勉谈话")
    prompt = await sim.next_message(handler)
    assert "被问责" in prompt.text
    await sim.send_text(handler, "王主任\n李某 2027-13-01", reply_to=prompt)
    assert "第 2 行" in (await sim.next_message(handler)).text  # asked again, nothing lost
    await sim.send_text(handler, "#NOPE", reply_to=prompt)
    assert "NOPE" in (await sim.next_message(handler)).text
    await sim.send_text(handler, "王主任\n李某 2027-03-08", reply_to=prompt)
    so_far = await sim.next_message(handler)
    assert "诫勉谈话：王主任" in so_far.text and "李某" in so_far.text
    await sim.press_button(handler, "通报批评")
    prompt = await sim.next_message(handler)
    await sim.send_text(handler, "#SCH001", reply_to=prompt)
    await sim.next_message(handler)
    await sim.press_button(handler, "完成，办结")
    summary_prompt = await sim.next_message(handler)
    assert number in summary_prompt.text
    await sim.send_text(handler, "已问责，办结。", reply_to=summary_prompt)
    assert f"{number} 已办结" in (await sim.next_message(handler)).text
    async with harness.db.session() as session:
        finding = await session.get(CaseFinding, case_id)
        held = (await session.exec(select(Accountability).order_by(Accountability.id))).all()
        case = await session.get(Case, case_id)
    assert case is not None and case.status == "closed"
    assert finding is not None and finding.finding == "true"
    assert [(a.handling_key, a.person_name, a.decided_on) for a in held] == [
        ("admonition", "王主任", date(2027, 3, 10)),
        ("admonition", "李某", date(2027, 3, 8)),
        ("circular", None, date(2027, 3, 10)),
    ]
    assert held[0].person_member_id is not None and held[1].person_member_id is None
    assert held[2].unit_id is not None
    # The register, and the case register's new columns.
    await harness.ask(handler, "/export")
    await sim.press_button(handler, "问责台账 · CSV")
    sent = await sim.next_message(handler)
    assert sent.document is not None
    data = sim.state.files[str(sent.document["file_id"])].data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == [name for name, _ in ACCOUNTABILITY_COLUMNS] and len(rows) == 4
    assert rows[1][1:] == [
        number,
        "实名反映",
        "城关第一中学",
        "属实",
        "诫勉谈话",
        "王主任",
        "",
        "2027-03-10",
        "2027-03-10",
    ]
    assert rows[3][5:8] == ["通报批评", "", "城关第一中学"]
    await harness.ask(handler, "/export")
    await sim.press_button(handler, "案件登记表 · CSV")
    sent = await sim.next_message(handler)
    assert sent.document is not None
    data = sim.state.files[str(sent.document["file_id"])].data.decode("utf-8-sig")
    register = list(csv.reader(io.StringIO(data)))
    header = [name for name, _ in CASE_COLUMNS]
    row = dict(zip(header, register[1], strict=True))
    assert row["来源渠道"] == "机器人" and row["承办人"] == "人事股刘干事"
    assert row["核查结论"] == "属实" and row["按时签收"] == "按时" and row["重办次数"] == "0"
    assert row["问责情况"] == "诫勉谈话：王主任；诫勉谈话：李某；通报批评：城关第一中学"
    stats = await harness.ask(handler, "/stats")
    assert "属实率" in stats and "诫勉谈话 2" in stats and "城关第一中学 3" in stats


async def test_unit_head_and_member_get_no_accountability_register(harness: Harness) -> None:
    head = harness.sim.add_user("郑校长")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    offer = await harness.ask(head, "/export")
    assert "问责台账" not in str(harness.sim.bot_messages(head)[-1].buttons) and offer
    notice = await press_for_notice(harness, head, "整改台账 · CSV")
    assert notice is not None
    chat = harness.sim.state.chat(head.id)
    refused = await answer_of(
        harness.sim, await forge_press(harness.sim, head, chat, "export:v1:accountability:csv")
    )
    assert refused == "此按钮已失效。"  # a press without the right: the neutral answer
