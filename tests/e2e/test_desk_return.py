"""退单 end to end: the unit head returns a dispatched case from the ledger card with a reason
(limits enforced, a double press returns once), the item leaves the unit's list but is kept,
the case is back with its owner (told in private), every step audited; re-dispatch works."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from domain.cases.outcome import Outcome
from domain.cases.reports import ReportDraft
from domain.desk.rules import Actor
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY, Services
from simulator import SimUser
from storage.cases import reports
from storage.desk import actions as desk
from storage.membership import members, units
from storage.models import AuditEvent, Case, LedgerItem, LedgerReturn
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import answer_of, forge_press

RETURN = "↩ 退单"


async def actor_of(harness: Harness, user: SimUser) -> Actor:
    found = await members.by_telegram_id(harness.db, user.id)
    assert found is not None
    return Actor(Role(found.member.role), found.member.id, found.member.unit_id)


async def dispatched_case(harness: Harness) -> tuple[SimUser, SimUser, SimUser, int]:
    """A teacher's report, accepted by a bureau handler and dispatched to SCH001 (storage:
    the inbox's own tests drive those buttons)."""
    teacher, handler = harness.sim.add_user("周老师"), harness.sim.add_user("人事股刘干事")
    head = harness.sim.add_user("郑校长")
    await harness.register(teacher)
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    who = await members.by_telegram_id(harness.db, teacher.id)
    school = await units.by_code(harness.db, "SCH001")
    assert who is not None and who.member.id is not None and school is not None
    svc: Services = harness.app.bot_data[SERVICES_KEY]
    now = harness.clock.now()
    category = svc.settings.campaign.categories[0].key
    filed = await reports.submit_report(
        harness.db,
        author_member_id=who.member.id,
        draft=ReportDraft(category, school.id, "有教师经常迟到早退。", None, [], False),
        year=2027,
        today=now.date(),
        now=now,
    )
    actor = await actor_of(harness, handler)
    async with harness.db.session() as session:
        case_id = (await session.exec(select(Case.id).where(Case.number == filed.number))).one()
    assert case_id is not None
    await desk.accept(harness.db, case_id, actor, today=now.date(), now=now)
    sent = await desk.dispatch(
        harness.db, case_id, actor, date(2027, 4, 30), "一周内约谈。", today=now.date(), now=now
    )
    assert sent.outcome is Outcome.OK
    return teacher, handler, head, case_id


async def open_item(harness: Harness, head: SimUser) -> str:
    listing = await harness.ask(head, "/ledger")
    assert "有教师经常迟到早退" in listing
    await harness.sim.press_button(head, "1. 有教师经常迟到早退。")
    return (await harness.sim.wait_edit(head)).text


async def test_unit_head_returns_a_dispatched_case_and_it_can_be_dispatched_again(
    harness: Harness,
) -> None:
    _teacher, handler, head, case_id = await dispatched_case(harness)
    await open_item(harness, head)
    # A double press: two prompts, one return.
    await harness.sim.press_button(head, RETURN)
    first = await harness.sim.next_message(head)
    await harness.sim.press_button(head, RETURN)
    second = await harness.sim.next_message(head)
    assert "退单理由" in first.text and "500" in first.text
    await harness.sim.send_text(head, "x" * 501, reply_to=first)
    assert "501" in (await harness.sim.next_message(head)).text  # too long: asked again
    await harness.sim.send_text(head, "该问题不属于本校，系城关第二小学教师。", reply_to=first)
    assert "已退单" in (await harness.sim.next_message(head)).text
    told = await harness.sim.next_message(handler)
    assert "城关第一中学已将" in told.text and "系城关第二小学教师" in told.text
    await harness.sim.send_text(head, "再退一次。", reply_to=second)
    assert "已经退单" in (await harness.sim.next_message(head)).text
    # Off the unit's list, kept in the database; the case is back with its owner.
    assert "暂未列入问题" in await harness.ask(head, "/ledger")
    async with harness.db.session() as session:
        item = (await session.exec(select(LedgerItem))).one()
        case = await session.get(Case, case_id)
        returns = (await session.exec(select(LedgerReturn))).all()
        events = (
            await session.exec(
                select(AuditEvent.action).where(
                    col(AuditEvent.action).in_(["ledger.returned", "desk.returned"])
                )
            )
        ).all()
    assert item.status == "returned" and case is not None and case.status == "accepted"
    assert len(returns) == 1 and returns[0].reason.startswith("该问题不属于本校")
    assert sorted(events) == ["desk.returned", "ledger.returned"]
    # A forged return of the returned item, by the handler: refused.
    chat = harness.sim.state.chat(handler.id)
    await harness.sim.send_command(handler, "/inbox")
    await harness.sim.next_message(handler)
    refused = await answer_of(
        harness.sim, await forge_press(harness.sim, handler, chat, f"desk:v1:rt:{item.id}.2")
    )
    assert refused == "此按钮已失效。"  # only the unit's head returns: the neutral answer
    # The owner dispatches it again: a new item on the list.
    now = harness.clock.now()
    again = await desk.dispatch(
        harness.db,
        case_id,
        await actor_of(harness, handler),
        date(2027, 5, 10),
        "请城关第二小学整改。",
        today=now.date(),
        now=now,
    )
    assert again.outcome is Outcome.OK
    listing = await harness.ask(head, "/ledger")
    assert "共 1 项" in listing and "2. 【" in listing and "1. 【" not in listing
    panel_case = await desk.desk_case(harness.db, case_id)
    assert panel_case is not None and panel_case.facts.status == "in_progress"


async def test_return_refused_once_rectification_started(harness: Harness) -> None:
    _teacher, _handler, head, _case_id = await dispatched_case(harness)
    card = await open_item(harness, head)
    assert "退单" in str(harness.sim.bot_messages(head)[-1].buttons) and card
    await harness.sim.press_button(head, "开始整改")
    edited = await harness.sim.wait_edit(head)
    assert RETURN not in str(edited.buttons)  # started: no return any more
    async with harness.db.session() as session:
        item = (await session.exec(select(LedgerItem))).one()
    chat = harness.sim.state.chat(head.id)
    refused = await answer_of(
        harness.sim,
        await forge_press(harness.sim, head, chat, f"desk:v1:rt:{item.id}.{item.version}"),
    )
    assert refused is not None and "已开始整改" in refused
