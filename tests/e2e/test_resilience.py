"""A handler that fails never stops the bot: the person gets an apology in their language, the
log gets the exception and the update id, and no name, username or message text."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from handlers.context import BotContext
from tests.e2e.conftest import Harness


class SecretLeakError(RuntimeError):
    pass


async def _explode(update: Update, context: BotContext) -> None:
    text = update.effective_message.text if update.effective_message else ""
    raise SecretLeakError(f"failed while handling {text!r}")


async def test_a_crashing_handler_apologises_and_the_bot_goes_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.app.add_handler(CommandHandler("boom", _explode), group=-1)
    user = harness.sim.add_user("Xiaoming", last_name="Wang", username="xiaoming_w")
    with caplog.at_level(logging.INFO):
        reply = await harness.ask(user, "/boom", "my-private-words")
    assert reply == "抱歉，系统出了点问题，请稍后再试。"
    await harness.sim.wait_confirmed()
    await harness.sim.drain(user)  # group 0 still answered the unknown command
    assert "您尚未登记" in await harness.ask(user, "/start")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SecretLeakError" in logged
    for private in ("my-private-words", "Xiaoming", "xiaoming_w", str(user.id)):
        assert private not in logged
    assert harness.config.telegram.token.get_secret_value() not in logged


async def test_a_failing_reply_is_survived(harness: Harness) -> None:
    user = harness.sim.add_user("郑老师")
    harness.sim.faults.fail_next("sendMessage", status=500)
    await harness.sim.send_command(user, "/help")
    # the first reply failed on Telegram's side; the apology (second send) gets through
    reply = await harness.sim.next_message(user)
    assert reply.text == "抱歉，系统出了点问题，请稍后再试。"
    assert (await harness.ask(user, "/help")).startswith("您可以使用的命令")


async def test_startup_publishes_the_menus_in_both_languages(harness: Harness) -> None:
    zh = dict(harness.sim.commands("zh", scope="all_private_chats"))
    en = dict(harness.sim.commands("en", scope="all_private_chats"))
    default = dict(harness.sim.commands(None, scope="all_private_chats"))
    # the public's menu: members get theirs per chat (tests/e2e/test_people.py)
    assert zh["complain"] == "匿名投诉" and en["complain"] == "Complain anonymously"
    assert "report" not in zh
    assert default == zh  # the campaign's language is the default
    group = dict(harness.sim.commands(None, scope="all_group_chats"))
    assert set(group) == {"help", "report", "complain", "bindgroup"}
