"""python-telegram-bot's Defaults(parse_mode=...) add parse_mode to editMessageReplyMarkup,
which Telegram ignores: the simulator tolerates that one injection and nothing else."""

from __future__ import annotations

from simulator import BotApiSimulator
from tests.simulator.conftest import Api


async def test_parse_mode_on_edit_reply_markup_is_tolerated(sim: BotApiSimulator, api: Api) -> None:
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
    assert status == 200
    assert sim.violations == []


async def test_other_unknown_parameters_are_still_violations(
    sim: BotApiSimulator, api: Api
) -> None:
    user = sim.add_user("李老师")
    await sim.send_text(user, "hi")
    sent = await api.ok("sendMessage", chat_id=user.id, text="x")
    status, _ = await api(
        "editMessageReplyMarkup", chat_id=user.id, message_id=sent["message_id"], colour="red"
    )
    assert status == 400
    assert sim.violations and "colour" in sim.violations[0]
    sim.violations.clear()
