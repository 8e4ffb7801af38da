"""Registration by invite, refusals, /help per role, /language, as users would do it."""

from __future__ import annotations

from datetime import timedelta

from domain.membership.roles import Role
from handlers.membership import pending
from storage.membership import members
from tests.e2e.conftest import ADMIN_ID, Harness


async def test_start_without_payload_explains_the_bot(harness: Harness) -> None:
    user = harness.sim.add_user("赵老师", language_code="zh-hans")
    text = await harness.ask(user, "/start")
    assert "干部作风整顿" in text and "/complain" in text
    assert "您尚未登记" in text


async def test_invite_registers_into_unit_with_role(harness: Harness) -> None:
    user = harness.sim.add_user("张老师")
    text = await harness.ask(user, "/start", await harness.invite("SCH001", Role.UNIT_HEAD))
    assert "欢迎您，张老师！您已成为城关第一中学的单位负责人。" in text
    found = await members.by_telegram_id(harness.db, user.id)
    assert found is not None
    assert (found.unit.code, found.member.role, found.member.display_name) == (
        "SCH001",
        "unit_head",
        "张老师",
    )


async def test_refused_invites_change_nothing(harness: Harness) -> None:
    first, second = harness.sim.add_user("甲"), harness.sim.add_user("乙")
    token = await harness.invite()
    await harness.ask(first, "/start", token)
    assert "已被使用" in await harness.ask(second, "/start", token)
    assert "无效" in await harness.ask(second, "/start", "forged-token-123")
    assert "无效" in await harness.ask(second, "/start", "x" * 64)
    stale = await harness.invite(days=1)
    harness.clock.advance(timedelta(days=2))
    assert "已过期" in await harness.ask(second, "/start", stale)
    assert await members.by_telegram_id(harness.db, second.id) is None


async def test_invite_in_a_group_is_refused(harness: Harness) -> None:
    user = harness.sim.add_user("钱老师")
    group = harness.sim.add_group("一中工作群", supergroup=True)
    text = await harness.ask(user, "/start", await harness.invite(), chat=group)
    assert "私聊" in text
    assert await members.by_telegram_id(harness.db, user.id) is None


async def test_help_lists_what_each_role_may_use(harness: Harness) -> None:
    outsider = harness.sim.add_user("路人")
    member = harness.sim.add_user("成员")
    head = harness.sim.add_user("校长")
    handler = harness.sim.add_user("承办人")
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    await harness.register(member)
    await harness.register(head, Role.UNIT_HEAD)
    await harness.register(handler, Role.CASE_OFFICER, "EDU")

    def commands(text: str) -> set[str]:
        return {line.split()[0] for line in text.splitlines() if line.startswith("/")}

    public = {"/start", "/help", "/cancel", "/language", "/complain", "/status"}
    assert commands(await harness.ask(outsider, "/help")) == public
    assert commands(await harness.ask(member, "/help")) == public | {"/report", "/mine", "/forms"}
    assert "/ledger" in commands(await harness.ask(head, "/help"))
    assert "/inbox" not in commands(await harness.ask(head, "/help"))
    assert "/inbox" in commands(await harness.ask(handler, "/help"))
    assert "/bindgroup" in commands(await harness.ask(admin, "/help"))
    assert "/bindgroup" not in commands(await harness.ask(handler, "/help"))


async def test_language_switch_is_stored_and_used(harness: Harness) -> None:
    user = harness.sim.add_user("孙老师")
    await harness.register(user)
    assert await harness.ask(user, "/language") == "请选择语言："
    await harness.sim.press_button(user, "English")
    edited = await harness.sim.wait_edit(user)
    assert edited.text == "Language set: English."
    assert harness.sim.callback_answers, "the button press must be answered"
    assert (await harness.ask(user, "/help")).startswith("Commands you can use as member:")
    found = await members.by_telegram_id(harness.db, user.id)
    assert found is not None and found.member.language == "en"
    await harness.ask(user, "/language")
    await harness.sim.press_button(user, "简体中文")
    assert (await harness.sim.wait_edit(user)).text == "语言已设置为：简体中文。"


async def test_language_of_a_non_member_lasts_for_the_session(harness: Harness) -> None:
    user = harness.sim.add_user("visitor")
    await harness.ask(user, "/language")
    await harness.sim.press_button(user, "English")
    await harness.sim.wait_edit(user)
    assert await harness.ask(user, "/cancel") == "Nothing to cancel."


async def test_features_not_built_yet_say_so(harness: Harness) -> None:
    user = harness.sim.add_user("周老师")
    await harness.register(user)
    for command in pending.PENDING_COMMANDS:  # empty once every feature is built
        assert "尚未开放" in await harness.ask(user, f"/{command}")
    assert "不认识这个命令" in await harness.ask(user, "/frobnicate")
    await harness.sim.send_text(user, "你好")
    assert "/help" in (await harness.sim.next_message(user)).text


async def test_user_text_is_escaped_when_echoed(harness: Harness) -> None:
    admin = harness.sim.add_user("管理员", user_id=ADMIN_ID)
    group = harness.sim.add_group("测试群", supergroup=True)
    text = await harness.ask(admin, "/bindgroup", "<b>x</b>", chat=group)
    assert "用法" in text  # refused as a unit code, and nothing broke the HTML
