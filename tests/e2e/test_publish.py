"""Honour roll and exposure board end to end: admins only; a closed case drafted, its summary
checked (a member's name and a receipt warn), previewed exactly as posted, published to the
channel only after "publish anyway" for those warnings or after a clean edit; listed; withdrawn
(the channel post deleted, the withdrawal audited); a refused deletion said plainly."""

from __future__ import annotations

from pathlib import Path

from storage import audit
from storage.models import Publication
from storage.publish import publications
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.publish_support import Board, board

CASE_BUTTON = "🏅 褒奖：已办结案件"


async def draft_with_summary(b: Board, summary: str) -> None:
    """The admin opens /publish, picks the closed case and answers the 📝 prompt."""
    admin = b.admin
    assert admin is not None
    assert "要发布什么" in await b.ask(admin, "/publish")
    await b.press(admin, CASE_BUTTON)
    await b.sim.wait_edit(admin)
    await b.press(admin, "R-2027-0007 · 城关第一中学")
    prompt = await b.sim.next_message(admin)
    assert prompt.text.startswith("📝 城关第一中学 · ") and "公开摘要" in prompt.text
    await b.sim.send_text(admin, summary, reply_to=prompt)


async def test_publish_check_preview_and_withdraw(tmp_path: Path) -> None:
    async with board(tmp_path) as b:
        admin, channel = b.admin, b.channel
        assert admin is not None and channel is not None
        teacher = await b.member("周老师")
        await b.closed_case()
        # Not an admin: refused, even with a forged button.
        assert "只有管理员" in await b.ask(teacher, "/publish")
        press = await forge_press(b.sim, teacher, b.sim.private_chat(teacher), "pub:v1:pick:h:c")
        assert await answer_of(b.sim, press) == "此按钮已失效。"  # a press: the neutral answer

        await draft_with_summary(
            b, "周老师所在学校整改有力，回执 ABCD-EFGH-JKMN-PQ12 已办结。<b>值得学习</b>"
        )
        preview = await b.sim.next_message(admin)
        check = await b.sim.next_message(admin)
        assert preview.text.startswith("🏅 荣誉榜\n城关第一中学 · ")
        assert "<b>值得学习</b>" in preview.text  # the admin's text is escaped, not markup
        assert "已注册人员的姓名：周老师" in check.text and "疑似投诉回执码：ABCD…" in check.text
        assert check.buttons[0] == ["仍然发布"]
        assert b.sim.bot_messages(channel) == []

        # A forged plain "publish" for this version is refused while the warnings stand.
        item = (await publications.listed(b.db, states=["draft"]))[0]
        assert item.id is not None
        forged = f"pub:v1:go:{item.id}:{item.version}"
        await forge_press(b.sim, admin, b.sim.private_chat(admin), forged)
        refused = await b.sim.wait_edit(admin)
        assert "隐私检查" in refused.text and b.sim.bot_messages(channel) == []

        # A clean edit: no warning, publish; the channel post equals the preview.
        await b.press(admin, "修改摘要")
        prompt = await b.sim.next_message(admin)
        await b.sim.send_text(
            admin, "该校对群众反映的问题立行立改，整改措施公开透明。", reply_to=prompt
        )
        preview = await b.sim.next_message(admin)
        check = await b.sim.next_message(admin)
        assert "未发现个人信息" in check.text and check.buttons[0] == ["发布到频道"]
        await b.press(admin, "发布到频道")
        done = await b.sim.wait_edit(admin)
        assert "已发布到频道" in done.text
        post = b.sim.bot_messages(channel)[-1]
        assert post.text == preview.text
        replay = f"pub:v1:go:{item.id}:{item.version + 1}"  # the press, replayed
        replayed = await forge_press(b.sim, admin, b.sim.private_chat(admin), replay)
        assert "已发布" in (await answer_of(b.sim, replayed) or "")
        assert len(b.sim.bot_messages(channel)) == 1

        # Listed; withdrawn: the post is deleted and the withdrawal audited.
        await b.ask(admin, "/published")
        labels = [label for row in b.sim.bot_messages(admin)[-1].buttons for label in row]
        assert len(labels) == 1 and labels[0].startswith("🏅 荣誉榜 · 城关第一中学")
        await b.press(admin, labels[0])
        await b.sim.wait_edit(admin)
        await b.press(admin, "撤回")
        await b.sim.wait_edit(admin)
        await b.press(admin, "确认撤回")
        gone = await b.sim.wait_edit(admin)
        assert "已撤回：频道中的消息已删除" in gone.text
        assert b.sim.bot_messages(channel)[-1].deleted
        events = [e.action for e in await audit.events_for(b.db, "publication", item.id)]
        assert events[-2:] == ["publication.withdrawn", "publication.channel_message"]
        async with b.db.session() as session:
            stored = await session.get(Publication, item.id)
        assert stored is not None and stored.state == "withdrawn"


async def test_a_refused_deletion_is_said_and_audited(tmp_path: Path) -> None:
    async with board(tmp_path) as b:
        admin, channel = b.admin, b.channel
        assert admin is not None and channel is not None
        await b.closed_case()
        await draft_with_summary(b, "该校对群众反映的问题立行立改，整改措施公开透明。")
        await b.sim.next_message(admin)
        await b.sim.next_message(admin)
        await b.press(admin, "发布到频道")
        await b.sim.wait_edit(admin)
        channel.bot_is_admin = False  # someone took the bot's rights in the channel
        await b.press(admin, "撤回")
        await b.sim.wait_edit(admin)
        await b.press(admin, "确认撤回")
        said = await b.sim.wait_edit(admin)
        assert "手动删除" in said.text
        item = (await publications.listed(b.db, states=["withdrawn"]))[0]
        events = await audit.events_for(b.db, "publication", item.id)
        assert events[-1].to_value is not None and events[-1].to_value.startswith("not deleted")


async def test_a_units_result_without_a_channel(tmp_path: Path) -> None:
    async with board(tmp_path, channel=False) as b:
        admin = b.admin
        assert admin is not None
        await b.ledger_item("SCH001", verified=True)
        await b.ledger_item("SCH002", verified=False)
        menu = await b.ask(admin, "/publish")
        assert "尚未配置发布频道" in menu
        commands = [c for c, _ in b.sim.commands(scope=f"chat:{admin.id}")]
        assert {"publish", "published", "broadcast"} <= set(commands)  # the admin's own menu
        await b.press(admin, "⚠️ 曝光：单位整改成绩")
        listing = await b.sim.wait_edit(admin)
        # the same ratings as /stats, worst first for the exposure board
        assert listing.buttons == [["城关第二小学：一般，0 分"], ["城关第一中学：优秀，100 分"]]
        await b.press(admin, "城关第二小学：一般，0 分")
        reasons = await b.sim.next_message(admin)  # why, before the admin writes
        assert "整改台账：到期 1 项中已销号 0 项（逾期销号 0 项），逾期未改 1 项 → 0 分" in (
            reasons.text
        )
        prompt = await b.sim.next_message(admin)
        assert prompt.text.startswith("📝 城关第二小学：一般，0 分")
        await b.sim.send_text(admin, "该校整改推进缓慢，台账问题逾期未改。", reply_to=prompt)
        preview = await b.sim.next_message(admin)
        check = await b.sim.next_message(admin)
        assert preview.text.startswith("⚠️ 曝光台\n城关第二小学：一般")
        assert check.buttons == [["修改摘要", "放弃"]]  # no channel: nothing to publish to
        await b.press(admin, "放弃")
        assert "草稿已放弃" in (await b.sim.wait_edit(admin)).text
        assert await publications.listed(b.db, states=["draft"]) == []
