"""Steps of `/report` shared by the report tests: a member files a report as a user would."""

from __future__ import annotations

import asyncio

from simulator import SimUser
from storage.cases import reports
from storage.membership import members
from tests.e2e.conftest import Harness

PHOTO = b"\xff\xd8\xff\xe0fake-jpeg-bytes"


async def file_report_until_summary(
    harness: Harness,
    user: SimUser,
    *,
    category: str = "散 · 纪律意识不牢固",
    description: str = "有教师经常迟到早退。",
    confidential: bool = False,
) -> None:
    """From /report to the summary card: own unit, no when/where, no evidence."""
    sim = harness.sim
    await harness.ask(user, "/report")
    await sim.press_button(user, category)
    await sim.next_message(user)
    await sim.press_button(user, "城关第一中学")
    await sim.next_message(user)
    await sim.send_text(user, description)
    await sim.next_message(user)
    await sim.press_button(user, "跳过")
    await sim.next_message(user)
    await sim.press_button(user, "跳过")
    await sim.next_message(user)
    await sim.press_button(user, "是，请保密" if confidential else "否，可以署名")
    card = await sim.next_message(user)
    assert card.buttons[0] == ["提交"]


async def submit(harness: Harness, user: SimUser) -> str:
    await harness.sim.press_button(user, "提交")
    return (await harness.sim.next_message(user)).text


async def own_reports(harness: Harness, user: SimUser) -> list[reports.OwnReport]:
    found = await members.by_telegram_id(harness.db, user.id)
    assert found is not None and found.member.id is not None
    page = await reports.list_by_author(harness.db, found.member.id, limit=50)
    return list(page.items)


async def answers_after(harness: Harness, before: int, count: int = 1) -> list[str | None]:
    """Wait for `count` callback answers after the first `before` ones; their texts.

    The update is confirmed to Telegram before its handler runs, so "every update confirmed"
    does not mean "answered": wait for the answers themselves.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while len(harness.sim.callback_answers) < before + count:
        assert loop.time() < deadline, "the bot did not answer the button presses"
        await asyncio.sleep(0.01)
    return [a.text for a in harness.sim.callback_answers[before:]]


async def press_for_notice(harness: Harness, user: SimUser, text: str) -> str | None:
    """Press a button and return the text of the callback answer it gets (a short notice)."""
    before = len(harness.sim.callback_answers)
    await harness.sim.press_button(user, text)
    return (await answers_after(harness, before))[0]
