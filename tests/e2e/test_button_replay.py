"""Every button is bound to the person it was shown to: the callback data of every button a
member was shown while filing a report, replayed by another member of the unit, a member of
another unit and a stranger, reveals nothing of the first member's report and changes nothing.

The report's "already submitted" memory is the bot's one memory reached by callback data
(keyed by the draft's token); it answers only the person who filed."""

from __future__ import annotations

import asyncio

from simulator import SimUser
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.report_helpers import file_report_until_summary, own_reports

DESCRIPTION = "校长办公室的账目三年没有公开。"


def _callback_data(harness: Harness, user: SimUser) -> list[str]:
    found = []
    for message in harness.sim.bot_messages(user):
        markup = message.raw.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            found += [b["callback_data"] for b in row if "callback_data" in b]
    return list(dict.fromkeys(found))


async def _replay(harness: Harness, who: SimUser, data: str) -> tuple[str | None, list[str]]:
    """`who` presses a button carrying `data` on the bot's last message in their chat."""
    chat = harness.sim.private_chat(who)
    before = len(harness.sim.bot_messages(who))
    query = await forge_press(harness.sim, who, chat, data)
    answer = await answer_of(harness.sim, query)
    await harness.sim.wait_confirmed()
    await asyncio.sleep(0.05)
    return answer, [m.text for m in harness.sim.bot_messages(who)[before:]]


async def test_replayed_report_buttons_reveal_and_change_nothing(harness: Harness) -> None:
    sim = harness.sim
    author = sim.add_user("王老师", username="wang_teacher_A")
    colleague, elsewhere = sim.add_user("李老师"), sim.add_user("赵老师")
    stranger = sim.add_user("路人")
    await harness.register(author)
    await harness.register(colleague)
    await harness.register(elsewhere, unit_code="SCH002")
    await harness.ask(stranger, "/help")
    await file_report_until_summary(harness, author, description=DESCRIPTION)
    shown = _callback_data(harness, author)
    assert any(d.startswith("report:v1:submit:") for d in shown)
    await sim.press_button(author, "提交")
    filed = (await sim.next_message(author)).text
    number = filed[filed.index("R-2027-") :][:11]
    # The author's own second press (a client that kept the button) still names the report.
    submit = next(d for d in shown if d.startswith("report:v1:submit:"))
    answer, _said = await _replay(harness, author, submit)
    assert answer == f"已提交，编号 {number}。"

    secrets = (number, DESCRIPTION, "王老师", "wang_teacher_A")
    for presser in (colleague, elsewhere, stranger):
        for data in shown:
            answer, said = await _replay(harness, presser, data)
            told = " ".join([answer or "", *said])
            assert not any(s in told for s in secrets), (presser.first_name, data, told)
            if data.startswith("report:v1:submit:"):
                assert answer == "此按钮已失效。"  # the same as any stale button
    reports = await own_reports(harness, author)
    assert [(r.number, r.status) for r in reports] == [(number, "received")]
    for presser in (colleague, elsewhere):
        assert await own_reports(harness, presser) == []
