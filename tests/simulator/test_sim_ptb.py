"""The simulator driven by an unmodified python-telegram-bot Application."""

from __future__ import annotations

import datetime as dtm
import struct
import zlib
from typing import Any

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from simulator import BotApiSimulator

Ctx = ContextTypes.DEFAULT_TYPE


def png(width: int, height: int) -> bytes:
    """A valid (blank) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def echo(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(f"<b>echo</b>: {message.text}", parse_mode=ParseMode.HTML)


async def test_echo_reply_arrives(sim: BotApiSimulator, running_app: Any) -> None:
    alice = sim.add_user("张", "老师", username="zhang", language_code="zh-hans")
    seen: list[str | None] = []

    async def remember(update: Update, context: Ctx) -> None:
        assert update.effective_user is not None
        seen.append(update.effective_user.language_code)
        await echo(update, context)

    async with running_app(MessageHandler(filters.TEXT & ~filters.COMMAND, remember)):
        await sim.send_text(alice, "你好")
        msg = await sim.next_message(sim.private_chat(alice))
        await sim.wait_confirmed()
    assert msg.text == "echo: 你好"
    assert msg.html == "<b>echo</b>: 你好"
    assert msg.entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert seen == ["zh-hans"]
    assert sim.violations == []
    assert [c.method for c in sim.calls if c.method != "getUpdates"][:2] == [
        "getMe",
        "deleteWebhook",
    ]


async def test_callback_button_pressed_and_answered(sim: BotApiSimulator, running_app: Any) -> None:
    alice = sim.add_user("Alice")
    group = sim.add_group("一中工作群", supergroup=True)

    async def start(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("提交", callback_data="submit"),
                    InlineKeyboardButton("取消", callback_data="cancel"),
                ]
            ]
        )
        await update.effective_message.reply_text("欢迎", reply_markup=keyboard)

    async def pressed(update: Update, context: Ctx) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer(f"got {query.data}", show_alert=True)
        await query.edit_message_text(f"已{query.data}")

    async with running_app(CommandHandler("start", start), CallbackQueryHandler(pressed)):
        await sim.send_command(alice, "/start", chat=group, mention_bot=True)
        welcome = await sim.next_message(group)
        assert welcome.buttons == [["提交", "取消"]]
        query_id = await sim.press_button(alice, "提交", chat=group)
        edited = await sim.wait_edit(welcome.message_id, group)
        await sim.wait_confirmed()
    assert edited.text == "已submit" and edited.edits == 1 and edited.buttons == []
    answer = sim.callback_answers[-1]
    assert (answer.id, answer.text, answer.show_alert) == (query_id, "got submit", True)
    log = sim.render_transcript(group)
    assert "[一中工作群] Alice: /start@rectify_bot" in log
    assert "[一中工作群] 整改助手: 欢迎\n    [buttons] 提交 | 取消" in log
    assert "Alice pressed [提交]" in log
    assert "整改助手 (edited): 已submit" in log
    with pytest.raises(AssertionError, match="visible buttons"):
        await sim.press_button(alice, "不存在", chat=group)
    assert sim.violations == []


async def test_bad_calls_raise_like_telegram(sim: BotApiSimulator, running_app: Any) -> None:
    alice = sim.add_user("Alice")
    async with running_app() as app:
        await sim.send_text(alice, "hi")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(alice.id, "<b>bold</i>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)unknown method"):
            await app.bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": alice.id})
        with pytest.raises(BadRequest, match=r"(?i)unknown parameter 'colour'"):
            await app.bot.send_message(alice.id, "x", api_kwargs={"colour": "red"})
        with pytest.raises(BadRequest, match=r"(?i)not supported by the simulator"):
            await app.bot.send_dice(alice.id)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await app.bot.send_message(987654321, "x")
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
            await app.bot.send_message(alice.id, "x", reply_markup=keyboard)
    assert len(sim.violations) == 5
    assert any("unknown parameter 'colour'" in v for v in sim.violations)
    assert any("sendTelepathy" in v for v in sim.violations)
    sim.violations.clear()


async def test_forbidden_and_migrated(sim: BotApiSimulator, running_app: Any) -> None:
    alice, bob = sim.add_user("Alice"), sim.add_user("Bob")
    group = sim.add_group("Old group")
    async with running_app() as app:
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await app.bot.send_message(bob.id, "hello")
        await sim.send_text(alice, "hi")
        await app.bot.send_message(alice.id, "hello")
        sim.block_bot(alice)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(alice.id, "hello again")
        await sim.send_text(alice, "group hi", chat=group)
        new_id = sim.migrate_group(group)
        with pytest.raises(ChatMigrated) as migrated:
            await app.bot.send_message(group.id, "hello group")
        assert migrated.value.new_chat_id == new_id
        sent = await app.bot.send_message(new_id, "hello supergroup")
        assert sent.chat.type == "supergroup"
        await sim.wait_confirmed()
    assert any("migrate_from_chat_id" in u.get("message", {}) for u in sim.updates)
    assert sim.violations == []


async def test_flood_control_answers_429(
    sim: BotApiSimulator, running_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    now = [1000.0]
    sim.flood.clock = lambda: now[0]
    sim.set_flood_control(True, private_per_second=1.0, private_burst=2)
    alice = sim.add_user("Alice")
    async with running_app() as app:
        await sim.send_text(alice, "hi")
        await app.bot.send_message(alice.id, "1")
        now[0] += 0.5
        await app.bot.send_message(alice.id, "2")
        with pytest.raises(RetryAfter) as refused:
            await app.bot.send_message(alice.id, "3")
        assert refused.value.retry_after == dtm.timedelta(seconds=2)
        now[0] += 2.0
        await app.bot.send_message(alice.id, "3")
    assert sim.stats.flood_429 == {alice.id: 1}
    assert [m.text for m in sim.bot_messages(alice.id)] == ["1", "2", "3"]


async def test_faults_5xx_and_delay(sim: BotApiSimulator, running_app: Any) -> None:
    alice = sim.add_user("Alice")
    async with running_app() as app:
        await sim.send_text(alice, "hi")
        sim.faults.fail_next("sendMessage", status=502)
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await app.bot.send_message(alice.id, "lost")
        sim.faults.delay_next("sendMessage", 0.5)
        with pytest.raises(TimedOut):
            await app.bot.send_message(alice.id, "late", read_timeout=0.1)
        ok = await app.bot.send_message(alice.id, "fine")
        first = await sim.next_message(alice.id)
        late = await sim.next_message(alice.id, timeout=2.0)
    assert (first.text, first.message_id) == ("fine", ok.message_id)
    assert late.text == "late", "a delayed call is still carried out, as on Telegram"
    assert sim.stats.errors_by_status == {502: 1}


async def test_files_roundtrip(sim: BotApiSimulator, running_app: Any) -> None:
    alice = sim.add_user("Alice")
    payload = b"%PDF-1.4 rectification report\n" * 100
    got: list[bytes] = []

    async def on_document(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None
        document = update.effective_message.document
        assert document is not None and document.file_name == "a.pdf"
        file = await document.get_file()
        got.append(bytes(await file.download_as_bytearray()))

    async with running_app(MessageHandler(filters.Document.ALL, on_document)) as app:
        await sim.send_document(alice, data=payload, filename="a.pdf", mime_type="application/pdf")
        await sim.wait_confirmed()
        sent = await app.bot.send_document(alice.id, payload, filename="report.pdf", caption="报告")
        assert sent.document is not None and sent.document.mime_type == "application/pdf"
        file = await app.bot.get_file(sent.document.file_id)
        assert bytes(await file.download_as_bytearray()) == payload
        again = await app.bot.send_document(alice.id, sent.document.file_id)
        assert again.document is not None
        assert again.document.file_unique_id == sent.document.file_unique_id
        photo = await app.bot.send_photo(
            alice.id, png(1600, 1200), caption="<i>现场</i>", parse_mode=ParseMode.HTML
        )
        assert [(p.width, p.height) for p in photo.photo][-1] == (1600, 1200)
        with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
            await app.bot.send_photo(alice.id, b"not an image")
    assert got == [payload]
    assert sim.bot_messages(alice.id)[0].document == sent.document.to_dict()
    assert sim.bot_messages(alice.id)[-1].caption == "现场"
    assert sim.violations == ["sendPhoto: Bad Request: IMAGE_PROCESS_FAILED"]
    sim.violations.clear()


async def test_an_album_of_pictures(sim: BotApiSimulator, running_app: Any) -> None:
    group = sim.add_group("Team", supergroup=True)
    async with running_app() as app:
        sent = await app.bot.send_media_group(
            group.id,
            [InputMediaPhoto(png(300 + i, 200)) for i in range(4)],
            caption="<b>一周</b>简报",
            parse_mode=ParseMode.HTML,
        )
        assert [m.photo[-1].width for m in sent] == [300, 301, 302, 303]
        again = await app.bot.send_media_group(
            group.id, [InputMediaPhoto(m.photo[-1].file_id) for m in sent[:2]]
        )
        with pytest.raises(BadRequest, match="at least 2"):
            await app.bot.send_media_group(group.id, [InputMediaPhoto(png(10, 10))])
        with pytest.raises(BadRequest, match=r"(?i)too much messages"):
            await app.bot.send_media_group(group.id, [InputMediaPhoto(png(9, 9))] * 11)
    stored = sim.bot_messages(group.id)
    assert len(stored) == 6 and len({m.media_group_id for m in stored}) == 2
    assert [m.caption for m in stored[:4]] == ["一周简报", None, None, None]
    assert stored[0].entities[0]["type"] == "bold"
    assert [m.message_id for m in again] == [5, 6]
    assert sim.violations == [
        "sendMediaGroup: Bad Request: MEDIA_EMPTY: an album needs at least 2 media",
        "sendMediaGroup: Bad Request: too much messages to send as an album",
    ]
    sim.violations.clear()


async def test_commands_chats_members_copies(sim: BotApiSimulator, running_app: Any) -> None:
    alice = sim.add_user("Alice")
    group = sim.add_group("Team", supergroup=True)
    async with running_app() as app:
        bot = app.bot
        await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("report", "Report")])
        await bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
        await bot.set_my_commands(
            [BotCommand("status", "Status")], scope=BotCommandScopeAllGroupChats()
        )
        assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start"]
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Start-Now", "bad")])
        chat = await bot.get_chat(group.id)
        assert (chat.title, chat.type) == ("Team", "supergroup")
        member = await bot.get_chat_member(group.id, bot.id)
        assert member.status == ChatMemberStatus.ADMINISTRATOR
        await sim.send_text(alice, "原始消息", chat=group)
        copied = await bot.copy_message(group.id, group.id, 1)
        await bot.send_chat_action(group.id, "typing")
        assert await bot.leave_chat(group.id)
        with pytest.raises(Forbidden, match="not a member"):
            await bot.send_message(group.id, "still here?")
    assert sim.chat_actions == [(group.id, "typing")]
    assert sim.commands() == [("start", "Start"), ("report", "Report")]
    assert sim.commands("zh") == [("start", "开始")]
    assert sim.commands(scope="all_group_chats") == [("status", "Status")]
    assert sim.bot_messages(group)[0].message_id == copied.message_id
    assert sim.bot_messages(group)[0].text == "原始消息"
    assert len(sim.violations) == 1
    sim.violations.clear()
