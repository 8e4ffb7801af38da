"""Forged buttons inside running conversations (issue 21): each conversation is walked step by
step as a person would, and at every step that shows buttons, forged and foreign values are
pressed before the real next step: Unicode digits, 2**66, negatives, empty and extra fields,
random characters, ids that exist nowhere, and other conversations' buttons. Each press is
answered with a notice (never the apology), no record carries a traceback, no row changes, no
message is sent, and the conversation then goes on to its end as if nothing had happened.

The route test (test_forged_routes.py) presses every route outside its conversation; this one
reaches the conversations' own states, which a press from outside never does."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from domain.membership.roles import Role
from simulator import SimUser
from storage.membership import units
from tests.hostile.bench import APOLOGY_EN, APOLOGY_ZH, Bench
from tests.hostile.table import row
from tests.hostile.test_forged_routes import MODULE_LOOP, VALUES, snapshot

TITLE = "Hostile input: forged buttons inside running conversations"
HEADERS = ("conversation", "button steps", "presses", "answers", "outcome")
FOREIGN = (
    "report:v1:unit:999999",
    "report:v1:submit:feedbeef",
    "complain:v1:unit:999999",
    "complain:v1:submit",
    "ledger:v1:o:999999",
    "ledger:v1:done:999",
    "inspect:v1:submit:999",
    "form:v1:sub:deadbeef",
    "pub:v1:go:999999:1",
    "bc:v1:send:999999",
    "ppl:v1:r:999999.s",
    "desk:v1:rt:999999.1",
)

Step = Callable[[Bench, SimUser], Awaitable[object]]


def cmd(command: str, args: str = "") -> Step:
    return lambda b, u: b.sim.send_command(u, command, args)


def text(words: str) -> Step:
    return lambda b, u: b.sim.send_text(u, words)


def press(label: str) -> Step:
    return lambda b, u: b.sim.press_button(u, label)


def first_button() -> Step:
    return lambda b, u: b.sim.press_button(u, b.last(u).buttons[0][0])


async def _public_form(b: Bench, user: SimUser) -> object:
    unit = await units.by_code(b.db, "SCH001")
    assert unit is not None
    return await b.sim.send_command(user, "/start", f"form-parent_satisfaction-{unit.id}")


async def _inspection_round(b: Bench, user: SimUser) -> object:
    """The admin opens a round and puts `user` on the team; then `user` sends /inspect."""
    admin = b.people.admin
    await b.h.ask(admin, "/round", "new 春季明察暗访")
    await b.h.ask(admin, "/inspector", "EDU")
    await b.sim.press_button(admin, f"☐ {user.first_name}")
    await b.sim.wait_confirmed(settle=0.1)
    await b.sim.drain(admin)
    return await b.sim.send_command(user, "/inspect")


@dataclass(frozen=True)
class Walk:
    name: str
    who: Role | None  # None: a stranger (the ADMIN_WALKS use the bench's admin)
    steps: tuple[Step, ...]
    done: str  # what the last answer says when the walk reached its end


WALKS = (
    Walk(
        "report",
        Role.MEMBER,
        (
            cmd("/report"),
            press("奢 · 生活作风不节俭"),
            press("城关第一中学"),
            text("公款吃喝。"),
            press("跳过"),
            press("跳过"),
            press("否，可以署名"),
            press("提交"),
        ),
        "已提交",
    ),
    Walk(
        "complaint",
        None,
        (
            cmd("/complain"),
            press("继续"),
            first_button(),
            text("一中"),
            press("城关第一中学"),
            text("城关第一中学食堂今年多次收取学生额外伙食费，没有收据。"),
            press("完成"),
            press("不需要通知"),
            press("提交"),
        ),
        "回执",
    ),
    Walk(
        "ledger add",
        Role.UNIT_HEAD,
        (
            cmd("/ledger"),
            press("➕ 新增问题"),
            first_button(),
            text("食堂账目不公开"),
            text("每月公示"),
            text("5/1"),
            press("未使用 Telegram 的人员"),
            text("王主任"),
            press("完成"),
        ),
        "已保存为第",
    ),
    Walk(
        "inspection",
        Role.MEMBER,
        (
            _inspection_round,
            text("第二"),
            first_button(),  # the unit
            first_button(),  # the category
            text("向学生收取资料费每人50元。"),
            first_button(),  # no photos: done
            text("08:40"),
            first_button(),  # submit
        ),
        "已登记",
    ),
    Walk("members", Role.UNIT_HEAD, (cmd("/members"), first_button(), first_button()), ""),
    Walk("broadcast", None, (cmd("/broadcast"), press("全体单位负责人"), press("学校")), "内容"),
    Walk("publish", None, (cmd("/publish"), first_button()), ""),
    Walk(
        "form",
        None,
        (_public_form, press("4"), press("没有"), text("老师很负责"), press("✅ 提交")),
        "已提交",
    ),
)
ADMIN_WALKS = {"broadcast", "publish"}


async def _forge_round(
    b: Bench, user: SimUser, rng: random.Random, answers: dict[str, str | None]
) -> int:
    """Forged presses on the conversation's current buttons; how many."""
    shown = b.last(user)
    datas = [
        button["callback_data"]
        for line in (shown.reply_markup or {}).get("inline_keyboard", [])
        for button in line
        if "callback_data" in button
    ]
    prefixes = sorted({":".join(d.split(":", 3)[:3]) + ":" for d in datas if d.count(":") >= 3})
    presses = [p + v for p in prefixes for v in (*VALUES, "999999999")]
    presses += [p + "".join(chr(rng.randrange(33, 0x2FFF)) for _ in range(8)) for p in prefixes]
    presses += FOREIGN
    before, apologies = await snapshot(b), b.apologies()
    messages = len(b.sim.bot_messages(user))
    for data in presses:
        answers[data] = await b.answer_of(await b.forge(user, data), timeout=20)
    await b.sim.wait_confirmed(settle=0.1)
    assert b.apologies() == apologies
    assert await snapshot(b) == before, "a forged press changed the database"
    sent = [m.text[:80] for m in b.sim.bot_messages(user)[messages:]]
    assert not sent, f"forged presses sent messages: {sent}"
    return len(presses)


@MODULE_LOOP
@pytest.mark.parametrize("walk", WALKS, ids=[w.name for w in WALKS])
async def test_forged_presses_at_every_button_step(
    request: pytest.FixtureRequest, bench: Bench, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    b, rng = bench, random.Random(walk.name)
    if walk.name in ADMIN_WALKS:
        user = b.people.admin
    elif walk.who is None:
        user = b.stranger(f"路人{walk.name}")
    else:
        user = await b.person(
            walk.who, "EDU" if walk.name == "inspection" else "SCH001", f"{walk.name}人"
        )
    await b.quiet(user)
    answers: dict[str, str | None] = {}
    steps = presses = 0
    outcome = "FAILED"
    try:
        for step in walk.steps:
            await step(b, user)
            await b.sim.wait_confirmed(settle=0.1)
            if b.last(user).buttons:
                steps += 1
                presses += await _forge_round(b, user, rng, answers)
        final = " ".join(m.text for m in b.sim.bot_messages(user)[-3:])
        assert walk.done in final, final  # the conversation went on to its end
        apologised = [d for d, a in answers.items() if a in (APOLOGY_ZH, APOLOGY_EN)]
        assert not apologised, apologised[:10]
        silent = sorted(d for d, a in answers.items() if not a)
        assert not silent, silent[:20]
        tracebacks = [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.records
            if r.levelno >= logging.ERROR or (r.exc_info and r.levelno >= logging.WARNING)
        ]
        assert not tracebacks, tracebacks[:5]
        outcome = "ok"
    finally:
        if outcome != "ok":  # what the person saw last, for the failure's report
            print([m.text[:120] for m in b.sim.bot_messages(user)[-6:]])
        notices = sorted({a or "(no notice)" for a in answers.values()})
        row(request, TITLE, HEADERS, (walk.name, steps, presses, "; ".join(notices), outcome))
