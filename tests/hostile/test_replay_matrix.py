"""The replay matrix: every button the bot showed person A in real flows, pressed again by
someone else, reveals nothing of A and changes nothing (issue 17).

A is, in turn, a member of SCH001 (report, /mine, complaint and /status, forms past the pick,
and the cards the report and complaint put in the staff chat; then, marked as a boarding
school's cadre, a leave request, whose decision buttons go to SCH001's head), the unit head
of SCH001 (ledger, check-in, leave, inspection, members, stats), a case officer (desk inbox,
export, overdue, /intake) and the administrator (boarding school and cadres, members, inbox,
/publish and /broadcast past their first menu). The "chain" row
follows one finding: an inspector files it with /inspect (明察暗访), its card in the staff chat
is accepted there, the officer dispatches it from their own card to SCH001's ledger, SCH001's
head opens the item and asks for more time (the extension's decision buttons go to the
officer), and the officer opens a rectified item to verify or send it back.

Every callback data shown (one per route and action: the other values of an action take the
same path) is pressed, as a made-up press on the replayer's own last message (the staff chat's
buttons in the staff chat), by a member of SCH001, the unit head of SCH002, a stranger and, for
a member's or head's buttons in private chats, a case officer (the staff chat's cards are the
officers' own). For every press:

- the notice is exactly the neutral "此按钮已失效。" (`handlers/ui/presses.py`), the same
  whether the data matched anything or not; only a menu button the presser's own role opens
  on their own view (`OWN_RIGHT`) may answer otherwise;
- nothing sent to the replayer (the notice and any message) holds A's name, username, report
  number, description, complaint text, pseudonym or receipt;
- no row of the database changes (the conversation tables and the processed-update log, which
  every update touches, aside).

`/language` is left out: its buttons set the presser's own language, which is theirs to set.
The "124" evening call's check-in button is sent by the reminder sweep, which this bench does
not run: `test_forged_routes.py` presses that route.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.reminders import engine_of
from domain.ledger.rules import LedgerStatus
from domain.membership.roles import Role
from simulator import SimChat, SimUser
from storage.duties import checkins
from storage.membership import members
from storage.models import LedgerItem
from tests.hostile import seed
from tests.hostile.bench import Bench
from tests.hostile.matrix_support import NEUTRAL

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOUCHED_BY_EVERY_UPDATE = {"conversation_states", "conversation_drafts", "processed_updates"}
REPORT_TEXT = "甲老师看到食堂账目三年没有公开。"
COMPLAINT_TEXT = "甲家长反映：城关第一中学收取补课费每人八百元。"
LEAVE_REASON = "甲老师赴省城参加培训"
FINDING_TEXT = "甲督查发现：城关第一中学向学生收取资料费每人五十元。"
FINDING_REQUIREMENT = "甲督查要求退还资料费。"
EXTENSION_REASON = "甲督查所提问题需要采购设备。"
RECTIFIED_TEXT = "甲督查复查：宿舍消防通道堵塞。"
FINDING_RE = re.compile(r"F-2027-\d{4}")
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


async def _press_data(b: Bench, user: SimUser, prefix: str, chat: SimChat | None = None) -> bool:
    """`user` presses the latest button shown in the chat whose data starts with `prefix` (a
    real press on the real message); False when none is shown."""
    for message in reversed(b.sim.bot_messages(chat or user)):
        for row in message.inline_keyboard:
            for key in row:
                if str(key.get("callback_data", "")).startswith(prefix):
                    await b.sim.press_button(user, str(key["text"]), chat)
                    await b.quiet(chat or user)
                    return True
    return False


async def _deeper(b: Bench, user: SimUser, command: str, *prefixes: str) -> list[str]:
    """`command`, then a press on each of `prefixes` in turn: every button shown on the way."""
    await b.sim.drain(user)
    since = len(b.sim.bot_messages(user))
    await b.sim.send_text(user, command)
    await b.quiet(user)
    seen = _shown(b, user, since)
    for prefix in prefixes:
        await _press_data(b, user, prefix)
        seen += _shown(b, user, since)
    await b.sim.send_text(user, "/cancel")
    await b.quiet(user)
    return seen


async def _run(b: Bench, user: SimUser, *commands: str) -> None:
    for command in commands:
        await b.sim.drain(user)
        await b.sim.send_text(user, command)
        await b.quiet(user)
        await b.sim.send_text(user, "/cancel")
        await b.quiet(user)


def _stepper(
    b: Bench, a: SimUser, seen: list[str]
) -> Callable[[Awaitable[object]], Awaitable[None]]:
    """A step of A's: done, the bot idle, the buttons shown then kept in `seen` (the bot takes
    a keyboard away once it is used)."""

    async def step(act: Awaitable[object]) -> None:
        await act
        await b.quiet(a)
        seen.extend(_shown(b, a))

    return step


async def _member_flows(b: Bench, a: SimUser) -> list[str]:
    """A files a report, looks at /mine, files a complaint and opens it with /status. Buttons
    are collected after every step: the bot takes a keyboard away once it is used."""
    seen: list[str] = []
    step = _stepper(b, a, seen)
    await step(b.sim.send_text(a, "/report"))
    await step(b.sim.press_button(a, "散 · 纪律意识不牢固"))
    await step(b.sim.press_button(a, "城关第一中学"))
    await step(b.sim.send_text(a, REPORT_TEXT))
    await step(b.sim.press_button(a, "跳过"))
    await step(b.sim.press_button(a, "跳过"))
    await step(b.sim.press_button(a, "否，可以署名"))
    await step(b.sim.press_button(a, "提交"))
    await _run(b, a, "/mine")
    seen.extend(_shown(b, a))
    seen += await _deeper(b, a, "/forms", "form:v1:pick:", "form:v1:unit:")
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
    return [*_shown(b, a), *await _deeper(b, a, "/intake", "intake:v1:", "intake:v1:")]


async def _admin_flows(b: Bench, a: SimUser) -> list[str]:
    await _run(
        b,
        a,
        "/boarding SCH001 36.0611 103.8343 300",
        "/cadre SCH001",
        "/members",
        "/inbox",
    )
    return [
        *_shown(b, a),
        *await _deeper(b, a, "/publish", "pub:v1:pick:h:u", "pub:v1:"),
        *await _deeper(b, a, "/broadcast", "bc:v1:aud:h", "bc:v1:"),
    ]


async def _cadre(b: Bench, person: SimUser) -> None:
    """`person` becomes a cadre of SCH001, made a boarding school by the administrator."""
    found = await members.by_telegram_id(b.db, person.id)
    assert found is not None and found.member.id is not None
    assert await checkins.set_cadre(b.db, found.member.id, on=True, now=b.h.clock.now())
    await _run(b, b.people.admin, "/boarding SCH001 36.0611 103.8343 300")


async def _leave_request(b: Bench, cadre: SimUser) -> list[str]:
    """A cadre asks for leave: the buttons the unit head of SCH001 is shown to decide it."""
    await _cadre(b, cadre)
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


async def _checkin_call(b: Bench, cadre: SimUser) -> list[str]:
    """The "124" evening call the reminder sweep sends a cadre of a boarding school on a duty
    night (the second Monday from now): its check-in button. The clock only moves forward, so
    this row comes last."""
    await _cadre(b, cadre)
    local = b.h.clock.now().astimezone(SHANGHAI)
    monday = local.date() + timedelta(days=14 - local.weekday())
    b.h.clock.set(datetime.combine(monday, time(19, 5), tzinfo=SHANGHAI))
    since = len(b.sim.bot_messages(cadre))
    await engine_of(b.app).sweep_once()
    await b.quiet(cadre)
    shown = [d for d in _shown(b, cadre, since) if d.startswith("checkin:v1:")]
    assert shown, [m.text for m in b.sim.bot_messages(cadre)[since:]]
    return shown


def _label(b: Bench, user: SimUser, needle: str, since: int) -> str | None:
    """The label of a button shown to `user` that names `needle`."""
    found = [t for m in b.sim.bot_messages(user)[since:] for r in m.buttons for t in r]
    return next((t for t in reversed(found) if needle in t), None)


async def _chain_flows(b: Bench) -> tuple[SimUser, list[str], list[str], list[str]]:
    """An inspector (A) files a finding with /inspect; its card reaches the staff chat, where a
    case officer accepts it, and dispatches it from their own card to SCH001's ledger; SCH001's
    head opens the item. The buttons of all four places (the inspector's, the staff chat's,
    the officer's and the head's); the staff chat's apart."""
    admin, officer, head = b.people.admin, b.people.handler, b.people.head
    a = await b.person(Role.MEMBER, "EDU", "甲督查")
    await _run(b, admin, "/round new 甲轮明察暗访")
    await b.sim.send_text(admin, "/inspector EDU")
    await b.quiet(admin)
    await b.sim.press_button(admin, "☐ 甲督查")
    await b.quiet(admin)
    staff_since = len(b.sim.bot_messages(b.staff))
    shown: list[str] = []
    step = _stepper(b, a, shown)
    await step(b.sim.send_text(a, "/inspect"))
    await step(_press_data(b, a, "inspect:v1:round:"))  # when another row opened a round too
    await step(b.sim.send_text(a, "第一"))
    await step(_press_data(b, a, "inspect:v1:unit:"))
    await step(_press_data(b, a, "inspect:v1:cat:"))
    await step(b.sim.send_text(a, FINDING_TEXT))
    await step(_press_data(b, a, "inspect:v1:done:"))  # no photo
    await step(b.sim.send_text(a, "08:40"))
    await step(_press_data(b, a, "inspect:v1:submit:"))
    number = next(m.group(0) for msg in b.sim.bot_messages(a) if (m := FINDING_RE.search(msg.text)))
    await b.quiet(b.staff)
    # The staff chat: its card, accepted there by the officer.
    await b.sim.press_button(officer, "受理（由我负责）", chat=b.staff)
    await b.quiet(b.staff)
    staff = _shown(b, b.staff, staff_since)
    # The officer's own card: dispatched to the unit with a deadline and a requirement.
    since = len(b.sim.bot_messages(officer))
    await b.sim.send_text(officer, "/inbox")
    await b.quiet(officer)
    label = _label(b, officer, number, since)
    if label is None:  # the inbox opens on its lists: the new cases
        assert await _press_data(b, officer, "inbox:v1:l:")
        label = _label(b, officer, number, since)
    assert label is not None, [m.buttons for m in b.sim.bot_messages(officer)[since:]]
    await b.sim.press_button(officer, label)
    await b.quiet(officer)
    await b.sim.press_button(officer, "交办给责任单位")
    prompt = await b.sim.next_message(officer)
    await b.sim.send_text(officer, "4月30日", reply_to=prompt)
    second = await b.sim.next_message(officer)
    await b.sim.send_text(officer, FINDING_REQUIREMENT, reply_to=second)
    await b.quiet(officer)
    await b.quiet(head)
    shown += _shown(b, officer, since)
    # SCH001's head opens the item: its own buttons (start, progress, more time …).
    since = len(b.sim.bot_messages(head))
    await b.sim.send_text(head, "/ledger")
    await b.quiet(head)
    async with b.db.session() as session:
        item = (
            await session.exec(
                select(LedgerItem).where(LedgerItem.requirement == FINDING_REQUIREMENT)
            )
        ).one()
    assert await _press_data(b, head, f"ledger:v1:o:{item.id}")
    shown += _shown(b, head, since)
    # The head asks for more time; the case's owner is asked to decide it.
    asked_since = len(b.sim.bot_messages(officer))
    await b.sim.press_button(head, "⏳ 申请延期")
    await b.quiet(head)
    await b.sim.send_text(head, "2027-05-20")
    await b.quiet(head)
    await b.sim.send_text(head, EXTENSION_REASON)
    await b.quiet(head)
    for _ in range(100):  # the paced sender delivers it
        if any(d.startswith("ext:v1:") for d in _shown(b, officer, asked_since)):
            break
        await asyncio.sleep(0.03)
    shown += _shown(b, officer, asked_since)
    # A rectified item of SCH001, opened by the officer: verify or send back.
    done = await seed.item(b, status=LedgerStatus.RECTIFIED, by=head, description=RECTIFIED_TEXT)
    since = len(b.sim.bot_messages(officer))
    await b.sim.send_text(officer, "/ledger")
    await b.quiet(officer)
    await _press_data(b, officer, f"ledger:v1:u:{b.unit_ids['SCH001']}.")
    assert await _press_data(b, officer, f"ledger:v1:o:{done.id}")
    shown += _shown(b, officer, since)
    await _run(b, head, "/cancel")
    secrets = [FINDING_TEXT, FINDING_REQUIREMENT, EXTENSION_REASON, RECTIFIED_TEXT, number]
    return a, shown, staff, [a.first_name, *secrets]


def _secrets(b: Bench, a: SimUser) -> list[str]:
    found = [a.first_name, a.username or a.first_name, REPORT_TEXT, COMPLAINT_TEXT]
    for message in b.sim.bot_messages(a):
        found += re.findall(r"R-2027-\d{4}|C-[0-9A-Z]{4}", message.text)
        found += RECEIPT_RE.findall(message.text)
    return sorted(set(found))


async def _replay(
    b: Bench, presser: SimUser, data: str, chat: SimChat | None
) -> tuple[str | None, list[str]]:
    """`presser` presses `data` on their own last message (or the staff chat's)."""
    if not b.sim.bot_messages(presser):
        await b.h.ask(presser, "/help")
    await b.quiet(presser)
    places: list[SimUser | SimChat] = [presser] if chat is None else [presser, chat]
    before = [len(b.sim.bot_messages(p)) for p in places]
    notice = await b.answer_of(await b.forge(presser, data, chat))
    # An own-right press may make a file (a unit head's own export): slow on a loaded machine.
    await b.sim.wait_confirmed(15.0, settle=0.02)
    return notice, [
        m.text for p, n in zip(places, before, strict=True) for m in b.sim.bot_messages(p)[n:]
    ]


def _shape(data: str) -> str:
    """A button's route and action: one press per shape (the other values of an action take
    the same path: the categories of one picker, the pages of one list)."""
    return ":".join(data.split(":")[:3])


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


async def _a_and_buttons(b: Bench, who: str) -> tuple[SimUser, list[str], list[str], list[str]]:
    """Person A for this row of the matrix, the buttons A was shown (in private chats, then in
    the staff chat), and A's data."""
    if who == "chain":
        return await _chain_flows(b)
    since = len(b.sim.bot_messages(b.staff))
    a, shown, secrets = await _private_rows(b, who)
    # A member's report and complaint put their cards in the staff chat (the complaint's with
    # its own route, hotline:v1:).
    staff = _shown(b, b.staff, since) if who == "member" else []
    return a, shown, staff, secrets


async def _private_rows(b: Bench, who: str) -> tuple[SimUser, list[str], list[str]]:
    if who == "checkin":
        a = b.stranger("戊老师")
        await b.h.register(a)
        return a, await _checkin_call(b, a), _secrets(b, a)
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
    "member": ("report:v1:", "complain:v1:", "status:v1:", "form:v1:", "hotline:v1:"),
    "head": ("ledger:v1:", "ppl:v1:", "stats:v1:"),
    "officer": ("inbox:v1:", "export:v1:"),
    "admin": ("mark:v1:", "pub:v1:"),
    "leave": ("leave:v1:",),
    "chain": ("inspect:v1:", "inbox:v1:", "desk:v1:", "ledger:v1:pn:", "ext:v1:", "ledger:v1:vf:"),
    "checkin": ("checkin:v1:",),
}


# "checkin" last: it moves the clock forward to a duty night.
@pytest.mark.timeout(180)  # up to ~100 replays a row, each with two database snapshots
@pytest.mark.parametrize("who", ["member", "head", "officer", "admin", "leave", "chain", "checkin"])
async def test_every_button_replayed_by_someone_else_reveals_and_changes_nothing(
    bench: Bench, who: str
) -> None:
    b = bench
    a, shown, staff, secrets = await _a_and_buttons(b, who)
    colleague = await b.person(Role.MEMBER, "SCH001", f"乙老师{who}")
    stranger = b.stranger(f"路人丙{who}")
    replayers = [colleague, b.people.head2, stranger]
    if who not in ("officer", "admin", "chain"):  # no right to a member's or head's buttons
        replayers.append(b.people.handler)
    failures: list[str] = []
    pressed = 0
    places = [(d, None) for d in shown] + [(d, b.staff) for d in staff]
    pressing = {(_shape(d), c is None): (d, c) for d, c in reversed(places)}
    for data, chat in reversed(pressing.values()):
        # The staff chat's cards are the case officers' to press.
        others = [r for r in replayers if r.id != a.id and not (chat and r is b.people.handler)]
        for presser in others:
            before = await _snapshot(b)
            notice, said = await _replay(b, presser, data, chat)
            after = await _snapshot(b)
            await b.sim.send_text(presser, "/cancel")  # whatever the press began, ended
            await b.quiet(presser)
            pressed += 1
            told = " ".join([notice or "", *said])
            leaked = [s for s in secrets if s and s in told]
            changed = [t for t in after if after[t] != before.get(t)]
            fair = notice == NEUTRAL or _own_right(data, presser, b)
            if leaked or changed or not fair:
                failures.append(
                    f"{who} {data!r} by {presser.first_name}: notice={notice!r} "
                    f"leaked={leaked} changed={changed} said={said[:2]!r}"
                )
    assert pressed >= len(EXPECTED[who]) and all(
        any(d.startswith(p) for d in shown + staff) for p in EXPECTED[who]
    ), sorted(set(shown + staff))
    print(f"replay matrix {who}: {pressed} presses")
    assert failures == [], "\n".join(failures)
