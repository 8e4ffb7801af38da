"""Message semantics, the driver's waiting helpers and the transcript, over raw HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from simulator import LABELS_ZH, BotApiSimulator

NOT_MODIFIED = "Bad Request: message is not modified"
KEYBOARD = {"inline_keyboard": [[{"text": "提交", "callback_data": "s"}]]}


async def test_edit_rules(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    await sim.send_text(alice, "hi")
    sent = await api.ok(
        "sendMessage", chat_id=alice.id, text="<b>v1</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    mid = sent["message_id"]
    assert sent["reply_markup"] == KEYBOARD
    status, body = await api(
        "editMessageText",
        chat_id=alice.id,
        message_id=mid,
        text="<b>v1</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert status == 400 and body["description"].startswith(NOT_MODIFIED)
    edited = await api.ok("editMessageText", chat_id=alice.id, message_id=mid, text="v2")
    assert "reply_markup" not in edited, "an edit without reply_markup drops the keyboard"
    assert edited["edit_date"] >= sent["date"]
    status, body = await api("editMessageReplyMarkup", chat_id=alice.id, message_id=mid)
    assert status == 400 and body["description"].startswith(NOT_MODIFIED)
    await api.ok("editMessageReplyMarkup", chat_id=alice.id, message_id=mid, reply_markup=KEYBOARD)
    status, body = await api("editMessageText", chat_id=alice.id, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await api("editMessageText", chat_id=alice.id, message_id=1, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")
    msg = sim.bot_messages(alice)[0]
    assert (msg.edits, msg.history, msg.text, msg.buttons) == (2, ["v1", "v2"], "v2", [["提交"]])
    assert await sim.wait_edit(mid, alice.id, timeout=0.1) is msg
    assert await sim.wait_edit(msg, timeout=0.1) is msg
    with pytest.raises(TimeoutError, match="was not edited"):
        await sim.wait_edit(msg, timeout=0.05)
    assert await api.ok("deleteMessage", chat_id=alice.id, message_id=mid) is True
    status, body = await api("deleteMessage", chat_id=alice.id, message_id=mid)
    assert body["description"] == "Bad Request: message to delete not found"
    assert msg.deleted
    assert sim.violations == []


async def test_content_limits_are_violations(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    await sim.send_text(alice, "hi")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "   "}, "message text is empty"),
        ({"text": "<b>x", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "*x*", "parse_mode": "MarkdownV2"}, "not supported by the simulator"),
        (
            {"text": "x", "reply_markup": {"inline_keyboard": [[{"text": "t"}]]}},
            "Text buttons are unallowed",
        ),
        (
            {"text": "x", "reply_markup": {"inline_keyboard": [[{"text": "t", "url": "ftp://x"}]]}},
            "is invalid",
        ),
        (
            {
                "text": "x",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": str(i), "callback_data": str(i)} for i in range(101)]
                    ]
                },
            },
            "reply markup is too long",
        ),
    ]
    for params, expected in cases:
        status, body = await api("sendMessage", chat_id=alice.id, **params)
        assert status == 400 and expected in body["description"], (params, body)
    assert len(sim.violations) == len(cases)
    sim.violations.clear()
    ok = await api.ok("sendMessage", chat_id=alice.id, text="x" * 4096)
    assert len(ok["text"]) == 4096
    trimmed = await api.ok(
        "sendMessage", chat_id=alice.id, text="  <b>hi</b> there \n", parse_mode="HTML"
    )
    assert trimmed["text"] == "hi there"
    assert trimmed["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    reply_kb = {"keyboard": [[{"text": "是"}, {"text": "否"}]], "resize_keyboard": True}
    await api.ok("sendMessage", chat_id=alice.id, text="选择", reply_markup=reply_kb)
    assert sim.bot_messages(alice)[-1].keyboard == [["是", "否"]]
    await api.ok("sendMessage", chat_id=alice.id, text="ok", reply_markup={"remove_keyboard": True})
    await api.ok("sendMessage", chat_id=alice.id, text="?", reply_markup={"force_reply": True})
    assert sim.violations == []


async def test_callback_queries(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    await sim.send_text(alice, "hi")
    await api.ok("sendMessage", chat_id=alice.id, text="pick", reply_markup=KEYBOARD)
    query_id = await sim.press_button(alice, "提交")
    (update,) = [u for u in sim.updates if "callback_query" in u]
    query = update["callback_query"]
    assert query["data"] == "s" and query["message"]["text"] == "pick"
    assert query["from"]["id"] == alice.id and query["chat_instance"]
    status, body = await api("answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    assert status == 400
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="好的")
    status, body = await api("answerCallbackQuery", callback_query_id=query_id)
    assert body["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    assert [(a.text, a.show_alert) for a in sim.callback_answers] == [("好的", False)]
    assert "好的" in sim.render_transcript(alice)
    sim.violations.clear()


async def test_next_message_cursor_and_timeout(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    group = sim.add_group("Team")
    await sim.send_text(alice, "hi")
    await sim.send_text(alice, "hello all", chat=group)
    for text in ("a", "b"):
        await api.ok("sendMessage", chat_id=alice.id, text=text)
    assert (await sim.next_message(alice)).text == "a"
    assert (await sim.next_message(alice)).text == "b"
    waiter = asyncio.create_task(sim.next_message(alice, timeout=2))
    await asyncio.sleep(0.05)
    await api.ok("sendMessage", chat_id=alice.id, text="c")
    assert (await waiter).text == "c"
    await api.ok("sendMessage", chat_id=group.id, text="to the group")
    await sim.drain(group)
    with pytest.raises(TimeoutError) as timeout:
        await sim.next_message(group, timeout=0.05)
    assert "'Team'" in str(timeout.value) and "to the group" in str(timeout.value)


async def test_transcript_and_privacy_mode() -> None:
    sim = BotApiSimulator("42:T", bot_username="rectify_bot", bot_name="整改助手")
    async with sim:
        zhang = sim.add_user("张", "老师")
        group = sim.add_group("一中工作群", bot_is_admin=False)
        await sim.send_text(zhang, "大家好", chat=group)
        await sim.send_command(zhang, "/start", chat=group, mention_bot=True)
        await sim.send_command(zhang, "/help@other_bot", chat=group)
        delivered = [u["message"]["text"] for u in sim.updates]
        assert delivered == ["/start@rectify_bot"], "privacy mode: only commands for this bot"
        entity = sim.updates[0]["message"]["entities"][0]
        assert entity == {"type": "bot_command", "offset": 0, "length": 18}
        sim.state.updates.drop_pending()
        await sim.send_photo(zhang, b"not really a jpeg", caption="现场照片")
        photo_msg = sim.messages(zhang)[-1]
        assert photo_msg.photo is not None
        log = sim.render_transcript(labels=LABELS_ZH)
    assert log.splitlines() == [
        "[一中工作群] 张老师: 大家好",
        "[一中工作群] 张老师: /start@rectify_bot",
        "[一中工作群] 张老师: /help@other_bot",
        "[私聊 · 张老师] 张老师: [图片] 现场照片",
    ]


async def test_user_files_downloadable_and_latency(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    sent = await sim.send_document(alice, b"hello", filename="note.txt")
    assert sent["document"]["mime_type"] == "text/plain"
    info = await api.ok("getFile", file_id=sent["document"]["file_id"])
    download = await api.client.get(f"{sim.base_file_url}{sim.token}/{info['file_path']}")
    assert download.content == b"hello" and info["file_size"] == 5
    missing = await api.client.get(f"{sim.base_file_url}{sim.token}/documents/nope")
    assert missing.status_code == 404
    copied = await api.ok(
        "copyMessage",
        chat_id=alice.id,
        from_chat_id=alice.id,
        message_id=sent["message_id"],
        caption="副本",
    )
    copy = sim.bot_messages(alice)[0]
    assert copy.message_id == copied["message_id"] and copy.caption == "副本"
    assert copy.document == {**sent["document"]}
    sim.latency = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    await api.ok("getMe")
    assert loop.time() - started >= 0.2


async def test_chat_wide_edit_cursor_narration_and_fixed_ids(
    sim: BotApiSimulator, api: Any
) -> None:
    admin = sim.add_user("Admin", user_id=900001)
    alice = sim.add_user("Alice")
    assert (admin.id, alice.id) == (900001, 1001)
    with pytest.raises(ValueError):
        sim.add_user("Clash", user_id=1001)
    sim.narrate("Scene 1")
    await sim.send_text(alice, "hi")
    first = await api.ok("sendMessage", chat_id=alice.id, text="one")
    second = await api.ok("sendMessage", chat_id=alice.id, text="two")
    await api.ok("editMessageText", chat_id=alice.id, message_id=second["message_id"], text="2")
    await api.ok("editMessageText", chat_id=alice.id, message_id=first["message_id"], text="1")
    assert (await sim.wait_edit(alice)).text == "2"
    assert (await sim.wait_edit(alice)).text == "1"
    with pytest.raises(TimeoutError, match="no bot message was edited"):
        await sim.wait_edit(sim.private_chat(alice), timeout=0.05)
    with pytest.raises(TimeoutError):
        await sim.wait_edit(first["message_id"], alice, timeout=0.05)
    assert sim.render_transcript().splitlines()[:2] == [
        "== Scene 1 ==",
        "[private · Alice] Alice: hi",
    ]
    assert all(line.kind != "narration" for line in sim.transcript(alice))
