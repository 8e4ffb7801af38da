"""A local fake of the Telegram Bot API for tests and the offline demo.

Only the standard library and aiohttp: nothing of python-telegram-bot or the bot itself.

    async with BotApiSimulator(token=T, bot_username="rectify_bot", bot_name="整改助手") as sim:
        app = (ApplicationBuilder().token(T).base_url(sim.base_url)
               .base_file_url(sim.base_file_url).build())
        ...start the app and its updater (polling)...
        alice = sim.add_user("张", "老师", language_code="zh-hans")
        await sim.send_command(alice, "/start")
        reply = await sim.next_message(alice)          # a user stands for their private chat
        await sim.press_button(alice, reply.buttons[0][0])
        print(sim.render_transcript(labels=LABELS_ZH))
        assert sim.violations == []

Modules: ``server`` (HTTP, validation, faults, latency), ``world`` (users, chats),
``driver`` (what users do, waiting for the bot), ``state``/``models`` (records),
``methods_messages``/``methods_other`` (Bot API semantics), ``content`` (text and markup
checks), ``updates`` (getUpdates and webhooks), ``flood``, ``faults``, ``transcript``.
"""

from simulator.api.flood import FloodControl, FloodLimits
from simulator.common import ApiError
from simulator.driver import BotApiSimulator
from simulator.faults import Faults
from simulator.models import (
    ApiCall,
    BotMessage,
    CallbackAnswer,
    SimChat,
    SimMessage,
    SimStats,
    SimUser,
    StoredFile,
)
from simulator.transcript import LABELS_EN, LABELS_ZH, TranscriptLine

__all__ = [
    "LABELS_EN",
    "LABELS_ZH",
    "ApiCall",
    "ApiError",
    "BotApiSimulator",
    "BotMessage",
    "CallbackAnswer",
    "Faults",
    "FloodControl",
    "FloodLimits",
    "SimChat",
    "SimMessage",
    "SimStats",
    "SimUser",
    "StoredFile",
    "TranscriptLine",
]
