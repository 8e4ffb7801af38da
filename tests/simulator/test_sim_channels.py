"""Channels in the simulator: the bot posts as the channel (``sender_chat``, no ``from``)
when it is an administrator, and deletes its posts; without admin rights both are refused."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import BadRequest

from simulator import BotApiSimulator


async def test_post_and_delete_in_a_channel(sim: BotApiSimulator, running_app: Any) -> None:
    channel = sim.add_channel("荣誉榜")
    async with running_app() as app:
        posted = await app.bot.send_message(channel.id, "<b>表扬</b>", parse_mode="HTML")
        assert posted.chat.type == "channel" and posted.from_user is None
        assert posted.sender_chat is not None and posted.sender_chat.id == channel.id
        assert sim.bot_messages(channel)[-1].text == "表扬"
        assert await app.bot.delete_message(channel.id, posted.message_id) is True
        assert sim.bot_messages(channel)[-1].deleted
        with pytest.raises(BadRequest, match="not found"):
            await app.bot.delete_message(channel.id, posted.message_id)


async def test_a_channel_without_admin_rights_refuses(
    sim: BotApiSimulator, running_app: Any
) -> None:
    channel = sim.add_channel("曝光台")
    async with running_app() as app:
        posted = await app.bot.send_message(channel.id, "曝光")
        channel.bot_is_admin = False
        with pytest.raises(BadRequest, match="can't be deleted"):
            await app.bot.delete_message(channel.id, posted.message_id)
        with pytest.raises(BadRequest, match="administrator rights"):
            await app.bot.send_message(channel.id, "再发")
    sim.violations.clear()  # the refusals above are what this test asks for
