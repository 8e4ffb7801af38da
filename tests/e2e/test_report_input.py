"""/report against wrong input: every step's wrong-input answer, over-long text refused with
its count, refused files, a command mid-way, and /cancel at every step storing nothing."""

from __future__ import annotations

import pytest

from simulator import SimUser
from tests.e2e.conftest import Harness
from tests.e2e.report_helpers import PHOTO, own_reports, press_for_notice

STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAEBsticker",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}


async def send_sticker(harness: Harness, user: SimUser) -> None:
    # The simulator's driver has no sticker helper; a user message with any content will do.
    await harness.sim._user_says(user, None, STICKER)


async def reply(harness: Harness, user: SimUser) -> str:
    return (await harness.sim.next_message(user)).text


async def to_step(harness: Harness, user: SimUser, step: str) -> None:
    """Walk a fresh /report up to `step` (category, unit, describe, occurred, evidence,
    confidential, confirm, edit)."""
    sim = harness.sim
    await harness.register(user)
    await harness.ask(user, "/report")
    order = ["category", "unit", "describe", "occurred", "evidence", "confidential", "confirm"]
    actions = {
        "category": lambda: sim.press_button(user, "奢 · 生活作风不节俭"),
        "unit": lambda: sim.press_button(user, "城关第一中学"),
        "describe": lambda: sim.send_text(user, "公款吃喝。"),
        "occurred": lambda: sim.press_button(user, "跳过"),
        "evidence": lambda: sim.press_button(user, "跳过"),
        "confidential": lambda: sim.press_button(user, "是，请保密"),
        "confirm": lambda: sim.press_button(user, "修改"),
    }
    for name in order:
        if name == step:
            return
        await actions[name]()
        await sim.next_message(user)
    assert step == "edit"


async def test_buttons_expected_but_text_or_photo_sent(harness: Harness) -> None:
    user = harness.sim.add_user("甲")
    await to_step(harness, user, "category")
    await harness.sim.send_text(user, "我想反映问题")
    assert "请使用上方的按钮" in await reply(harness, user)
    await harness.sim.send_photo(user, PHOTO)
    assert "请使用上方的按钮" in await reply(harness, user)
    await harness.sim.press_button(user, "弱 · 理想信念不坚决")
    assert "第 2 步" in await reply(harness, user)


async def test_unit_step_refuses_a_photo_and_an_overlong_search(harness: Harness) -> None:
    user = harness.sim.add_user("乙")
    await to_step(harness, user, "unit")
    await harness.sim.send_photo(user, PHOTO)
    assert "请点击单位按钮" in await reply(harness, user)
    await harness.sim.send_text(user, "学" * 65)
    text = await reply(harness, user)
    assert "65" in text and "64" in text


async def test_description_refuses_other_kinds_and_overlong_text(harness: Harness) -> None:
    user = harness.sim.add_user("丙")
    await to_step(harness, user, "describe")
    await harness.sim.send_photo(user, PHOTO)
    assert "请以文字形式输入" in await reply(harness, user)
    await send_sticker(harness, user)
    assert "请以文字形式输入" in await reply(harness, user)
    await harness.sim.send_text(user, "长" * 2001)
    text = await reply(harness, user)
    assert "2001" in text and "2000" in text
    await harness.sim.send_text(user, "长" * 2000)  # exactly the limit is fine
    assert "时间和地点" in await reply(harness, user)


async def test_when_where_refuses_overlong_text_and_a_document(harness: Harness) -> None:
    user = harness.sim.add_user("丁")
    await to_step(harness, user, "occurred")
    await harness.sim.send_document(user, b"%PDF-1.4", "a.pdf", "application/pdf")
    assert "请以文字形式输入" in await reply(harness, user)
    await harness.sim.send_text(user, "地" * 201)
    text = await reply(harness, user)
    assert "201" in text and "200" in text
    await harness.sim.send_text(user, "三月八日，学校食堂")
    assert "第 4 步" in await reply(harness, user)


async def test_evidence_refuses_text_stickers_types_sizes_and_too_many(harness: Harness) -> None:
    user = harness.sim.add_user("戊")
    await to_step(harness, user, "evidence")
    await harness.sim.send_text(user, "照片稍后补")
    assert "只能上传照片或文件" in await reply(harness, user)
    await send_sticker(harness, user)
    assert "只能上传照片或文件" in await reply(harness, user)
    await harness.sim.send_document(user, b"PK\x03\x04", "a.zip", "application/zip")
    refused = await reply(harness, user)
    assert "application/zip" in refused and "PDF, Word, Excel, JPEG, PNG" in refused
    big = b"\0" * (21 * 1024 * 1024)
    await harness.sim.send_document(user, big, "big.pdf", "application/pdf")
    too_big = await reply(harness, user)
    assert "21.0 MB" in too_big and "20 MB" in too_big
    await harness.sim.send_document(user, b"%PDF-1.4", "ok.pdf", "application/pdf")
    assert "第 1 个文件" in await reply(harness, user)
    for n in range(2, 6):
        await harness.sim.send_photo(user, PHOTO)
        assert f"第 {n} 个文件" in await reply(harness, user)
    await harness.sim.send_photo(user, PHOTO)
    assert "已达上限" in await reply(harness, user)
    await harness.sim.press_button(user, "删除已传文件")
    assert "第 4 步" in await reply(harness, user)
    await harness.sim.send_photo(user, PHOTO)
    assert "第 1 个文件" in await reply(harness, user)


@pytest.mark.parametrize("step", ["confidential", "confirm", "edit"])
async def test_button_steps_refuse_text(harness: Harness, step: str) -> None:
    user = harness.sim.add_user("己")
    await to_step(harness, user, step)
    await harness.sim.send_text(user, "好的")
    assert "请使用上方的按钮" in await reply(harness, user)


async def test_a_command_midway_gets_a_clear_answer(harness: Harness) -> None:
    user = harness.sim.add_user("庚")
    await to_step(harness, user, "describe")
    for command in ("/help", "/report", "/mine"):
        assert "您正在填写问题反映" in await harness.ask(user, command)
    await harness.sim.send_text(user, "说明还能继续写")
    assert "时间和地点" in await reply(harness, user)


@pytest.mark.parametrize(
    "step",
    ["category", "unit", "describe", "occurred", "evidence", "confidential", "confirm", "edit"],
)
async def test_cancel_at_each_step_stores_nothing(harness: Harness, step: str) -> None:
    user = harness.sim.add_user("辛")
    await to_step(harness, user, step)
    assert "已取消" in await harness.ask(user, "/cancel")
    assert await own_reports(harness, user) == []
    assert await harness.ask(user, "/cancel") == "当前没有可以取消的操作。"
    await harness.sim.send_text(user, "还在吗")
    assert "/help" in await reply(harness, user)  # the conversation is over


async def test_cancel_button_on_the_summary(harness: Harness) -> None:
    user = harness.sim.add_user("壬")
    await to_step(harness, user, "confirm")
    await harness.sim.press_button(user, "取消")
    assert "已取消" in await reply(harness, user)
    assert await own_reports(harness, user) == []


async def test_an_old_button_after_cancel_is_stale(harness: Harness) -> None:
    user = harness.sim.add_user("癸")
    await to_step(harness, user, "category")
    await harness.ask(user, "/cancel")
    assert await press_for_notice(harness, user, "弱 · 理想信念不坚决") == "此按钮已失效。"
    assert await own_reports(harness, user) == []
