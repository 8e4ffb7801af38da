"""Shared by the hostile-input modules: odd message contents, the texts the bot answers them
with, and walking a /report to a given step."""

from __future__ import annotations

from typing import Any

from domain.membership.roles import Role
from simulator import SimUser
from storage.models import Case as Row
from storage.models import ReportAuthor
from tests.hostile.bench import Bench
from tests.hostile.seed import member_id

STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAEBsticker",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
LOCATION = {"location": {"latitude": 34.58, "longitude": 105.72}}
CONTACT = {"contact": {"phone_number": "+8613800000000", "first_name": "某人"}}
VOICE = {"voice": {"file_id": "AwACvoice", "file_unique_id": "AgADvoice", "duration": 3}}
HTML = '<b>粗体</b> <a href="https://evil.example/x?a=1&b=2">点我</a> & <i>未闭合 </u>'
INVALID_INVITE = "此邀请无效"
EDIT_NOTICE = "我不读取修改过的消息"
STALE = "此按钮已失效"


async def member(b: Bench, name: str = "成员") -> SimUser:
    return await b.person(Role.MEMBER, "SCH001", name)


async def report_to(b: Bench, user: SimUser, step: str) -> None:
    """Walk a fresh /report up to `step` (unit, describe, evidence, confirm)."""
    await b.h.ask(user, "/report")
    actions: list[tuple[str, Any]] = [
        ("unit", lambda: b.sim.press_button(user, "奢 · 生活作风不节俭")),
        ("describe", lambda: b.sim.press_button(user, "城关第一中学")),
        ("occurred", lambda: b.sim.send_text(user, "公款吃喝。")),
        ("evidence", lambda: b.sim.press_button(user, "跳过")),
        ("confidential", lambda: b.sim.press_button(user, "跳过")),
        ("confirm", lambda: b.sim.press_button(user, "否，可以署名")),
    ]
    for name, act in actions:
        await act()
        await b.sim.next_message(user)
        if name == step:
            return


async def reports_by(b: Bench, user: SimUser) -> int:
    return await b.count(ReportAuthor, ReportAuthor.member_id == await member_id(b, user))


def complaints(*where: Any) -> tuple[Any, ...]:
    return (Row, Row.kind == "complaint", *where)


def reports(*where: Any) -> tuple[Any, ...]:
    return (Row, Row.kind == "report", *where)
