"""延期 end to end: the unit head of a dispatched case cannot move the bureau's deadline alone;
they ask for a later day with a reason before the deadline; the case owner approves or refuses
with buttons (a second press changes nothing); the item's card keeps the original day; the
rating and /overdue count lateness against the approved day, or against the original one when
refused. Every request and decision is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from domain.cases.outcome import Outcome
from domain.ledger.rules import LedgerStatus
from domain.stats import completion
from simulator import SimUser
from storage.ledger import items as ledger
from storage.models import AuditEvent, LedgerExtension, LedgerItem, ReminderOutbox
from storage.reminders import overdue
from storage.stats.facts import facts
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.ledger_steps import member_id
from tests.e2e.report_helpers import press_for_notice
from tests.e2e.test_desk_return import dispatched_case, open_item

TZ = ZoneInfo("Asia/Shanghai")
ASK = "⏳ 申请延期"


async def the_item(harness: Harness) -> LedgerItem:
    async with harness.db.session() as session:
        return (await session.exec(select(LedgerItem))).one()


async def ask_extension(harness: Harness, head: SimUser, day: str, reason: str) -> str:
    """From the item card: the button, the day, the reason; the bot's last answer."""
    sim = harness.sim
    await sim.press_button(head, ASK)
    prompt = (await sim.next_message(head)).text
    assert "2027年4月30日" in prompt and "审批" in prompt
    await sim.send_text(head, day)
    assert "理由" in (await sim.next_message(head)).text
    await sim.send_text(head, reason)
    return (await sim.next_message(head)).text


async def verify_on(harness: Harness, day: date, handler_member: int | None) -> None:
    item = await the_item(harness)
    assert item.id is not None
    at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    for target in (LedgerStatus.RECTIFIED, LedgerStatus.VERIFIED):
        item = await the_item(harness)
        assert item.id is not None
        done = await ledger.move_status(
            harness.db,
            item_id=item.id,
            expected_version=item.version,
            target=target,
            actor_member_id=None,
            note="已整改",
            now=at,
            today=day,
        )
        assert done.result is Outcome.OK


async def test_extension_approved_moves_the_deadline_reminders_and_rating_follow(
    harness: Harness,
) -> None:
    _teacher, handler, head, _case_id = await dispatched_case(harness)
    card = await open_item(harness, head)
    assert "2027年4月30日" in card
    buttons = str(harness.sim.bot_messages(head)[-1].buttons)
    assert "调整时限" not in buttons and ASK in buttons  # the bureau's deadline: ask, not move
    # A forged "change deadline" press is refused too.
    item = await the_item(harness)
    chat = harness.sim.state.chat(head.id)
    notice = await answer_of(
        harness.sim, await forge_press(harness.sim, head, chat, f"ledger:v1:ed:{item.id}.1")
    )
    assert notice == "此按钮已失效。"  # not the head's to press: the neutral answer
    told = await ask_extension(harness, head, "2027-05-20", "需要采购设备，供货周期较长。")
    assert "已提交" in told
    asked = await harness.sim.next_message(handler)
    assert "城关第一中学" in asked.text and "2027年5月20日" in asked.text
    assert "供货周期较长" in asked.text and asked.buttons == [["✅ 同意", "✖ 不同意"]]
    # A second request while this one waits: refused at the press.
    await harness.sim.drain(head)
    await open_item(harness, head)
    assert "等待审批" in (await press_for_notice(harness, head, ASK) or "")
    # The head cannot decide their own request (a forged press).
    async with harness.db.session() as session:
        ext = (await session.exec(select(LedgerExtension))).one()
    notice = await answer_of(
        harness.sim, await forge_press(harness.sim, head, chat, f"ext:v1:ok:{ext.id}")
    )
    assert notice == "此按钮已失效。"  # the neutral answer, as to anyone without the right
    # The owner approves; a second press changes nothing.
    await harness.sim.press_button(handler, "✅ 同意")
    edited = await harness.sim.wait_edit(handler)
    assert "延期已同意" in edited.text and "2027年5月20日" in edited.text
    assert "延期已同意" in (await harness.sim.next_message(head)).text
    again = await answer_of(
        harness.sim,
        await forge_press(
            harness.sim, handler, harness.sim.state.chat(handler.id), f"ext:v1:no:{ext.id}"
        ),
    )
    assert again is not None and "已经审批" in again
    item = await the_item(harness)
    assert item.deadline == item.due_on == date(2027, 5, 20)
    async with harness.db.session() as session:
        ext = (await session.exec(select(LedgerExtension))).one()
        events = (
            await session.exec(
                select(AuditEvent.action).where(col(AuditEvent.action).like("ledger.extension.%"))
            )
        ).all()
    assert ext.status == "approved" and ext.from_deadline == date(2027, 4, 30)
    assert sorted(events) == ["ledger.extension.approved", "ledger.extension.asked"]
    # Both notices went through the outbox (the one paced sender), once each, and were sent.
    async with harness.db.session() as session:
        notices = (
            await session.exec(
                select(ReminderOutbox.slot, ReminderOutbox.state, ReminderOutbox.recipient)
                .where(ReminderOutbox.rule == "case_notice")
                .order_by(col(ReminderOutbox.id))
            )
        ).all()
    owner, asker = await member_id(harness, handler), await member_id(harness, head)
    assert [tuple(n) for n in notices] == [
        (f"extension_asked:{ext.id}", "sent", f"member:{owner}"),
        (f"extension_decided:{ext.id}", "sent", f"member:{asker}"),
    ]
    # The card keeps the original day on record.
    await harness.sim.drain(head)
    card = await open_item(harness, head)
    assert "2027年4月30日" in card and "已同意" in card
    # /overdue on May 5: not overdue (approved until May 20).
    page = await overdue.items_page(
        harness.db, today=date(2027, 5, 5), unit_id=None, offset=0, limit=10
    )
    assert page.total == 0
    # Verified on May 10, after the original day but before the approved one: on time.
    await verify_on(harness, date(2027, 5, 10), None)
    found = await facts(harness.db, unit_id=None)
    [row] = completion(found.items, TZ, as_of=date(2027, 5, 31))
    assert (row.verified, row.on_time, row.late) == (1, 1, 0)


async def test_extension_refused_keeps_the_original_deadline_for_rating_and_overdue(
    harness: Harness,
) -> None:
    _teacher, handler, head, _case_id = await dispatched_case(harness)
    await open_item(harness, head)
    assert "已提交" in await ask_extension(harness, head, "5月20日", "人手不足。")
    await harness.sim.next_message(handler)
    await harness.sim.press_button(handler, "✖ 不同意")
    assert "延期未同意" in (await harness.sim.wait_edit(handler)).text
    assert "仍为 2027年4月30日" in (await harness.sim.next_message(head)).text
    item = await the_item(harness)
    assert item.deadline == item.due_on == date(2027, 4, 30)
    page = await overdue.items_page(
        harness.db, today=date(2027, 5, 5), unit_id=None, offset=0, limit=10
    )
    assert page.total == 1 and page.items[0].deadline == date(2027, 4, 30)
    await verify_on(harness, date(2027, 5, 10), None)
    found = await facts(harness.db, unit_id=None)
    [row] = completion(found.items, TZ, as_of=date(2027, 5, 31))
    assert (row.verified, row.on_time, row.late) == (1, 0, 1)


async def test_extension_is_asked_before_the_deadline_only(harness: Harness) -> None:
    _teacher, _handler, head, _case_id = await dispatched_case(harness)
    harness.clock.set(datetime(2027, 5, 2, 1, tzinfo=UTC))  # the deadline (Apr 30) has passed
    await open_item(harness, head)
    notice = await press_for_notice(harness, head, ASK)
    assert notice is not None and "时限届满前" in notice
    async with harness.db.session() as session:
        assert (await session.exec(select(LedgerExtension))).first() is None


async def test_a_unit_head_moving_their_own_deadline_alone_is_still_late(
    harness: Harness,
) -> None:
    """An item the unit listed itself: the head may move its deadline, but lateness counts
    against the day first set until an extension is approved."""
    _teacher, _handler, _head, _case_id = await dispatched_case(harness)
    school = (await the_item(harness)).unit_id
    now = harness.clock.now()
    own = await ledger.add_item(
        harness.db,
        unit_id=school,
        category_key=(await the_item(harness)).category_key,
        description="自查：办公用房超标。",
        measure="腾退",
        deadline=date(2027, 4, 10),
        responsible_member_id=None,
        responsible_name="张三",
        actor_member_id=None,
        now=now,
        today=now.date(),
    )
    assert own.id is not None and not own.bureau_deadline
    moved = await ledger.change_deadline(
        harness.db,
        item_id=own.id,
        expected_version=own.version,
        new_deadline=date(2027, 6, 1),
        reason="自行推迟",
        actor_member_id=None,
        now=now,
    )
    assert moved.result is Outcome.OK and moved.item is not None
    assert moved.item.deadline == date(2027, 6, 1) and moved.item.due_on == date(2027, 4, 10)
    page = await overdue.items_page(
        harness.db, today=date(2027, 4, 20), unit_id=None, offset=0, limit=10
    )
    assert [i.deadline for i in page.items] == [date(2027, 4, 10)]
