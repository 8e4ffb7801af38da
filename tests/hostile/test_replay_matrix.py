"""The replay matrix: every button the bot showed person A in real flows, pressed again by
someone else, reveals nothing of A and changes nothing.

A is, in turn, a member of SCH001 (report, /mine, complaint and /status, forms; then, marked
as a boarding school's cadre, a leave request, whose decision buttons go to SCH001's head),
the unit head of SCH001 (ledger, check-in, leave, inspection, members, stats), a case officer
(desk inbox, export, overdue) and the administrator (boarding school and cadres, publish,
broadcast, members, inbox). Every callback data shown to A in A's chat is
collected and pressed (as a made-up press on the replayer's own last message) by a member of
SCH001, the unit head of SCH002, a case officer (for the buttons of a member or a head: where
the officer has no right through their role) and a stranger. For every press:

- the notice is one of the bot's refusals (never an acceptance, never A's data);
- nothing sent to the replayer (the notice and any message) holds A's name, username, report
  number, description, complaint text, pseudonym or receipt;
- no row of the database changes (the conversation tables and the processed-update log, which
  every update touches, aside).

`/language` is left out: its buttons set the presser's own language, which is theirs to set.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable

import pytest
from sqlalchemy import text

from domain.membership.roles import Role
from simulator import SimUser
from storage.duties import checkins
from storage.membership import members
from tests.hostile.bench import Bench
from tests.hostile.matrix_support import refused

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOUCHED_BY_EVERY_UPDATE = {"conversation_states", "conversation_drafts", "processed_updates"}
REPORT_TEXT = "甲老师看到食堂账目三年没有公开。"
COMPLAINT_TEXT = "甲家长反映：城关第一中学收取补课费每人八百元。"
LEAVE_REASON = "甲老师赴省城参加培训"
NEUTRAL = "此按钮已失效。"
RECEIPT_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


async def _snapshot(b: Bench) -> dict[str, str]:
    """A digest of every table's rows."""
    found: dict[str, str] = {}
    async with b.db.engine.connect() as conn:
        names = (
            await conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        ).scalars()
        for name in sorted(set(names) - TOUCHED_BY_EVERY_UPDATE):
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            found[name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return found


def _shown(b: Bench, user: SimUser, since: int = 0) -> list[str]:
    data: list[str] = []
    for message in b.sim.bot_messages(user)[since:]:
        markup = message.raw.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            data += [k["callback_data"] for k in row if "callback_data" in k]
    return data


async def _run(b: Bench, user: SimUser, *commands: str) -> None:
    for command in commands:
        await b.sim.drain(user)
        await b.sim.send_text(user, command)
        await b.quiet(user)
        await b.sim.send_text(user, "/cancel")
        await b.quiet(user)


async def _member_flows(b: Bench, a: SimUser) -> list[str]:
    """A files a report, looks at /mine, files a complaint and opens it with /status. Buttons
    are collected after every step: the bot takes a keyboard away once it is used."""
    seen: list[str] = []

    async def step(act: Awaitable[object]) -> None:
        await act
        await b.quiet(a)
        seen.extend(_shown(b, a))

    await step(b.sim.send_text(a, "/report"))
    await step(b.sim.press_button(a, "散 · 纪律意识不牢固"))
    await step(b.sim.press_button(a, "城关第一中学"))
    await step(b.sim.send_text(a, REPORT_TEXT))
    await step(b.sim.press_button(a, "跳过"))
    await step(b.sim.press_button(a, "跳过"))
    await step(b.sim.press_button(a, "否，可以署名"))
    await step(b.sim.press_button(a, "提交"))
    await _run(b, a, "/mine", "/forms")
    seen.extend(_shown(b, a))
    await step(b.sim.send_text(a, "/complain"))
    await step(b.sim.press_button(a, "继续"))
    await step(b.sim.press_button(a, b.sim.bot_messages(a)[-1].buttons[0][0]))
    await step(b.sim.press_button(a, "不知道"))
    await step(b.sim.send_text(a, COMPLAINT_TEXT))
    await step(b.sim.press_button(a, "完成"))
    await step(b.sim.press_button(a, "不需要通知"))
    await step(b.sim.press_button(a, "提交"))
    receipt = next(
        m.group(0) for msg in b.sim.bot_messages(a) if (m := RECEIPT_RE.search(msg.text))
    )
    await step(b.sim.send_text(a, f"/status {receipt}"))
    return seen


async def _head_flows(b: Bench, a: SimUser) -> list[str]:
    await _run(b, a, "/ledger", "/checkin", "/leave", "/inspect", "/members", "/stats")
    return _shown(b, a)


async def _officer_flows(b: Bench, a: SimUser) -> list[str]:
    await _run(b, a, "/inbox", "/publish", "/broadcast", "/export", "/overdue")
    return _shown(b, a)


async def _admin_flows(b: Bench, a: SimUser) -> list[str]:
    await _run(
        b,
        a,
        "/boarding SCH001 36.0611 103.8343 300",
        "/cadre SCH001",
        "/publish",
        "/broadcast",
        "/members",
        "/inbox",
    )
    return _shown(b, a)


async def _leave_request(b: Bench, cadre: SimUser) -> list[str]:
    """A cadre asks for leave: the buttons the unit head of SCH001 is shown to decide it."""
    found = await members.by_telegram_id(b.db, cadre.id)
    assert found is not None and found.member.id is not None
    assert await checkins.set_cadre(b.db, found.member.id, on=True, now=b.h.clock.now())
    await b.sim.send_text(cadre, "/cancel")  # the /status view ends
    await b.quiet(cadre)
    head = b.people.head
    await b.quiet(head)
    since = len(b.sim.bot_messages(head))
    await b.sim.send_text(cadre, f"/leave 2027-03-15 {LEAVE_REASON}")
    await b.quiet(cadre)
    await b.quiet(head)
    assert any(LEAVE_REASON in m.text for m in b.sim.bot_messages(head)[since:]), [
        m.text for m in b.sim.bot_messages(cadre)[-3:]
    ]
    return _shown(b, head, since)


def _secrets(b: Bench, a: SimUser) -> list[str]:
    found = [a.first_name, a.username or a.first_name, REPORT_TEXT, COMPLAINT_TEXT]
    for message in b.sim.bot_messages(a):
        found += re.findall(r"R-2027-\d{4}|C-[0-9A-Z]{4}", message.text)
        found += RECEIPT_RE.findall(message.text)
    return sorted(set(found))


async def _replay(b: Bench, presser: SimUser, data: str) -> tuple[str | None, list[str]]:
    if not b.sim.bot_messages(presser):
        await b.h.ask(presser, "/help")
    await b.quiet(presser)
    before = len(b.sim.bot_messages(presser))
    notice = await b.answer_of(await b.forge(presser, data))
    await b.sim.wait_confirmed(settle=0.02)
    return notice, [m.text for m in b.sim.bot_messages(presser)[before:]]


# Buttons that carry nothing of the person they were shown to: a menu choice that anyone with
# the role acts on for themselves (their own statistics, their own unit's export, a form open
# to everyone, the officers' own inbox lists). Pressed by someone without the role they are
# refused; pressed by someone with it they show that person's own view. Either way, the checks
# above (nothing of A, no row changed) hold.
OWN_RIGHT = {
    "stats:v1:chart:": {"unit_head", "handler"},
    "export:v1:ledger:": {"unit_head", "handler"},
    # the problem list and the year-end summary: a unit head gets their own unit's
    "papers:v1:": {"unit_head", "handler"},
    "form:v1:pick:": {"member", "unit_head", "handler"},
}


def _own_right(data: str, presser: SimUser, b: Bench) -> bool:
    role = {
        b.people.head2.id: "unit_head",
        b.people.handler.id: "handler",
    }.get(presser.id, "member")
    return any(data.startswith(p) and role in roles for p, roles in OWN_RIGHT.items())


async def _a_and_buttons(b: Bench, who: str) -> tuple[SimUser, list[str], list[str]]:
    """Person A for this row of the matrix, the buttons A was shown, and A's data."""
    if who in ("member", "leave"):
        a = b.stranger("甲老师" if who == "member" else "丁老师")
        a.username = "jia_teacher_a" if who == "member" else "ding_teacher_d"
        await b.h.register(a)
        if who == "member":
            return a, await _member_flows(b, a), _secrets(b, a)
        shown = await _leave_request(b, a)
        return b.people.head, shown, [*_secrets(b, a), LEAVE_REASON]
    if who == "head":
        a = await b.person(Role.UNIT_HEAD, "SCH001", "甲校长")
        return a, await _head_flows(b, a), _secrets(b, a)
    if who == "officer":
        a = await b.person(Role.CASE_OFFICER, "EDU", "甲干事")
        return a, await _officer_flows(b, a), _secrets(b, a)
    a = b.people.admin
    # The bench's administrator is named 管理员, the word every admin-only refusal says.
    return a, await _admin_flows(b, a), [x for x in _secrets(b, a) if x != a.first_name]


# Routes each row must have met (the flows above really showed them to A).
EXPECTED = {
    "member": ("report:v1:", "complain:v1:", "status:v1:", "form:v1:"),
    "head": ("ledger:v1:", "ppl:v1:", "stats:v1:"),
    "officer": ("inbox:v1:", "export:v1:"),
    "admin": ("mark:v1:", "pub:v1:"),
    "leave": ("leave:v1:",),
}


@pytest.mark.parametrize("who", ["member", "head", "officer", "admin", "leave"])
async def test_every_button_replayed_by_someone_else_reveals_and_changes_nothing(
    bench: Bench, who: str
) -> None:
    b = bench
    a, shown, secrets = await _a_and_buttons(b, who)
    colleague = await b.person(Role.MEMBER, "SCH001", f"乙老师{who}")
    stranger = b.stranger(f"路人丙{who}")
    replayers = [colleague, b.people.head2, stranger]
    if who not in ("officer", "admin"):  # a case officer has no right to a member's buttons
        replayers.append(b.people.handler)
    failures: list[str] = []
    pressed = 0
    for data in dict.fromkeys(shown):
        for presser in (r for r in replayers if r.id != a.id):
            before = await _snapshot(b)
            notice, said = await _replay(b, presser, data)
            after = await _snapshot(b)
            await b.sim.send_text(presser, "/cancel")  # whatever the press began, ended
            await b.quiet(presser)
            pressed += 1
            told = " ".join([notice or "", *said])
            leaked = [s for s in secrets if s and s in told]
            changed = [t for t in after if after[t] != before.get(t)]
            fair = notice == NEUTRAL or refused(notice) or _own_right(data, presser, b)
            if leaked or changed or not fair:
                failures.append(
                    f"{who} {data!r} by {presser.first_name}: notice={notice!r} "
                    f"leaked={leaked} changed={changed} said={said[:2]!r}"
                )
    assert pressed >= len(EXPECTED[who]) and all(
        any(d.startswith(p) for d in shown) for p in EXPECTED[who]
    ), sorted(set(shown))
    assert failures == [], "\n".join(failures)
