"""Hostile input against the staff side: other units' item numbers in forged ledger buttons,
stale versions, double and triple verification, sign-off by a member, the hotline card's
buttons pressed by someone who is not staff, made-up inbox, stats, export and overdue
buttons, HTML and 10 000 characters in /bindgroup and the ledger's own form."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from domain.ledger.rules import LedgerStatus
from storage.membership import groups
from storage.models import AuditEvent, LedgerItem, SignOff
from tests.hostile.bench import Bench
from tests.hostile.cases import Case, params, run
from tests.hostile.matrix_support import NEUTRAL
from tests.hostile.seed import item

pytestmark = pytest.mark.asyncio(loop_scope="module")
TITLE = "Hostile input: staff buttons and commands"


async def status_of(b: Bench, item_id: int) -> tuple[str, int]:
    async with b.db.session() as session:
        found = (await session.exec(select(LedgerItem).where(LedgerItem.id == item_id))).one()
        return found.status, found.version


async def notice(b: Bench, user: Any, data: str, chat: Any = None) -> str:
    """A forged press on the user's last bot message; the notice it got (never silent)."""
    if not b.sim.bot_messages(chat if chat is not None else user):
        await b.h.ask(user, "/help", chat=chat)
    answered = await b.answer_of(await b.forge(user, data, chat))
    await b.sim.wait_confirmed()
    return answered or "(answered without a notice)"


async def other_units_item(b: Bench) -> str:
    mine = await item(b, "SCH001")
    stranger_head = b.people.head2  # head of SCH002
    got = await notice(b, stranger_head, f"ledger:v1:o:{mine.id}")
    assert got == NEUTRAL
    assert mine.description not in b.last(stranger_head).text
    return got


async def other_units_page(b: Bench) -> str:
    got = await notice(b, b.people.head2, f"ledger:v1:u:{b.unit_ids['SCH001']}.0")
    assert got == NEUTRAL
    return got


async def member_opens_unassigned_item(b: Bench) -> str:
    mine = await item(b, "SCH001")
    got = await notice(b, b.people.member, f"ledger:v1:o:{mine.id}")
    assert got == NEUTRAL
    return got


async def stale_version_verify(b: Bench) -> str:
    done = await item(b, status=LedgerStatus.RECTIFIED, by=b.people.head)
    assert done.id is not None
    got = await notice(b, b.people.handler, f"ledger:v1:vf:{done.id}.{done.version + 7}")
    assert "已有变动" in got
    assert await status_of(b, done.id) == (LedgerStatus.RECTIFIED.value, done.version)
    return got


async def triple_verify(b: Bench) -> str:
    done = await item(b, status=LedgerStatus.RECTIFIED, by=b.people.head)
    assert done.id is not None
    handler = b.people.handler
    await b.h.ask(handler, "/help")
    data = f"ledger:v1:vf:{done.id}.{done.version}"
    queries = [await b.forge(handler, data) for _ in range(3)]
    answers = [await b.answer_of(q) for q in queries]
    await b.sim.wait_confirmed()
    assert (await status_of(b, done.id))[0] == LedgerStatus.VERIFIED.value
    verified = await b.count(
        AuditEvent,
        AuditEvent.subject_id == str(done.id),
        AuditEvent.to_value == LedgerStatus.VERIFIED.value,
    )
    assert verified == 1
    return f"1 verification; notices {answers}"


async def member_verifies(b: Bench) -> str:
    done = await item(b, status=LedgerStatus.RECTIFIED, by=b.people.head)
    assert done.id is not None
    got = await notice(b, b.people.member, f"ledger:v1:vf:{done.id}.{done.version}")
    assert got == NEUTRAL
    assert (await status_of(b, done.id))[0] == LedgerStatus.RECTIFIED.value
    return got


async def member_signs_off(b: Bench) -> str:
    before = await b.count(SignOff)
    got = await notice(b, b.people.member, f"ledger:v1:sy:{b.unit_ids['SCH001']}.0")
    assert got == NEUTRAL
    got2 = await notice(b, b.people.head2, f"ledger:v1:sy:{b.unit_ids['SCH001']}.0")
    assert got2 == NEUTRAL
    assert await b.count(SignOff) == before
    return got


async def malformed_ledger_ids(b: Bench) -> str:
    got = [
        await notice(b, b.people.handler, data)
        for data in ("ledger:v1:o:abc", "ledger:v1:o:", "ledger:v1:u:1.2.3.4", "ledger:v1:o:-1")
    ]
    return f"{got}"


async def ledger_add_long(b: Bench) -> str:
    head = b.people.head
    await b.h.ask(head, "/ledger")
    await b.press(head, "➕ 新增问题")
    categories = b.last(head)
    await b.sim.press_button(head, categories.buttons[0][0])
    await b.next(head)
    before = await b.count(LedgerItem)
    answer = await b.say(head, "长" * 10_000)
    assert "10000" in answer
    await b.say(head, "/cancel")
    assert await b.count(LedgerItem) == before
    return answer


async def hotline_card_by_member(b: Bench) -> str:
    got = await notice(b, b.people.member, "hotline:v1:close:AB12CD", b.staff)
    assert got == NEUTRAL
    return got


async def hotline_card_unknown(b: Bench) -> str:
    got = await notice(b, b.people.handler, "hotline:v1:close:ZZ99ZZ", b.staff)
    got2 = await notice(b, b.people.handler, "hotline:v1:drop_table:<b>", b.staff)
    assert got and got2
    return f"{got} / {got2}"


async def inbox_by_member(b: Bench) -> str:
    got = await notice(b, b.people.member, "inbox:v1:open:1")
    assert got == NEUTRAL
    return got


async def inbox_missing_case(b: Bench) -> str:
    return await notice(b, b.people.handler, "inbox:v1:open:99999999")


async def export_by_member(b: Bench) -> str:
    got = await notice(b, b.people.member, "export:v1:ledger:xlsx")
    assert got == NEUTRAL
    return got


async def stats_junk(b: Bench) -> str:
    return await notice(b, b.people.head, "stats:v1:chart:<script>")


async def overdue_by_member(b: Bench) -> str:
    got = await notice(b, b.people.member, "overdue:v1:page:0")
    assert got == NEUTRAL
    assert "会议室" not in b.last(b.people.member).text
    return got


async def bindgroup_html(b: Bench) -> str:
    group = b.sim.add_group("管理员的群", supergroup=True)
    answer = await b.say(b.people.admin, "/bindgroup <b>X</b>&", group)
    assert "<b>X</b>&" in answer or "/bindgroup SCH001" in answer  # echoed escaped, or usage
    long = await b.say(b.people.admin, "/bindgroup " + "长" * 10_000, group)
    assert long
    assert await groups.unit_of_group(b.db, group.id) is None
    return answer


async def head_commands_in_unknown_group(b: Bench) -> str:
    group = b.sim.add_group("别人的群", supergroup=True)
    answers = [await b.say(b.people.head, c, group) for c in ("/ledger", "/inbox", "/stats")]
    assert "私聊" in answers[0] and "只有承办人员" in answers[1]
    await b.sim.send_command(b.people.head, "/mine", chat=group)
    await b.silence(group)  # not a group command (the group menu lists help, report, …)
    return f"{[a[:16] for a in answers]}; /mine: silence"


async def junk_arguments(b: Bench) -> str:
    handler = b.people.handler
    answers = []
    for command in (
        "/stats <script>alert(1)</script>",
        "/export ../../etc/passwd",
        "/inbox " + "長" * 500,
        "/overdue pause <b>SCH001</b>",
        "/ledger 1 2 3 &amp;",
        "/language <i>xx</i>",
        "/mine " + "\u202e" * 20,
    ):
        await b.sim.drain(handler)
        answers.append(await b.say(handler, command))
        await b.quiet(handler)
    assert all(answers)
    return f"{len(answers)} answered: " + " | ".join(a[:12] for a in answers)


CASES = [
    Case(
        "ledger-other-units-item",
        "ledger:v1:o:<SCH001 item> by SCH002 head",
        "refused, no text",
        other_units_item,
    ),
    Case(
        "ledger-other-units-page",
        "ledger:v1:u:<SCH001>.0 by SCH002 head",
        "refused",
        other_units_page,
    ),
    Case(
        "ledger-member-opens-item",
        "ledger:v1:o:<item> by a member",
        "refused",
        member_opens_unassigned_item,
    ),
    Case(
        "ledger-stale-version",
        "ledger:v1:vf:<id>.<version+7>",
        "changed since, no move",
        stale_version_verify,
    ),
    Case("ledger-triple-verify", "verify ×3", "one verification event", triple_verify),
    Case(
        "ledger-member-verifies", "ledger:v1:vf by a member", "refused, unchanged", member_verifies
    ),
    Case(
        "ledger-forged-sign-off",
        "ledger:v1:sy by member / other head",
        "refused, no sign-off",
        member_signs_off,
    ),
    Case("ledger-malformed-ids", "ledger:v1:o:abc …", "answered", malformed_ledger_ids),
    Case("ledger-add-10000", "10 000 chars", "limit named, nothing added", ledger_add_long),
    Case(
        "hotline-card-by-member", "hotline:v1:close by a member", "refused", hotline_card_by_member
    ),
    Case("hotline-card-unknown", "hotline:v1:close:<none> …", "answered", hotline_card_unknown),
    Case("inbox-by-member", "inbox:v1:open:1 by a member", "refused", inbox_by_member),
    Case("inbox-missing-case", "inbox:v1:open:99999999", "answered", inbox_missing_case),
    Case("export-by-member", "export:v1:ledger:xlsx by a member", "refused", export_by_member),
    Case("stats-junk-chart", "stats:v1:chart:<script>", "answered", stats_junk),
    Case(
        "overdue-by-member",
        "overdue:v1:page:0 by a member",
        "refused (as stale)",
        overdue_by_member,
    ),
    Case(
        "bindgroup-html-and-long",
        "/bindgroup <b>X</b>& ; 10 000 chars",
        "escaped or usage, unbound",
        bindgroup_html,
    ),
    Case(
        "junk-command-arguments",
        "/stats <script>, /export ../, /inbox 長×500, …",
        "each answered",
        junk_arguments,
        may_name=("刘干事",),
    ),
    Case(
        "staff-commands-in-group",
        "/ledger /inbox /stats /mine in a group",
        "private offer / refusal; /mine silent",
        head_commands_in_unknown_group,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
async def test_hostile_staff_input(
    request: pytest.FixtureRequest, bench: Bench, case: Case
) -> None:
    await run(request, bench, case, TITLE)
