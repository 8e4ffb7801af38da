"""The Bot API calls' transport (bot/updates/transport.py): what python-telegram-bot expects of
a request — timeouts as TimedOut, a dead server as NetworkError, a reply whatever its status,
form fields and files — kept on aiohttp; the proxy from config or the environment; a step
Telegram refuses as done before counts as done."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.updates import transport
from bot.updates.transport import AiohttpRequest, ReplayTolerantRequest, Timeouts
from simulator import BotApiSimulator

TOKEN = "123456:transport"


def test_telegram_refusing_a_step_done_before_counts_as_done() -> None:
    base = "http://127.0.0.1/bot1:x/"
    old = b'{"ok":false,"description":"Bad Request: query is too old and response timeout'
    same = b'{"ok":false,"description":"Bad Request: message is not modified: specified new'
    assert transport._already_done(base + "answerCallbackQuery", old)
    assert transport._already_done(base + "editMessageText", same)
    assert transport._already_done(base + "editMessageReplyMarkup", same)
    assert not transport._already_done(base + "sendMessage", same)
    missing = b'{"description":"chat not found"}'
    assert not transport._already_done(base + "editMessageText", missing)
    tolerant = ReplayTolerantRequest()
    assert tolerant.reply(base + "answerCallbackQuery", 400, old) == (200, transport.DONE)
    assert tolerant.reply(base + "editMessageText", 400, missing) == (400, missing)
    assert AiohttpRequest().reply(base + "answerCallbackQuery", 400, old) == (400, old)


async def test_calls_fields_and_files_go_through_and_a_slow_reply_times_out() -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="t_bot") as sim:
        ann = sim.add_user("Ann")
        await sim.send_text(ann, "hi")  # a user the bot may write to
        request = ReplayTolerantRequest(connections=2, timeouts=Timeouts(read=0.5))
        bot = Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url, request=request)
        async with bot:
            sent = await bot.send_message(ann.id, "你好 & <b>hi</b>", parse_mode="HTML")
            assert sent.text == "你好 & hi"
            document = await bot.send_document(
                ann.id, b"%PDF-1.4 test", filename="清单.pdf", caption="附件"
            )
            assert document.document is not None
            assert document.document.file_name == "清单.pdf"
            stored = sim.state.files[document.document.file_id].data
            assert stored == b"%PDF-1.4 test"
            sim.faults.delay_next("sendMessage", 2.0)
            with pytest.raises(TimedOut):
                await bot.send_message(ann.id, "slow")
            with pytest.raises(TimedOut):  # a per-call timeout wins over the default
                sim.faults.delay_next("sendMessage", 1.0)
                await bot.send_message(ann.id, "slow", read_timeout=0.2)
            assert await bot.send_message(ann.id, "and on") is not None
            sim.faults.fail_next("getMe", status=502)
            code, body = await request.do_request(f"{sim.base_url}{TOKEN}/getMe", "POST")
            assert code == 502 and body  # any status comes back as it is, with its body


async def test_a_server_that_is_not_there_is_a_network_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "POST")


def test_the_proxy_comes_from_config_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    url = "https://api.telegram.org/bot1:x/getMe"

    def proxy(configured: str | None = None) -> str | None:
        return transport.proxy_for(url, configured, transport.environment_proxies())

    assert proxy() is None
    assert proxy("http://10.0.0.1:7890") == "http://10.0.0.1:7890"
    monkeypatch.setenv("ALL_PROXY", "http://10.0.0.2:1080")
    assert proxy() == "http://10.0.0.2:1080"
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.3:3128")
    assert proxy() == "http://10.0.0.3:3128"
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert proxy() is None
    for covers in ("*", ".telegram.org", "localhost, telegram.org", "API.Telegram.org"):
        monkeypatch.setenv("NO_PROXY", covers)
        assert proxy() is None, covers
    for misses in ("gram.org", "api.telegram.org.cn", ""):
        monkeypatch.setenv("NO_PROXY", misses)
        assert proxy() == "http://10.0.0.3:3128", misses
    assert proxy("http://10.0.0.1:7890") == "http://10.0.0.1:7890"


async def test_a_request_reads_the_environment_once_and_each_origin_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.3:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest()
    await request.initialize()
    try:
        monkeypatch.delenv("HTTPS_PROXY")  # read at the start: later changes are not seen
        assert request._proxy("https://api.telegram.org/bot1:x/getMe") == "http://10.0.0.3:3128"
        assert request._proxy("http://127.0.0.1:8081/bot1:x/getMe") is None
        assert set(request._proxies) == {"https://api.telegram.org", "http://127.0.0.1:8081"}
    finally:
        await request.shutdown()
