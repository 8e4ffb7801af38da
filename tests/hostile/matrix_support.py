"""What the authorisation matrix's drivers share: who acts, how a made-up press is made and
read, and when an answer is a refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from simulator import SimChat, SimUser
from tests.hostile.bench import Bench

# The one answer to a press that is not the presser's (handlers/ui/presses.py): the same
# whether the data matched anything or not.
NEUTRAL = "此按钮已失效。"
# What refuses: the neutral answer to a press, the reasons typed commands are given.
REFUSED = (
    "只有已登记",
    "只有承办",
    "只有工作人员",
    "只有管理员",
    "只有本单位",
    "只有案件承办",
    "只有该案件的责任承办人",
    "只有该延期申请的审批人",
    "无权",
    "尚未登记",
    "失效",
)


def actor(b: Bench, role: str) -> SimUser:
    p = b.people
    found = {
        "member": p.member,
        "unit_head": p.head,
        "handler": p.handler,
        "admin": p.admin,
    }.get(role)
    return found if found is not None else b.stranger("未登记的人")


def refused(text: str | None) -> bool:
    return text is not None and any(mark in text for mark in REFUSED)


async def last_text(b: Bench, user: SimUser, chat: SimChat | None = None) -> str:
    return b.last(chat if chat is not None else user).text


async def press(b: Bench, user: SimUser, data: str, chat: SimChat | None = None) -> str | None:
    """A made-up press on the user's last bot message; its notice (after the bot is idle)."""
    target = chat if chat is not None else user
    if not b.sim.bot_messages(target):
        await b.h.ask(user, "/help", chat=chat)
    notice = await b.answer_of(await b.forge(user, data, chat))
    await b.sim.wait_confirmed(settle=0.01)
    return notice


async def effect(notice: str | None, check: Callable[[], Awaitable[bool]]) -> bool:
    """Whether the action's effect shows: waited for after an accepting notice (the bot may
    still be editing or writing), checked once after a refusal."""
    if refused(notice):
        return await check()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 3.0
    while not await check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def cancel(b: Bench, user: SimUser) -> None:
    await b.sim.drain(user)
    await b.say(user, "/cancel")


def unit_of(scope: str) -> str:
    return "SCH001" if scope == "own" else "SCH002"


Drive = Callable[[Bench, SimUser, str], Awaitable[bool]]
