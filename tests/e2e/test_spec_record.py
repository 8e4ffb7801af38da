"""The spec record (`BotApiSimulator.off_spec`, checked after every e2e test by the autouse
fixture in conftest.py): python-telegram-bot's `Defaults(parse_mode=HTML)` would put
`parse_mode` on editMessageReplyMarkup, which the Bot API does not define; the bot's
`SpecBot` (bot/spec_bot.py) sends the call without it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from simulator import BotApiSimulator
from tests.e2e.conftest import Harness


async def test_keyboard_edits_carry_no_parse_mode(
    harness: Harness, spec_record: list[BotApiSimulator]
) -> None:
    sim, bot = harness.sim, harness.app.bot
    user = sim.add_user("王老师")
    await sim.send_command(user, "/start")
    await sim.next_message(user)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("一", callback_data="x:v1:1")]])
    sent = await bot.send_message(user.id, "<b>选择</b>", reply_markup=keyboard)
    assert sim.calls_to("sendMessage")[-1].params["parse_mode"] == "HTML"  # Defaults apply
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=None)
    edit = sim.calls_to("editMessageReplyMarkup")[-1]
    assert edit.status == 200 and "parse_mode" not in edit.params
    assert sim.off_spec == [] and spec_record == [sim]
