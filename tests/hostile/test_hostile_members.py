"""Hostile input from the public and from members outside /report: junk deep links, staff
commands from strangers, stickers, places, contacts and voice outside any form, an edited
message, HTML in /status (also in English), the bot added to a group nobody registered, the
complaint form against 10 000 characters, stickers and HTML, and buttons nobody made (no
route, wrong version, over 64 bytes, forged language and pages). One bot for the module."""

from __future__ import annotations

from typing import Any

import pytest

from simulator import SimUser
from storage.cases import complaints as stored_complaints
from storage.membership import groups
from storage.models import Member
from tests.hostile.bench import Bench
from tests.hostile.cases import Case, has, params, run
from tests.hostile.matrix_support import NEUTRAL
from tests.hostile.steps import (
    CONTACT,
    EDIT_NOTICE,
    HTML,
    INVALID_INVITE,
    LOCATION,
    STALE,
    STICKER,
    VOICE,
    complaints,
    member,
    reports,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
TITLE = "Hostile input: members and the public"

# -- the public --------------------------------------------------------------------------------


def start_payload(payload: str) -> Any:
    async def play(b: Bench) -> str:
        before = await b.count(Member)
        answer = await b.say(b.stranger(), f"/start {payload}")
        assert INVALID_INVITE in answer
        assert await b.count(Member) == before
        return answer

    return play


async def strangers_staff_commands(b: Bench) -> str:
    s = b.stranger()
    expected = {
        "/inbox": "只有承办人员和管理员",
        "/ledger": "只有已登记的人员",
        "/stats": "只有承办人员、单位负责人和管理员",
        "/export": "只有承办人员、单位负责人和管理员",
        "/overdue": "只有工作人员、管理员和单位负责人",
        "/mine": "只有已登记的成员",
        "/report": "只有已登记的成员",
    }
    for command, refusal in expected.items():
        assert refusal in await b.say(s, command), command
    return f"{len(expected)} refusals"


async def stranger_binds_group(b: Bench) -> str:
    s, group = b.stranger(), b.sim.add_group("陌生群", supergroup=True)
    answer = await b.say(s, "/bindgroup SCH001", group)
    assert "只有管理员" in answer
    assert await groups.unit_of_group(b.db, group.id) is None
    return answer


def odd_content(content: dict[str, Any], *expected: str) -> Any:
    async def play(b: Bench) -> str:
        s = b.stranger()
        await b.send(s, content)
        return has([await b.next(s)], *expected)

    return play


async def edited_outside(b: Bench) -> str:
    s = b.stranger()
    sent = await b.sim.send_text(s, "你好")
    await b.next(s)
    await b.edit(s, sent, "/report 改过的")
    answer = await b.next(s)
    assert EDIT_NOTICE in answer
    await b.silence(s)  # the edited "/report" opened nothing
    return answer


async def status_html(b: Bench) -> str:
    answer = await b.say(b.stranger(), "/status <b>&amp;</b><script>")
    return has([answer], "不是回执码")


async def status_english(b: Bench) -> str:
    s = b.stranger(language_code="en")
    await b.english(s)
    answer = await b.say(s, '/status <a href="x">1234</a>')
    return has([answer], "not a receipt")


async def bot_added_to_unknown_group(b: Bench) -> str:
    group = b.sim.add_group("不明来历的群", supergroup=True, bot_is_admin=False)
    inviter = b.stranger("拉群的人")
    bot = b.sim.state.bot
    member = {"id": bot.id, "is_bot": True, "first_name": bot.name, "username": bot.username}
    await b.send(inviter, {"new_chat_members": [member], "new_chat_member": member}, group)
    await b.sim.wait_confirmed()
    answer = await b.say(inviter, "/report", group)
    assert "私聊" in answer
    assert await groups.unit_of_group(b.db, group.id) is None
    return answer


# -- /complain ---------------------------------------------------------------------------------


async def complaint_to_describe(b: Bench, user: SimUser) -> None:
    await b.h.ask(user, "/complain")
    await b.press(user, "继续")
    msg = b.last(user)
    await b.sim.press_button(user, msg.buttons[0][0])
    await b.sim.wait_edit(b.sim.private_chat(user))
    await b.next(user)  # which unit?
    await b.press(user, "不知道")  # what happened?


async def complaint_long(b: Bench) -> str:
    s, before = b.stranger(), await b.count(*complaints())
    await complaint_to_describe(b, s)
    answer = await b.say(s, "长" * 10_000)
    assert "10000" in answer and "2000" in answer
    await b.say(s, "/cancel")
    assert await b.count(*complaints()) == before
    return answer


async def complaint_sticker(b: Bench) -> str:
    s = b.stranger()
    await complaint_to_describe(b, s)
    await b.send(s, STICKER)
    answer = await b.next(s)
    await b.say(s, "/cancel")
    return answer


async def complaint_html(b: Bench) -> str:
    s = b.stranger()
    await complaint_to_describe(b, s)
    await b.say(s, HTML)  # evidence prompt
    await b.press(s, "完成")
    summary = await b.press(s, "不需要通知")
    assert HTML in summary  # shown literally, nothing rendered
    answer = await b.press(s, "提交")
    stored = [v.description for v in await stored_complaints.for_staff(b.h.db)]
    assert stored == [HTML]  # stored as sent (sealed at rest, opened for staff)
    return answer


# -- buttons nobody made -----------------------------------------------------------------------


def forged(data: str, expected: str = STALE) -> Any:
    async def play(b: Bench) -> str:
        user = await member(b)
        await b.h.ask(user, "/help")
        before = await b.count(*reports())
        notice = await b.answer_of(await b.forge(user, data))
        assert notice is not None and expected in notice
        assert await b.count(*reports()) == before
        await b.silence(user)
        return notice

    return play


def forged_each(presses: tuple[str, ...]) -> Any:
    """Several forged presses by a member: each answered with a notice, nothing stored."""

    async def play(b: Bench) -> str:
        user = await member(b)
        await b.h.ask(user, "/help")
        before = await b.count(*reports())
        notices = [await b.answer_of(await b.forge(user, data)) for data in presses]
        assert all(notices), notices
        assert await b.count(*reports()) == before
        await b.silence(user)
        return " / ".join(n or "" for n in notices)

    return play


async def forged_language(b: Bench) -> str:
    user = await member(b)
    await b.h.ask(user, "/language")
    query = await b.forge(user, "lang:v1:set:xx_EVIL")
    notice = await b.answer_of(query)
    assert notice == "此按钮已失效。", notice
    legacy = await b.answer_of(await b.forge(user, "lang:v1:en"))  # the old shape: 3 parts
    assert legacy is not None
    await b.sim.wait_confirmed()
    assert "您可以使用的命令" in await b.say(user, "/help")  # still Chinese
    return notice or "(answered, no notice)"


async def forged_mine_pages(b: Bench) -> str:
    user = await member(b)
    await b.h.ask(user, "/mine")
    notices = []
    for data in ("mine:v1:reports:-3", "mine:v1:reports:0", "mine:v1:reports:0", "mine:v1:x"):
        notices.append(await b.answer_of(await b.forge(user, data)))
    return f"answered: {notices}"


CASES = [
    Case(
        "start-html-payload", "/start <b>x</b>&<i>", "invalid invite", start_payload("<b>x</b>&<i>")
    ),
    Case("start-300-chars", "/start A×300", "invalid invite", start_payload("A" * 300)),
    Case(
        "start-zero-width", "/start \\u200breport", "invalid invite", start_payload("\u200breport")
    ),
    Case(
        "start-rtl-override",
        "/start \\u202eSCH001",
        "invalid invite",
        start_payload("\u202eSCH001"),
    ),
    Case(
        "stranger-staff-commands", "/inbox /ledger /stats …", "7 refusals", strangers_staff_commands
    ),
    Case(
        "stranger-bindgroup", "/bindgroup in a group", "admins only, unbound", stranger_binds_group
    ),
    Case(
        "sticker-outside", "sticker", "commands only", odd_content(STICKER, "只能理解命令", "/help")
    ),
    Case("location-outside", "location", "an answer (check-in's)", odd_content(LOCATION)),
    Case(
        "contact-outside", "contact", "commands only", odd_content(CONTACT, "只能理解命令", "/help")
    ),
    Case(
        "voice-outside", "voice note", "commands only", odd_content(VOICE, "只能理解命令", "/help")
    ),
    Case("edited-outside", "edit to /report", "edits not read", edited_outside),
    Case("status-html", "/status <b>&amp;</b><script>", "not a receipt", status_html),
    Case("status-english", '/status <a href="x">', "not a receipt (en)", status_english),
    Case(
        "bot-in-unknown-group",
        "new_chat_members + /report",
        "private offer",
        bot_added_to_unknown_group,
    ),
    Case("complain-10000", "10 000 chars", "limit named, nothing kept", complaint_long),
    Case("complain-sticker", "sticker at describe", "asks for text", complaint_sticker),
    Case("complain-html", HTML, "shown literally, stored as sent", complaint_html),
    Case("button-no-route", "junk", "stale notice", forged("junk")),
    Case("button-wrong-version", "ledger:v2:o:1", "stale notice", forged("ledger:v2:o:1")),
    Case(
        "button-over-64-bytes",
        "report:v1:submit:x×80",
        "stale notice",
        forged("report:v1:submit:" + "x" * 80),
    ),
    Case("button-other-route-shape", "inbox:v1:", "refused", forged("inbox:v1:", NEUTRAL)),
    Case(
        "button-forged-language",
        "lang:v1:set:xx_EVIL",
        "neutral notice, language unchanged",
        forged_language,
    ),
    Case(
        "button-unicode-digits",
        "mine:v1:reports:² / ledger:v1:o:①",
        "neutral notice",
        forged_each(("mine:v1:reports:²", "ledger:v1:o:①", "leave:v1:ok:٣")),
    ),
    Case(
        "button-past-int64",
        "ledger:v1:o:2**66, inbox:v1:open:2**66",
        "neutral notice or refusal",
        forged_each((f"ledger:v1:o:{2**66}", f"inbox:v1:open:{2**66}", f"mark:v1:cadre:{2**66}")),
    ),
    Case(
        "button-empty-extra-fields",
        "ledger:v1:o:, ledger:v1:vf:1.2.3",
        "neutral notice or refusal",
        forged_each(("ledger:v1:o:", "ledger:v1:vf:1.2.3", "desk:v1:rt:1:2", "ledger:v1:add:-1")),
    ),
    Case(
        "button-forged-pages",
        "mine:v1:reports:-3, page 0 twice …",
        "answered, no crash",
        forged_mine_pages,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
async def test_hostile_input(request: pytest.FixtureRequest, bench: Bench, case: Case) -> None:
    await run(request, bench, case, TITLE)
