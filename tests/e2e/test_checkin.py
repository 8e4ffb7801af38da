"""The "124" boarding duty through the real bot and the simulator with a travelling clock:
admins mark a boarding school and its cadres in chat; on a Monday one cadre checks in (with a
location: only its distance is kept), one is on approved leave, one is missing; the next
morning the unit head and the staff chat get the missing list; a holiday Monday has no duty."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlmodel import select

from domain.membership.roles import Role
from storage.duties import checkins
from storage.models import CheckIn
from storage.reminders import outbox as reminders
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.reminder_support import World, world


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour - 8, minute, tzinfo=UTC)


async def _share_location(w: World, user: object, lat: float, lon: float) -> None:
    # The simulator has no helper for a location message; this is how a user's one arrives.
    await w.sim._user_says(user, None, {"location": {"latitude": lat, "longitude": lon}}, None)  # type: ignore[arg-type]


async def test_a_monday_of_duty_and_the_next_morning(tmp_path: Path) -> None:
    async with world(tmp_path, start=shanghai(3, 12, 10)) as w:  # Friday before
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        head = w.sim.add_user("李校长")
        here, away, absent = (
            w.sim.add_user("王副校长"),
            w.sim.add_user("赵副校长"),
            w.sim.add_user("钱书记"),
        )
        await w.register(head, Role.UNIT_HEAD)
        for cadre in (here, away, absent):
            await w.register(cadre, Role.MEMBER)

        await w.sim.send_command(admin, "/boarding", "SCH001 36.0611 103.8343 300")
        assert "城关第一中学" in (await w.sim.next_message(admin)).text
        await w.sim.send_command(admin, "/cadre", "SCH001")
        marks = await w.sim.next_message(admin)
        assert ["☐ 李校长"] in marks.buttons
        for name in ("王副校长", "赵副校长", "钱书记"):
            await w.sim.press_button(admin, f"☐ {name}")
            await w.sim.wait_edit(marks)
        assert ["☑ 钱书记"] in marks.buttons and ["☐ 李校长"] in marks.buttons

        # Leave declared in advance, approved by the unit head with a button.
        await w.sim.send_command(away, "/leave", "2027-03-15 赴省城参加培训")
        request = await w.sim.next_message(head)
        assert "赵副校长" in request.text and "赴省城参加培训" in request.text
        await w.sim.next_message(away)
        # A cadre may not approve a colleague's leave, even with a made-up button.
        data = request.inline_keyboard[0][0]["callback_data"]
        forged = await forge_press(w.sim, here, w.sim.private_chat(here), data)
        assert await answer_of(w.sim, forged) == "此按钮已失效。"  # the neutral answer
        await w.sim.press_button(head, request.buttons[0][0])
        await w.sim.wait_edit(request)
        assert "2027年3月15日" in (await w.sim.next_message(away)).text

        # Too early on Monday: refused with the window named.
        w.clock.set(shanghai(3, 15, 18))
        await w.sim.send_command(here, "/checkin")
        assert "19:00" in (await w.sim.next_message(here)).text

        w.clock.set(shanghai(3, 15, 19, 5))
        before = len(w.sim.bot_messages(away))
        await w.engine.sweep_once()
        call = await w.sim.next_message(here)
        assert call.inline_keyboard[0][0]["callback_data"] == "checkin:v1:here:2027-03-15"
        assert "/leave" in call.text  # away for a reason: the call says how to ask
        await w.sim.next_message(absent)
        assert len(w.sim.bot_messages(away)) == before  # no call: on approved leave
        w.clock.set(shanghai(3, 15, 20, 10))
        await w.sim.press_button(here, call.buttons[0][0])
        done = await w.sim.next_message(here)
        assert "20:10" in done.text
        await _share_location(w, here, 36.0621, 103.8343)
        assert "111" in (await w.sim.next_message(here)).text  # metres from the school

        w.clock.set(shanghai(3, 15, 22, 45))
        await w.sim.send_command(absent, "/checkin")
        assert "22:30" in (await w.sim.next_message(absent)).text

        # Next morning: the head and the staff chat get the missing list, once.
        w.clock.set(shanghai(3, 16, 8, 40))
        await w.engine.sweep_once()
        await w.engine.sweep_once()
        to_head = await w.sim.next_message(head)
        assert "钱书记" in to_head.text and "王副校长" not in to_head.text
        assert "赵副校长" in to_head.text  # named as on approved leave, not as missing
        to_staff = await w.sim.next_message(w.staff)
        assert "城关第一中学" in to_staff.text and "钱书记" in to_staff.text
        assert "赵副校长" not in to_staff.text
        await w.sim.send_command(admin, "/stats")
        stats = (await w.sim.next_message(admin)).text
        assert "“124”住校签到" in stats and "在校率 50%" in stats
        assert "城关第一中学：50%（未签到 1 人次）" in stats
        await w.sim.send_command(admin, "/export")
        await w.sim.next_message(admin)
        await w.sim.press_button(admin, "整改台账 · Excel")
        sent = await w.sim.next_message(admin)
        assert sent.document is not None
        book = load_workbook(io.BytesIO(w.sim.state.files[str(sent.document["file_id"])].data))
        sheet = book["124住校值守"]
        nights = [r for r in sheet.iter_rows(min_row=3, values_only=True)]
        # Monday's duty night, each cadre: at school (with the check-in), on leave, missing.
        assert [r[1:] for r in nights if r[0].day == 15] == [
            ("城关第一中学", "王副校长", "在校", "20:10", "是", 111),
            ("城关第一中学", "赵副校长", "请假", None, None, None),
            ("城关第一中学", "钱书记", "未签到", None, None, None),
        ]
        rows = await reminders.rows(w.db, recipient="staff")
        assert [(r.rule, r.state) for r in rows] == [("checkin_missing", "sent")]

        async with w.db.session() as session:
            saved = (await session.exec(select(CheckIn))).all()
        assert [(c.day, c.location_shared, c.distance_m) for c in saved] == [
            (date(2027, 3, 15), True, 111)
        ]
        facts = await checkins.duty_facts(
            w.db, date(2027, 3, 15), date(2027, 3, 15), tz=w.config.campaign.tz
        )
        assert len(facts.checked) == 1 and len(facts.excused) == 1


async def test_a_holiday_monday_has_no_duty(tmp_path: Path) -> None:
    # Monday 2027-04-05: 清明节 holiday in mainland China's calendar.
    async with world(tmp_path, start=shanghai(4, 5, 10)) as w:
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        cadre = w.sim.add_user("王副校长")
        member_id = await w.register(cadre, Role.MEMBER)
        await w.sim.send_command(admin, "/boarding", "SCH001")
        await w.sim.next_message(admin)
        assert await checkins.set_cadre(w.db, member_id, on=True, now=w.clock.now())

        w.clock.set(shanghai(4, 5, 19, 30))
        report = await w.engine.sweep_once()
        assert report.recorded == 0
        await w.sim.send_command(cadre, "/checkin")
        refused = await w.sim.next_message(cadre)
        assert len(w.sim.bot_messages(cadre)) == 2  # the welcome and this refusal only
        w.clock.set(shanghai(4, 6, 9))
        await w.engine.sweep_once()
        assert w.sim.bot_messages(w.staff) == []
        assert refused.text
