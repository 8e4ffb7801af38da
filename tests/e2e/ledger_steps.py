"""What a unit head does in the ledger, step by step, for the ledger's end-to-end tests."""

from __future__ import annotations

import copy
import secrets
from datetime import date

from domain.ledger.rules import LedgerStatus
from domain.membership.roles import Role
from simulator import SimUser
from simulator.models import SimMessage
from storage.ledger import queries as ledger_queries
from storage.membership import members, units
from storage.models import LedgerItem
from tests.e2e.conftest import Harness


async def people(harness: Harness, unit: str = "SCH001") -> tuple[SimUser, SimUser, SimUser]:
    """A unit head and a teacher of `unit`, and a case officer of the bureau."""
    head = harness.sim.add_user(f"校长{unit}")
    teacher = harness.sim.add_user(f"老师{unit}")
    handler = harness.sim.add_user(f"承办人{unit}")
    await harness.register(head, Role.UNIT_HEAD, unit)
    await harness.register(teacher, Role.MEMBER, unit)
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    return head, teacher, handler


async def reply(harness: Harness, user: SimUser, text: str) -> SimMessage:
    await harness.sim.send_text(user, text)
    return await harness.sim.next_message(user)


async def press(harness: Harness, user: SimUser, label: str) -> None:
    """Press a button after everything shown so far was read (so waits see only what follows)."""
    await harness.sim.drain(user)
    await harness.sim.press_button(user, label)


async def add_by_chat(
    harness: Harness,
    head: SimUser,
    description: str,
    *,
    deadline: str = "5/1",
    responsible: str | None = None,
) -> SimMessage:
    """Add one problem through the conversation; returns the item card."""
    sim = harness.sim
    await sim.send_command(head, "/ledger")
    await sim.next_message(head)
    await press(harness, head, "➕ 新增问题")
    categories = await sim.next_message(head)
    await press(harness, head, categories.buttons[0][0])
    assert "描述" in (await sim.next_message(head)).text
    assert "整改措施" in (await reply(harness, head, description)).text
    assert "整改时限" in (await reply(harness, head, "约谈提醒，建立台账")).text
    who = await reply(harness, head, deadline)
    assert who.text == "责任人是谁？", who.text
    if responsible is None:
        await press(harness, head, "未使用 Telegram 的人员")
        await sim.wait_edit(head)
        evidence = await reply(harness, head, "王主任")
    else:
        await press(harness, head, responsible)
        evidence = await sim.next_message(head)
    assert "佐证材料" in evidence.text
    await press(harness, head, "完成")
    await sim.wait_edit(head)
    return await sim.next_message(head)


async def seed_items(harness: Harness, unit_code: str, n: int, text: str = "问题") -> list[int]:
    """`n` items written straight into the database in one transaction (for paging)."""
    unit = await units.by_code(harness.db, unit_code)
    assert unit is not None and unit.id is not None
    now = harness.clock.now()
    rows = [
        LedgerItem(
            unit_id=unit.id,
            seq=i + 1,
            category_key="slow",
            description=f"{text}{i + 1}",
            measure="措施",
            deadline=date(2027, 5, 1),
            responsible_name="王主任",
            status=LedgerStatus.OPEN.value,
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    ]
    async with harness.db.session() as session:
        session.add_all(rows)
        await session.commit()
    return [row.id for row in rows if row.id is not None]


async def item(harness: Harness, item_id: int) -> LedgerItem:
    card = await ledger_queries.item_card(harness.db, item_id)
    assert card is not None
    return card.item


async def member_id(harness: Harness, user: SimUser) -> int:
    found = await members.by_telegram_id(harness.db, user.id)
    assert found is not None and found.member.id is not None
    return found.member.id


async def forge_press(harness: Harness, user: SimUser, data: str) -> str:
    """Press a button whose callback data the user made up, on the bot's last message."""
    st = harness.sim.state
    chat = st.chat(user.id)
    msg = st.bot_messages(chat.id)[-1]
    query_id = str(secrets.randbits(62))
    st.callback_queries[query_id] = False
    st.callback_chats[query_id] = chat.id
    st.updates.push(
        "callback_query",
        {
            "id": query_id,
            "from": st.user(user.id).to_dict(),
            "message": copy.deepcopy(msg.raw),
            "chat_instance": chat.chat_instance,
            "data": data,
        },
    )
    return query_id


async def answer_of(harness: Harness, query_id: str) -> str | None:
    """The notice the bot answered a button press with (waits for the answer)."""
    answers = harness.sim.callback_answers
    answered = await harness.sim.state.signal.wait_for(
        lambda: any(a.id == query_id for a in answers), 5.0
    )
    assert answered, "the press was not answered"
    return next(a.text for a in answers if a.id == query_id)


STATUS = LedgerStatus
