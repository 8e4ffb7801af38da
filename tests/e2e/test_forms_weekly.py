"""A weekly form for the school cadres (the "124" duty's marks), through the real bot and the
simulator: only cadres are asked and may answer; the ladder before each Friday; one answer per
week; the late notice and the staff chat's missing list on the first working day after the
due day (the missing list; the person only while the week still takes an answer); the next
week a period of its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from bot.config.forms import FormConfig
from domain.membership.roles import Role
from simulator import SimUser
from storage.duties import checkins
from storage.models import FormAnswer
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.reminder_support import World, world

WEEKLY = FormConfig.model_validate(
    {
        "key": "duty_week",
        "title": "每周住校值守情况",
        "title_en": "Weekly boarding duty report",
        "audience": "cadres",
        "opens": "2027-03-01",
        "closes": "2027-04-30",
        "repeat": "weekly",
        "due_day": 4,  # Friday
        "ladder": [1, 0],
        "questions": [
            {"key": "nights", "type": "number", "text": "本周住校值守天数", "text_en": "Nights"}
        ],
    }
)


def shanghai(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour - 8, minute, tzinfo=UTC)


async def answer(w: World, user: SimUser, nights: str) -> str:
    """Fill the form in from /forms; the bot's last word."""
    await w.sim.drain(user)
    await w.sim.send_command(user, "/forms")
    listed = await w.sim.next_message(user)
    await w.sim.press_button(user, listed.buttons[0][0])
    first = await w.sim.next_message(user)
    if "本周住校值守天数" not in first.text:
        return first.text
    await w.sim.send_text(user, nights)
    await w.sim.next_message(user)  # the summary
    await w.sim.press_button(user, "✅ 提交")
    return (await w.sim.next_message(user)).text


async def test_a_weekly_form_for_cadres_across_two_weeks(tmp_path: Path) -> None:
    async with world(tmp_path, start=shanghai(3, 15, 8), forms=(WEEKLY,)) as w:  # Monday
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        first, second = w.sim.add_user("一中干部"), w.sim.add_user("二小干部")
        plain = w.sim.add_user("普通教师")
        cadres = [
            await w.register(first, Role.MEMBER),
            await w.register(second, Role.MEMBER, unit="SCH002"),
        ]
        await w.register(plain, Role.MEMBER)
        for member_id in cadres:
            await checkins.set_cadre(w.db, member_id, on=True, now=w.clock.now())
        counts = {u.id: len(w.sim.bot_messages(u)) for u in (first, second, plain)}

        # Thursday: the day before the due day, both cadres are reminded; nobody else.
        w.clock.set(shanghai(3, 18))
        await w.engine.sweep_once()
        for cadre in (first, second):
            reminder = await w.sim.next_message(cadre)
            assert "每周住校值守情况" in reminder.text and "2027年3月19日" in reminder.text
        assert len(w.sim.bot_messages(plain)) == counts[plain.id]
        # A member who is no cadre is not in the audience, even by the form's button.
        await w.sim.send_command(plain, "/forms")
        assert "每周住校值守情况" not in (await w.sim.next_message(plain)).text

        assert "已提交" in await answer(w, first, "4")
        assert "已填报过" in await answer(w, first, "5")  # once a week

        # Friday, the due day: only the cadre who has not answered hears again.
        w.clock.set(shanghai(3, 19))
        await w.engine.sweep_once()
        assert "每周住校值守情况" in (await w.sim.next_message(second)).text
        await w.sim.wait_confirmed(settle=0.1)
        assert len(w.sim.bot_messages(first)) == counts[first.id] + 1 + 6

        # Staff see who has not answered this week.
        await w.sim.send_command(admin, "/forms")
        await w.sim.next_message(admin)
        await w.sim.press_button(admin, "📋 每周住校值守情况")
        page = await w.sim.next_message(admin)
        assert "已填报：1 / 2" in page.text and "二小干部" in page.text
        assert "一中干部" not in page.text

        # The weekend is no working day: the missing list waits for Monday, the first working
        # day after the due day. A new week has begun by then: the cadre who did not answer
        # cannot answer last week's any more, so no "late" notice tells them to.
        second_seen = len(w.sim.bot_messages(second))
        w.clock.set(shanghai(3, 21, 10))
        await w.engine.sweep_once()
        await w.sim.wait_confirmed(settle=0.1)
        assert w.sim.bot_messages(w.staff) == []
        w.clock.set(shanghai(3, 22))
        await w.engine.sweep_once()
        missing = await w.sim.next_message(w.staff)
        assert "2027年3月19日" in missing.text
        assert "城关第二小学" in missing.text and "城关第一中学" not in missing.text
        await w.engine.sweep_once()  # once
        await w.sim.wait_confirmed(settle=0.1)
        assert len(w.sim.bot_messages(w.staff)) == 1
        assert len(w.sim.bot_messages(second)) == second_seen

        # The second week is a period of its own: the first cadre answers again, and both
        # cadres are reminded before its Friday.
        assert "已提交" in await answer(w, first, "5")
        w.clock.set(shanghai(3, 25))
        await w.engine.sweep_once()
        assert "2027年3月26日" in (await w.sim.next_message(second)).text
        await w.sim.wait_confirmed(settle=0.1)
        assert "2027年3月26日" not in w.sim.bot_messages(first)[-1].text  # answered already
        async with w.db.session() as session:
            saved = (await session.exec(select(FormAnswer).order_by(FormAnswer.id))).all()
        assert [(a.period, a.late) for a in saved] == [("2027-W11", False), ("2027-W12", False)]
