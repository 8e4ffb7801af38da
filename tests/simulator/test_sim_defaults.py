"""Unknown parameters are violations, `parse_mode` on editMessageReplyMarkup included (the one
python-telegram-bot's `Defaults` inject; bot/spec_bot.py keeps the bot from sending it), and the
simulator's spec record lists every such call."""

from __future__ import annotations

from simulator import BotApiSimulator
from tests.simulator.conftest import Api


async def test_parse_mode_on_edit_reply_markup_is_a_violation(
    sim: BotApiSimulator, api: Api
) -> None:
    user = sim.add_user("张老师")
    await sim.send_text(user, "hi")
    sent = await api.ok(
        "sendMessage",
        chat_id=user.id,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]},
    )
    status, _ = await api(
        "editMessageReplyMarkup", chat_id=user.id, message_id=sent["message_id"], parse_mode="HTML"
    )
    assert status == 400
    assert sim.off_spec == ["editMessageReplyMarkup: unknown parameter 'parse_mode'"]
    assert sim.violations and "parse_mode" in sim.violations[0]
    sim.violations.clear()


async def test_other_unknown_parameters_and_methods_are_in_the_record(
    sim: BotApiSimulator, api: Api
) -> None:
    user = sim.add_user("李老师")
    await sim.send_text(user, "hi")
    sent = await api.ok("sendMessage", chat_id=user.id, text="x")
    status, _ = await api(
        "editMessageReplyMarkup", chat_id=user.id, message_id=sent["message_id"], colour="red"
    )
    assert status == 400
    unknown, _ = await api("sendTelegram", chat_id=user.id)
    assert unknown == 400
    assert sim.off_spec == [
        "editMessageReplyMarkup: unknown parameter 'colour'",
        "sendTelegram: unknown method 'sendTelegram'",
    ]
    assert sim.violations and "colour" in sim.violations[0]
    sim.violations.clear()
