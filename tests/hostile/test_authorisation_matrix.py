"""The authorisation matrix through the simulator: role × action × own/other unit.

Roles are an unregistered person, a member and the unit head of SCH001, a case officer of the
bureau and an administrator. "own" acts on SCH001's things (the member's and head's own unit),
"other" on SCH002's. Every command is sent as typed; every button is a made-up press of its
callback data (the bot must re-check it, whatever its keyboards show). A cell expected "Y"
must show the action's effect (a page, a card, a prompt, a file, a database change); a cell
expected "N" must get a refusal and change nothing. The matrix is printed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from domain.ledger.rules import LedgerStatus
from simulator import SimUser
from storage.membership import groups
from storage.models import LedgerItem, SignOff
from storage.models.reminders import ReminderOutbox
from tests.hostile.bench import Bench
from tests.hostile.matrix_loop import (
    close_finding,
    extension_decide,
    intake_register,
    ledger_ask_extension,
)
from tests.hostile.matrix_people import change, person_card, revoke_invite, unit_list
from tests.hostile.matrix_staff import (
    arrives,
    complaint_card_accept,
    export_file,
    hotline_card,
    inbox_accept,
    inbox_answer,
    inbox_answer_as_prepared,
    inbox_open,
    inbox_owned,
    report_rating,
    stats_chart,
    transfer,
    verification_queue,
)
from tests.hostile.matrix_support import (
    Drive,
    actor,
    cancel,
    effect,
    last_text,
    press,
    refused,
    unit_of,
)
from tests.hostile.seed import item
from tests.hostile.table import row

pytestmark = pytest.mark.asyncio(loop_scope="module")
ROLES = ("unregistered", "member", "unit_head", "handler", "admin")
TITLE = "Authorisation matrix (Y allowed, N refused; own = SCH001, other = SCH002)"
HEADERS = ("action", *ROLES)


# -- commands --------------------------------------------------------------------------------


def command(name: str, allowed_mark: str, *, opens_form: bool = False) -> Drive:
    async def drive(b: Bench, user: SimUser, scope: str) -> bool:
        await b.sim.drain(user)
        answer = await b.say(user, name)
        allowed = not refused(answer)
        if opens_form and allowed:
            await cancel(b, user)
        await b.quiet(user)
        assert not allowed or allowed_mark in answer, answer
        return allowed

    return drive


async def bindgroup(b: Bench, user: SimUser, scope: str) -> bool:
    group = b.sim.add_group("矩阵测试群", supergroup=True)
    answer = await b.say(user, "/bindgroup SCH002", group)
    bound = await groups.unit_of_group(b.db, group.id)
    assert (bound is not None) == ("本群今后接收" in answer) != refused(answer), answer
    return bound is not None


# -- ledger buttons ----------------------------------------------------------------------------


async def ledger_unit_page(b: Bench, user: SimUser, scope: str) -> bool:
    unit = unit_of(scope)
    notice = await press(b, user, f"ledger:v1:u:{b.unit_ids[unit]}.0")
    name = "城关第一中学" if unit == "SCH001" else "城关第二小学"

    async def shown() -> bool:
        page = await last_text(b, user)
        return name in page and "整改" in page

    ok = await effect(notice, shown)
    assert refused(notice) != ok, notice
    return ok


async def ledger_open_item(b: Bench, user: SimUser, scope: str) -> bool:
    made = await item(b, unit_of(scope), description=f"矩阵查看{scope}")
    notice = await press(b, user, f"ledger:v1:o:{made.id}")

    async def shown() -> bool:
        return made.description in await last_text(b, user)

    ok = await effect(notice, shown)
    assert refused(notice) != ok, notice
    return ok


async def ledger_add(b: Bench, user: SimUser, scope: str) -> bool:
    before = b.sim.bot_messages(user)[-1:] if b.sim.bot_messages(user) else []
    notice = await press(b, user, f"ledger:v1:add:{b.unit_ids[unit_of(scope)]}")

    async def question() -> bool:
        return b.sim.bot_messages(user)[-1:] != before and "类" in await last_text(b, user)

    asked = await effect(notice, question)
    if asked:
        await cancel(b, user)
    assert refused(notice) != asked, notice
    return asked


async def status_of(b: Bench, item_id: int) -> str:
    async with b.db.session() as session:
        found = (await session.exec(select(LedgerItem).where(LedgerItem.id == item_id))).one()
        return found.status


async def ledger_verify(b: Bench, user: SimUser, scope: str) -> bool:
    done = await item(b, unit_of(scope), status=LedgerStatus.RECTIFIED, by=b.people.head)
    assert done.id is not None
    notice = await press(b, user, f"ledger:v1:vf:{done.id}.{done.version}")

    async def moved() -> bool:
        assert done.id is not None
        return await status_of(b, done.id) == LedgerStatus.VERIFIED.value

    verified = await effect(notice, moved)
    assert refused(notice) != verified, notice
    return verified


async def ledger_edit_measure(b: Bench, user: SimUser, scope: str) -> bool:
    made = await item(b, unit_of(scope))
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, f"ledger:v1:em:{made.id}.{made.version}")

    async def question() -> bool:
        return len(b.sim.bot_messages(user)) > count and "措施" in await last_text(b, user)

    asked = await effect(notice, question)
    if asked:
        await cancel(b, user)
    assert refused(notice) != asked, notice
    return asked


async def sign_offs(b: Bench, unit: str) -> int:
    return await b.count(SignOff, SignOff.unit_id == b.unit_ids[unit])


async def ledger_sign_off(b: Bench, user: SimUser, scope: str) -> bool:
    unit = unit_of(scope)
    seen = await sign_offs(b, unit)
    notice = await press(b, user, f"ledger:v1:sy:{b.unit_ids[unit]}.{seen}")

    async def recorded() -> bool:
        return await sign_offs(b, unit) == seen + 1

    signed = await effect(notice, recorded)
    assert refused(notice) != signed, notice
    return signed


async def ledger_chase(b: Bench, user: SimUser, scope: str) -> bool:
    """催办 is a district head's (none in this matrix): a unit head may not chase their own
    school or a neighbour, staff use their own tools."""
    unit = unit_of(scope)
    before = await b.count(ReminderOutbox, ReminderOutbox.rule == "district_chase")
    notice = await press(b, user, f"ledger:v1:ch:{b.unit_ids[unit]}")

    async def recorded() -> bool:
        return await b.count(ReminderOutbox, ReminderOutbox.rule == "district_chase") > before

    chased = await effect(notice, recorded)
    assert refused(notice) != chased, notice
    return chased


@dataclass(frozen=True)
class Action:
    name: str
    drive: Drive
    expected: dict[str, str]
    """Per role: one letter per scope ("Y"/"N"), or one for an action without a unit."""


def roles(*cells: str) -> dict[str, str]:
    return dict(zip(ROLES, cells, strict=True))


# -- forms ------------------------------------------------------------------------------------


def forms_text(data: str, mark: str) -> Drive:
    """A made-up press on a forms button; allowed when a message with `mark` follows."""

    async def drive(b: Bench, user: SimUser, scope: str) -> bool:
        count = len(b.sim.bot_messages(user))
        notice = await press(b, user, data)

        async def shown() -> bool:
            return any(mark in m.text for m in b.sim.bot_messages(user)[count:])

        allowed = await effect(notice, shown)
        assert refused(notice) != allowed, notice
        if allowed and data.startswith("form:"):
            await cancel(b, user)  # the press opened the form: leave it
        return allowed

    return drive


async def forms_export(b: Bench, user: SimUser, scope: str) -> bool:
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, "formst:v1:csv:monthly_progress")
    sent = not refused(notice) and await arrives(b, user, count, "document")
    assert refused(notice) != sent, notice
    return sent


ACTIONS = [
    Action(
        "/report", command("/report", "第 1 步", opens_form=True), roles("N", "Y", "Y", "Y", "N")
    ),
    Action("/mine", command("/mine", "反映"), roles("N", "Y", "Y", "Y", "N")),
    Action("/ledger", command("/ledger", "台账"), roles("N", "Y", "Y", "Y", "Y")),
    Action("/overdue", command("/overdue", "逾期"), roles("N", "N", "Y", "Y", "Y")),
    Action("/stats", command("/stats", "统计"), roles("N", "N", "Y", "Y", "Y")),
    Action("/export", command("/export", "文件"), roles("N", "N", "Y", "Y", "Y")),
    Action("/inbox", command("/inbox", "案件"), roles("N", "N", "N", "Y", "Y")),
    Action(
        "/complain", command("/complain", "匿名", opens_form=True), roles("Y", "Y", "Y", "Y", "Y")
    ),
    Action(
        "/status", command("/status", "回执码", opens_form=True), roles("Y", "Y", "Y", "Y", "Y")
    ),
    Action("/bindgroup (group)", bindgroup, roles("N", "N", "N", "N", "Y")),
    Action("/members SCH001", command("/members SCH001", "共"), roles("N", "N", "Y", "N", "Y")),
    Action("/invite SCH001", command("/invite SCH001", "邀请"), roles("N", "N", "Y", "N", "Y")),
    Action("people: unit list", unit_list, roles("NN", "NN", "YN", "NN", "YY")),
    Action("people: person card", person_card, roles("NN", "NN", "YN", "NN", "YY")),
    Action("people: make unit head", change("r"), roles("NN", "NN", "YN", "NN", "YY")),
    Action("people: move (same district)", change("mv"), roles("NN", "NN", "NN", "NN", "YY")),
    Action("people: deactivate", change("dx"), roles("NN", "NN", "YN", "NN", "YY")),
    Action("people: withdraw invite", revoke_invite, roles("NN", "NN", "YN", "NN", "YY")),
    Action("ledger: unit page", ledger_unit_page, roles("NN", "NN", "YN", "YY", "YY")),
    Action("ledger: open item", ledger_open_item, roles("NN", "NN", "YN", "YY", "YY")),
    Action("ledger: add", ledger_add, roles("NN", "NN", "YN", "NN", "YY")),
    Action("ledger: edit measure", ledger_edit_measure, roles("NN", "NN", "YN", "NN", "YY")),
    Action("ledger: verify", ledger_verify, roles("NN", "NN", "NN", "YY", "YY")),
    Action("ledger: sign off", ledger_sign_off, roles("NN", "NN", "YN", "NN", "NN")),
    Action("ledger: chase a school", ledger_chase, roles("NN", "NN", "NN", "NN", "NN")),
    Action("stats: chart", stats_chart, roles("N", "N", "Y", "Y", "Y")),
    Action("export: ledger.csv", export_file("ledger"), roles("N", "N", "Y", "Y", "Y")),
    Action("export: cases.csv", export_file("cases"), roles("N", "N", "N", "Y", "Y")),
    Action("inbox: open case", inbox_open, roles("NN", "NN", "NN", "YY", "YY")),
    Action("inbox: accept case", inbox_accept, roles("NN", "NN", "NN", "YY", "NN")),
    Action("inbox: reply (owner's)", inbox_owned("reply"), roles("NN", "NN", "NN", "YY", "NN")),
    Action(
        "inbox: close (answered)",
        inbox_owned("close", answered=True),
        roles("NN", "NN", "NN", "YY", "NN"),
    ),
    Action("inbox: dispatch", inbox_owned("dispatch"), roles("NN", "NN", "NN", "YY", "NN")),
    Action("inbox: transfer", transfer, roles("NN", "NN", "NN", "YY", "NN")),
    Action("complaint card: reply", hotline_card("reply"), roles("N", "N", "N", "Y", "Y")),
    Action(
        "forms: answer (unit heads)",
        forms_text("form:v1:pick:monthly_progress", "第 1 题"),
        roles("N", "N", "Y", "N", "N"),
    ),
    Action(
        "forms: who has not answered",
        forms_text("formst:v1:view:monthly_progress", "已填报"),
        roles("N", "N", "Y", "Y", "Y"),
    ),
    Action(
        "forms: public links",
        forms_text("formst:v1:links:parent_satisfaction", "各单位专用链接"),
        roles("N", "N", "N", "Y", "Y"),
    ),
    Action("forms: export", forms_export, roles("N", "N", "Y", "Y", "Y")),
    # The loop of a case (issue 14).
    Action("inbox: verification queue", verification_queue, roles("N", "N", "N", "Y", "Y")),
    Action("inbox: answer and close", inbox_answer, roles("NN", "NN", "NN", "YY", "NN")),
    Action(
        "inbox: send prepared answer",
        inbox_answer_as_prepared,
        roles("NN", "NN", "NN", "YY", "NN"),
    ),
    Action("complaint card: accept", complaint_card_accept, roles("N", "N", "N", "Y", "N")),
    Action("report: rate the answer", report_rating, roles("NN", "YN", "NN", "NN", "NN")),
    Action("complaint card: reject", hotline_card("reject"), roles("N", "N", "N", "Y", "Y")),
    Action("ledger: ask extension", ledger_ask_extension, roles("NN", "NN", "YN", "NN", "NN")),
    Action("extension: approve", extension_decide, roles("NN", "NN", "NN", "YY", "NN")),
    Action("close: record finding", close_finding, roles("NN", "NN", "NN", "YY", "NN")),
    Action("/intake", command("/intake", "渠道", opens_form=True), roles("N", "N", "N", "Y", "Y")),
    Action("intake: register a case", intake_register, roles("N", "N", "N", "Y", "Y")),
    Action(
        "export: accountability.csv",
        export_file("accountability"),
        roles("N", "N", "N", "Y", "Y"),
    ),
]


@pytest.mark.parametrize("action", [pytest.param(a, id=a.name) for a in ACTIONS])
async def test_authorisation(request: pytest.FixtureRequest, bench: Bench, action: Action) -> None:
    seen: dict[str, str] = {}
    wrong: list[str] = []
    for role in ROLES:
        user = actor(bench, role)
        expected = action.expected[role]
        scopes = ("own", "other") if len(expected) == 2 else ("-",)
        got = ""
        for scope, want in zip(scopes, expected, strict=True):
            allowed = await action.drive(bench, user, scope)
            got += "Y" if allowed else "N"
            if ("Y" if allowed else "N") != want:
                wrong.append(f"{role}/{scope}: expected {want}")
        seen[role] = got if got == expected else f"{got}≠{expected}"
    row(request, TITLE, HEADERS, (action.name, *(seen[r] for r in ROLES)))
    assert not wrong, wrong
