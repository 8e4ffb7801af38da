"""Menus per role and language, people management in chat (list, role, move, deactivate),
invites from chat, a district head's reach, as the people concerned would use them."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from domain.membership.roles import Role, menu_for
from domain.membership.units import UnitKind, UnitRow
from simulator import SimUser
from storage.duties import checkins, inspections
from storage.ledger import items as ledger
from storage.membership import members, people, units
from storage.models import AuditEvent
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.e2e.ledger_steps import answer_of, forge_press, member_id
from tests.e2e.reminder_support import world

PUBLIC_MENU = ["language", "complain", "status", "help"]


def menu(harness: Harness, user: SimUser, app_language: str = "zh") -> set[str]:
    return set(harness.sim.menu_of(user, app_language))


async def test_menus_follow_role_marks_and_language(harness: Harness) -> None:
    outsider = harness.sim.add_user("路人", language_code="en")
    member = harness.sim.add_user("成员")
    head = harness.sim.add_user("校长")
    handler = harness.sim.add_user("承办人")
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    await harness.ask(outsider, "/start")
    assert menu(harness, outsider, "en") == set(PUBLIC_MENU)
    await harness.register(member)
    await harness.register(head, Role.UNIT_HEAD)
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    await harness.ask(admin, "/start")
    assert menu(harness, member) == {*PUBLIC_MENU, "report", "mine", "forms"}
    assert {"ledger", "overdue", "stats", "export", "members", "invite"} <= menu(harness, head)
    assert "inbox" not in menu(harness, head)
    assert {"inbox", "stats", "export"} <= menu(harness, handler)
    assert "members" not in menu(harness, handler)
    assert {"bindgroup", "publish", "members", "inbox"} <= menu(harness, admin)
    assert "report" not in menu(harness, admin)  # an admin who is no member files no report
    # Duty marks count as roles: a cadre and an inspector get their commands, in /help too.
    mid = await member_id(harness, member)
    now = harness.clock.now()
    await checkins.set_cadre(harness.db, mid, on=True, now=now)
    await inspections.set_inspector(harness.db, mid, on=True, now=now)
    shown = await harness.ask(member, "/help")
    assert "/checkin" in shown and "/leave" in shown and "/inspect" in shown
    assert {"checkin", "leave", "inspect"} <= menu(harness, member)
    # The menu's language follows /language, not the app's language.
    await harness.ask(member, "/language")
    await harness.sim.press_button(member, "English")
    await harness.sim.wait_edit(member)
    entries = dict(harness.sim.commands(scope=f"chat:{member.id}"))
    assert entries["report"] == "Report a problem (named)"
    assert menu(harness, member, "zh") == menu(harness, member, "en")


async def open_card(harness: Harness, manager: SimUser, name: str) -> str:
    listing = await harness.ask(manager, "/members")
    assert name in listing
    await harness.sim.press_button(manager, name)
    return (await harness.sim.wait_edit(manager)).text


async def test_unit_head_changes_a_role_and_deactivates(harness: Harness) -> None:
    head = harness.sim.add_user("李校长")
    teacher = harness.sim.add_user("王老师")
    await harness.register(head, Role.UNIT_HEAD)
    await harness.register(teacher)
    card = await open_card(harness, head, "王老师")
    assert "城关第一中学" in card and "成员" in card
    await harness.sim.press_button(head, "设为单位负责人")
    assert "王老师 现为单位负责人" in (await harness.sim.wait_edit(head)).text
    found = await members.by_telegram_id(harness.db, teacher.id)
    assert found is not None and found.member.role == Role.UNIT_HEAD.value
    assert "members" in menu(harness, teacher)
    # Deactivation is asked twice, then access ends on every path at once.
    await harness.sim.press_button(head, "停用")
    question = (await harness.sim.wait_edit(head)).text
    assert "确定停用" in question and "王老师" in question
    await harness.sim.press_button(head, "确认停用")
    assert "已停用" in (await harness.sim.wait_edit(head)).text
    assert await members.by_telegram_id(harness.db, teacher.id) is None
    assert menu(harness, teacher) == set(PUBLIC_MENU)  # the chat's own menu is gone
    assert "成员资格已终止" in await harness.ask(teacher, "/start")
    assert "只有已登记" in await harness.ask(teacher, "/report")
    refused = await answer_of(
        harness, await forge_press(harness, teacher, f"ppl:v1:p:{await member_id(harness, head)}")
    )
    assert refused == "此按钮已失效。"
    async with harness.db.session() as session:
        actions = (
            await session.exec(
                select(AuditEvent.action).where(AuditEvent.action.startswith("member."))  # type: ignore[attr-defined]
            )
        ).all()
    assert "member.role" in actions and "member.deactivated" in actions


async def test_another_units_head_and_forged_presses_see_nothing(harness: Harness) -> None:
    head = harness.sim.add_user("一中校长")
    other_head = harness.sim.add_user("二小校长")
    teacher = harness.sim.add_user("赵老师")
    await harness.register(head, Role.UNIT_HEAD)
    await harness.register(other_head, Role.UNIT_HEAD, "SCH002")
    await harness.register(teacher)
    target = await member_id(harness, teacher)
    assert "无权" in await harness.ask(other_head, "/members", "SCH001")
    for data in (
        f"ppl:v1:p:{target}",
        f"ppl:v1:r:{target}.h",
        f"ppl:v1:dx:{target}",
        f"ppl:v1:mv:{target}.1",
    ):
        notice = await answer_of(harness, await forge_press(harness, other_head, data))
        assert notice == "此按钮已失效。"
    # A unit head cannot make a case officer, even with a forged button.
    await harness.ask(head, "/members")
    notice = await answer_of(harness, await forge_press(harness, head, f"ppl:v1:r:{target}.s"))
    assert notice == "此按钮已失效。"
    found = await people.person(harness.db, target)
    assert found is not None and found.member.active and found.role is Role.MEMBER


async def test_district_head_manages_the_schools_under_it(harness: Harness) -> None:
    district = harness.sim.add_user("学区校长")
    teacher = harness.sim.add_user("钱老师")
    await harness.register(district, Role.UNIT_HEAD, "D01")
    await harness.register(teacher, Role.MEMBER, "SCH002")
    listing = await harness.ask(district, "/members")
    assert "城关学区" in listing
    await harness.sim.press_button(district, "↳ 城关第二小学")
    assert "钱老师" in (await harness.sim.wait_edit(district)).text
    assert "钱老师" in await harness.ask(district, "/members", "SCH002")
    assert "无权" in await harness.ask(district, "/members", "EDU")
    # A move within the district.
    await harness.sim.press_button(district, "钱老师")
    await harness.sim.wait_edit(district)
    await harness.sim.press_button(district, "调往其他单位")
    await harness.sim.wait_edit(district)
    await harness.sim.press_button(district, "城关第一中学 (SCH001)")
    assert "已调往城关第一中学" in (await harness.sim.wait_edit(district)).text
    moved = await members.by_telegram_id(harness.db, teacher.id)
    assert moved is not None and moved.unit.code == "SCH001"


async def test_invite_from_chat_and_withdraw_it(harness: Harness) -> None:
    head = harness.sim.add_user("周校长")
    await harness.register(head, Role.UNIT_HEAD)
    text = await harness.ask(head, "/invite")
    link = text.rsplit("\n", 1)[-1]
    token = link.split("start=", 1)[1]
    newcomer, late = harness.sim.add_user("新老师"), harness.sim.add_user("晚到的老师")
    assert "城关第一中学" in await harness.ask(newcomer, "/start", token)
    await harness.sim.press_button(head, "撤销此邀请")
    assert "已撤销" in (await harness.sim.wait_edit(head)).text
    assert "撤回" in await harness.ask(late, "/start", token)
    assert "无权" in await harness.ask(newcomer, "/invite")


async def _item(harness: Harness, unit: str, description: str, deadline: date) -> None:
    campaign = harness.app.bot_data["services"].settings.campaign
    now = harness.clock.now()
    found = await units.by_code(harness.db, unit)
    assert found is not None and found.id is not None
    await ledger.add_item(
        harness.db,
        unit_id=found.id,
        category_key=campaign.categories[0].key,
        description=description,
        measure="建立制度",
        deadline=deadline,
        responsible_member_id=None,
        responsible_name=None,
        actor_member_id=None,
        now=now,
        today=now.date(),
    )


async def test_district_head_sees_and_chases_the_schools_under_it(harness: Harness) -> None:
    district = harness.sim.add_user("学区主任")
    school_head = harness.sim.add_user("一中校长")
    await harness.register(district, Role.UNIT_HEAD, "D01")
    await harness.register(school_head, Role.UNIT_HEAD, "SCH001")
    await units.import_units(
        harness.db,
        [(2, UnitRow("SCH099", "外学区小学", UnitKind.SCHOOL, "EDU"))],
        now=harness.clock.now(),
    )
    late = harness.clock.now().date() - timedelta(days=3)
    await _item(harness, "SCH001", "一中食堂账目不公开", late)
    await _item(harness, "SCH002", "二小教师上课玩手机", late)
    await _item(harness, "SCH099", "外学区的问题", late)
    board = await harness.ask(district, "/ledger")
    assert "SCH001" in board and "SCH002" in board and "SCH099" not in board
    unsigned = await harness.ask(district, "/ledger", "unsigned")
    assert "SCH001" in unsigned and "SCH002" in unsigned and "SCH099" not in unsigned
    assert "一中食堂" in await harness.ask(district, "/ledger", "SCH001")
    assert "没有代码为 SCH099 的单位" in await harness.ask(district, "/ledger", "SCH099")
    overdue = await harness.ask(district, "/overdue")
    assert "一中食堂" in overdue and "二小教师" in overdue and "外学区" not in overdue
    stats = await harness.ask(district, "/stats")
    assert "城关学区" in stats and "外学区小学" not in stats
    # A school's own head still sees only their school.
    own = await harness.ask(school_head, "/overdue")
    assert "一中食堂" in own and "二小教师" not in own
    notice = await answer_of(harness, await forge_press(harness, school_head, "ledger:v1:us:0"))
    assert notice is not None and "城关第二小学" not in notice


async def test_a_group_hears_the_campaigns_language(harness: Harness) -> None:
    member = harness.sim.add_user("English teacher")
    await harness.register(member)
    await harness.ask(member, "/language")
    await harness.sim.press_button(member, "English")
    await harness.sim.wait_edit(member)
    group = harness.sim.add_group("一中工作群", supergroup=True)
    in_group = await harness.ask(member, "/help", chat=group)
    assert in_group.startswith("您作为成员可以使用的命令")
    assert (await harness.ask(member, "/help")).startswith("Commands you can use")


async def test_a_deactivated_member_gets_no_reminder_and_no_button(tmp_path: Path) -> None:
    async with world(tmp_path, start=datetime(2027, 4, 8, 1, tzinfo=UTC)) as w:
        teacher, head = w.sim.add_user("张老师"), w.sim.add_user("李校长")
        teacher_id = await w.register(teacher, Role.MEMBER)
        head_id = await w.register(head, Role.UNIT_HEAD)
        item_id = await w.add_item("SCH001", date(2027, 4, 9), responsible=teacher_id)
        left = await people.deactivate(
            w.db, teacher_id, actor=people.Actor(head_id), now=w.clock.now()
        )
        assert left.open_ledger_items == (item_id,)  # flagged for the head to reassign
        before = len(w.sim.bot_messages(teacher))
        w.clock.set(datetime(2027, 4, 9, 1, tzinfo=UTC))
        await w.engine.sweep_once()
        assert "今天到期" in (await w.sim.next_message(head)).text
        await w.sim.wait_confirmed(settle=0.1)
        assert len(w.sim.bot_messages(teacher)) == before
        # an old button of the item, pressed after the deactivation, shows nothing
        await w.sim.send_command(teacher, "/help")
        await w.sim.next_message(teacher)
        st = w.sim.state
        chat = st.chat(teacher.id)
        msg = st.bot_messages(chat.id)[-1]
        query_id = "4242"
        st.callback_queries[query_id] = False
        st.callback_chats[query_id] = chat.id
        st.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": st.user(teacher.id).to_dict(),
                "message": copy.deepcopy(msg.raw),
                "chat_instance": chat.chat_instance,
                "data": f"ledger:v1:o:{item_id}",
            },
        )
        await w.sim.wait_confirmed(settle=0.1)
        answers = [a.text for a in w.sim.callback_answers if a.id == query_id]
        assert answers and "食堂" not in (answers[0] or "")
        assert len(w.sim.bot_messages(teacher)) == before + 1  # the /help answer only


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def test_the_set_my_commands_record_per_scope_and_language_for_each_role(
    harness: Harness,
) -> None:
    sim = harness.sim
    # The public menus: every private chat and every group, by app language.
    public = [c for c in menu_for(None)]
    for code, chinese in ((None, True), ("zh", True), ("en", False)):
        private = sim.commands(code, "all_private_chats")
        assert [c for c, _ in private] == public
        assert all(_cjk(d) == chinese for _, d in private), (code, private)
        groups = sim.commands(code, "all_group_chats")
        assert [c for c, _ in groups] == ["help", "report", "complain", "bindgroup"]
        assert all(_cjk(d) == chinese for _, d in groups), (code, groups)
    # Each role's own chat scope: exactly its menu, in the person's chosen language.
    people: list[tuple[SimUser, tuple[str, ...]]] = []
    for name, role, unit, marks in (
        ("成员", Role.MEMBER, "SCH001", {}),
        ("干部", Role.MEMBER, "SCH001", {"cadre": True}),
        ("督查员", Role.MEMBER, "SCH002", {"inspector": True}),
        ("校长", Role.UNIT_HEAD, "SCH001", {}),
        ("学区主任", Role.UNIT_HEAD, "D01", {}),
        ("承办人", Role.CASE_OFFICER, "EDU", {}),
        ("评议员", Role.MONITOR, "EDU", {}),
    ):
        user = sim.add_user(name, language_code="en")  # the app's language: not the menu's
        await harness.register(user, role, unit)
        mid = await member_id(harness, user)
        if marks.get("cadre"):
            await checkins.set_cadre(harness.db, mid, on=True, now=harness.clock.now())
        if marks.get("inspector"):
            await inspections.set_inspector(harness.db, mid, on=True, now=harness.clock.now())
        if marks:
            await harness.ask(user, "/help")  # the menu follows the mark at the next command
        people.append((user, menu_for(role, **marks)))
    admin = sim.add_user("管理员", user_id=ADMIN_ID)
    await harness.ask(admin, "/start")
    people.append((admin, menu_for(Role.ADMIN)))
    for user, expected in people:
        entries = sim.commands(scope=f"chat:{user.id}")
        assert tuple(c for c, _ in entries) == expected, user.first_name
        assert all(_cjk(d) for _, d in entries), user.first_name
    # Each person who chooses English gets the same commands, described in English.
    for user, expected in people:
        await harness.ask(user, "/language")
        await sim.press_button(user, "English")
        await sim.wait_edit(user)
        entries = sim.commands(scope=f"chat:{user.id}")
        assert tuple(c for c, _ in entries) == expected, user.first_name
        assert not any(_cjk(d) for _, d in entries), (user.first_name, entries)


async def test_deactivating_oneself_or_the_last_head_asks_first_and_keep_keeps(
    harness: Harness,
) -> None:
    head = harness.sim.add_user("孙校长")
    await harness.register(head, Role.UNIT_HEAD, "SCH002")
    card = await open_card(harness, head, "孙校长")
    assert "城关第二小学" in card
    await harness.sim.press_button(head, "停用")
    question = (await harness.sim.wait_edit(head)).text
    assert "这是您本人" in question and "最后一位单位负责人" in question
    # Nothing happens until it is confirmed; "keep" goes back to the card.
    found = await members.by_telegram_id(harness.db, head.id)
    assert found is not None and found.member.active
    await harness.sim.press_button(head, "不停用")
    assert "孙校长" in (await harness.sim.wait_edit(head)).text
    found = await members.by_telegram_id(harness.db, head.id)
    assert found is not None and found.member.active
    assert "ledger" in menu(harness, head)
    # A replayed "confirm" from someone else (a member of the same school) changes nothing.
    teacher = harness.sim.add_user("周老师")
    await harness.register(teacher, Role.MEMBER, "SCH002")
    target = await member_id(harness, head)
    notice = await answer_of(harness, await forge_press(harness, teacher, f"ppl:v1:dx:{target}"))
    assert notice == "此按钮已失效。"
    found = await members.by_telegram_id(harness.db, head.id)
    assert found is not None and found.member.active
