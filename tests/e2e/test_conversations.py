"""One conversation at a time: a person in the middle of one cannot open another beside it."""

from __future__ import annotations

import asyncio

from telegram.ext import ConversationHandler

from tests.e2e.conftest import Harness
from tests.e2e.ledger_steps import people, press

BUSY = "您正在进行另一项操作。请先完成，或发送 /cancel。"


async def test_a_second_conversation_waits_until_the_first_ends(harness: Harness) -> None:
    sim = harness.sim
    head, _teacher, _handler = await people(harness)
    await sim.send_command(head, "/ledger")
    await sim.next_message(head)
    await press(harness, head, "➕ 新增问题")
    await sim.next_message(head)  # the ledger asks for a category

    for command in ("/report", "/complain", "/status"):
        assert await harness.ask(head, command) == BUSY, command

    assert "中止" in await harness.ask(head, "/cancel")
    started = await harness.ask(head, "/report")
    assert started != BUSY and "类别" in started


async def test_the_guard_sees_the_conversations_of_this_ptb_version(harness: Harness) -> None:
    """The guard reads ConversationHandler internals; this fails if a new PTB renames them."""
    assert hasattr(ConversationHandler, "_get_key")
    head, _teacher, _handler = await people(harness)
    await harness.ask(head, "/report")
    conversations = [h for h in harness.app.handlers[0] if isinstance(h, ConversationHandler)]
    for _ in range(100):  # the state is recorded just after the reply went out
        if any(len(c._conversations) > 0 for c in conversations):
            break
        await asyncio.sleep(0.01)
    assert [c.name for c in conversations if c._conversations] == ["report"]
