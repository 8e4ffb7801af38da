"""Demo scene of a case's loop (the 12345 bar: 受理 → 派单 → 办理 → 审核 → 答复 → 回访 →
(重办) → 办结): a report dispatched to the school is marked rectified, sent back with a reason,
rectified again and verified; the owner records the finding and answers with the prepared
answer; the teacher is not satisfied and says why, the case goes back to its owner (重办), who
answers again; satisfied.

And a case from the phone line (举报专线): an officer takes an anonymous call, registers it
with /intake and reads the receipt out; the caller later follows it with /status."""

from __future__ import annotations

import asyncio
import re
from contextlib import AsyncExitStack
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.demo.stage import reminder_engine
from bot.reminders.notices import NoticeSource
from bot.reminders.sweep import ReminderEngine
from domain.cases.reports import ReportDraft
from domain.desk.rules import Actor
from domain.membership.roles import Role
from simulator import SimUser
from storage.cases import reports
from storage.desk import actions as desk
from storage.membership import members, units
from storage.reminders.outbox import busy as outbox_busy

if TYPE_CHECKING:
    from bot.demo.stage import Stage


async def _member(stage: Stage, user: SimUser) -> Actor:
    found = await members.by_telegram_id(stage.db, user.id)
    assert found is not None
    return Actor(Role(found.member.role), found.member.id, found.member.unit_id)


async def _notices(stage: Stage, engine: ReminderEngine) -> None:
    """Deliver what the last step wrote into the outbox through the paced sender (the bot
    kicks its own engine after a button; a step the demo takes in storage needs a sweep)."""
    await stage.sim.wait_confirmed()
    await engine.sweep_once()
    for _ in range(200):  # the bot's own kicked sweep may still be sending
        if not await outbox_busy(stage.db):
            break
        await asyncio.sleep(0.02)
    await stage.sim.wait_confirmed()


def _rating_button(stage: Stage, row: int) -> str:
    """The rating buttons of the latest answer, which speak the teacher's language."""
    asked = [m for m in stage.sim.bot_messages(stage.teacher) if len(m.buttons) == 3]
    return asked[-1].buttons[row][0]


def _office_hours(stage: Stage) -> None:
    """Notices wait out the quiet hours: the scene plays at 10:00 on the day (or the next)."""
    local = stage.clock.now().astimezone(stage.t.timezone)
    day = local.date() if local.time() < time(10, 0) else local.date() + timedelta(days=1)
    stage.clock.set(datetime.combine(day, time(10, 0), tzinfo=stage.t.timezone))


async def _rectify(stage: Stage, note: str) -> None:
    sim, head, t = stage.sim, stage.head, stage.t
    chat = sim.private_chat(head)
    await sim.drain(chat)
    await sim.send_command(head, "/ledger")
    listing = await sim.next_message(chat)
    problem = t.gettext("The canteen's accounts are not made public.")[:10]
    await sim.press_button(head, next(b for r in listing.buttons for b in r if problem in b))
    await sim.wait_edit(chat)
    await sim.press_button(head, t.gettext("Mark rectified"))
    await sim.next_message(chat)
    await sim.send_text(head, note)
    await sim.next_message(chat)
    await sim.press_button(head, t.gettext("Done"))
    await sim.next_message(chat)


async def scene_loop(stage: Stage) -> None:
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(reminder_engine(stage, None))
        engine.sources.append(NoticeSource())
        _office_hours(stage)
        await _play(stage, engine)


async def _play(stage: Stage, engine: ReminderEngine) -> None:
    t, sim = stage.t, stage.sim
    officer = sim.add_user("人事股 陈干事")
    chat, teacher_chat = sim.private_chat(officer), sim.private_chat(stage.teacher)
    await sim.send_command(
        officer, "/start", await stage.invite(Role.CASE_OFFICER, unit_code="RSG")
    )
    await sim.next_message(chat)
    stage.narrate(
        t.gettext(
            "The loop of a case: a teacher's report, accepted by an officer and dispatched to "
            "the school with a deadline (as in the inbox scene)."
        )
    )
    teacher = await _member(stage, stage.teacher)
    school = await units.by_code(stage.db, "SCH001")
    assert school is not None and school.id is not None and teacher.member_id is not None
    now = stage.clock.now()
    filed = await reports.submit_report(
        stage.db,
        author_member_id=teacher.member_id,
        draft=ReportDraft(
            "slow",
            school.id,
            t.gettext("The canteen's accounts are not made public."),
            None,
            [],
            False,
        ),
        year=now.year,
        today=now.date(),
        now=now,
    )
    owner = await _member(stage, officer)
    case_id = filed.case_id
    await desk.accept(stage.db, case_id, owner, today=now.date(), now=now)
    await desk.dispatch(
        stage.db,
        case_id,
        owner,
        now.date() + timedelta(days=30),
        t.gettext("Publish the canteen's accounts every month."),
        today=now.date(),
        now=now,
    )
    await _notices(stage, engine)

    stage.narrate(t.gettext("The head marks the item rectified; the officer is told at once."))
    await _rectify(stage, t.gettext("The accounts are on the notice board."))
    await _notices(stage, engine)
    await sim.drain(chat)

    stage.narrate(t.gettext("The officer checks the verification queue and sends it back."))
    await sim.press_button(officer, t.gettext("Awaiting verification"))
    queue = await sim.next_message(chat)
    await sim.press_button(officer, queue.buttons[0][0])
    await sim.wait_edit(chat)
    await sim.press_button(officer, t.gettext("Send back"))
    await sim.next_message(chat)
    await sim.send_text(officer, t.gettext("The parents' committee has not signed them."))
    await sim.next_message(chat)
    await _notices(stage, engine)

    stage.narrate(t.gettext("The school completes it; the officer verifies it (销号)."))
    await _rectify(stage, t.gettext("Signed by the parents' committee and posted for a month."))
    await _notices(stage, engine)
    await sim.drain(chat)
    await sim.send_command(officer, "/inbox", "verify")
    queue = await sim.next_message(chat)
    await sim.press_button(officer, queue.buttons[0][0])
    await sim.wait_edit(chat)
    await sim.press_button(officer, t.gettext("✅ Verify"))
    await sim.wait_edit(chat)
    await sim.next_message(chat)

    stage.narrate(
        t.gettext(
            "The officer records what the report was found to be, then answers the teacher "
            "with the prepared answer."
        )
    )
    await sim.press_button(officer, t.gettext("Answer and close"))
    findings = await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("Substantiated"))
    await sim.wait_edit(findings)
    await sim.press_button(officer, t.gettext("Done: close the case"))
    await sim.next_message(chat)
    await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("Send this answer and close"))
    await sim.next_message(chat)
    await _notices(stage, engine)

    stage.narrate(t.gettext("The teacher is not satisfied and says why: the case is re-handled."))
    await sim.drain(teacher_chat)
    await sim.press_button(stage.teacher, _rating_button(stage, 2))  # in the teacher's language
    prompt = await sim.next_message(teacher_chat)
    await sim.send_text(stage.teacher, t.gettext("Only one month was posted."), reply_to=prompt)
    await sim.next_message(teacher_chat)
    await _notices(stage, engine)

    stage.narrate(
        t.gettext("The officer answers again and closes; this time the teacher is satisfied.")
    )
    now = stage.clock.now()
    await desk.reply(
        stage.db,
        case_id,
        owner,
        t.gettext("The whole year's accounts are now posted and will stay up."),
        today=now.date(),
        now=now,
    )
    await desk.close(stage.db, case_id, owner, t.gettext("Re-handled."), today=now.date(), now=now)
    await _notices(stage, engine)
    await sim.drain(teacher_chat)
    await sim.press_button(stage.teacher, _rating_button(stage, 0))
    await sim.next_message(teacher_chat)


RECEIPT = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


async def scene_phone_line(stage: Stage) -> None:
    """An anonymous call to the reporting line, registered with /intake; /status later."""
    t, sim = stage.t, stage.sim
    officer = sim.add_user("纪检组 林干事")
    chat = sim.private_chat(officer)
    await sim.send_command(
        officer, "/start", await stage.invite(Role.CASE_OFFICER, unit_code="RSG")
    )
    await sim.next_message(chat)
    stage.narrate(
        t.gettext(
            "A parent calls the reporting line (举报专线) and will not give a name. The officer "
            "registers the call with /intake, step by step."
        )
    )
    await sim.send_command(officer, "/intake")
    await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("phone line"))
    await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("Today"))
    await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("Anonymous"))
    await sim.next_message(chat)
    await sim.send_text(officer, "SCH001")
    found = await sim.next_message(chat)
    await sim.press_button(officer, found.buttons[0][0])
    categories = await sim.next_message(chat)
    await sim.press_button(officer, categories.buttons[0][0])
    await sim.next_message(chat)
    await sim.send_text(
        officer, t.gettext("The caller says the school charges for extra classes after hours.")
    )
    await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("Done"))
    await sim.next_message(chat)
    await sim.press_button(officer, t.gettext("Register the case"))
    registered = await sim.next_message(chat)
    receipt = RECEIPT.search(registered.text)
    assert receipt is not None, registered.text
    await sim.wait_confirmed()

    stage.narrate(
        t.gettext(
            "The officer reads the receipt out on the phone. Nothing about the caller is "
            "stored. Days later the caller follows the case in the bot with /status."
        )
    )
    caller = sim.add_user("来电家长")
    caller_chat = sim.private_chat(caller)
    await sim.send_command(caller, "/status", receipt.group(0))
    await sim.next_message(caller_chat)
    await sim.press_button(caller, t.gettext("Done"))
    await sim.next_message(caller_chat)
