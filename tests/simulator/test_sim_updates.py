"""getUpdates, webhooks and the HTTP surface, spoken to over raw HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from aiohttp import web

from simulator import BotApiSimulator


def ids(body: Any) -> list[int]:
    return [u["update_id"] for u in body["result"]]


async def test_unconfirmed_updates_are_delivered_again(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    await sim.send_text(alice, "one")
    await sim.send_text(alice, "two")
    _, first = await api("getUpdates", timeout=0)
    assert [u["message"]["text"] for u in first["result"]] == ["one", "two"]
    # The client "reconnects" without confirming: Telegram delivers the same updates again.
    _, again = await api("getUpdates", timeout=0)
    assert ids(again) == ids(first)
    _, limited = await api("getUpdates", timeout=0, limit=1)
    assert ids(limited) == ids(first)[:1]
    _, rest = await api("getUpdates", timeout=0, offset=ids(first)[0] + 1)
    assert ids(rest) == ids(first)[1:]
    _, empty = await api("getUpdates", timeout=0, offset=ids(first)[1] + 1)
    assert empty == {"ok": True, "result": []}
    await sim.wait_confirmed(timeout=1)


async def test_long_poll_waits_and_wakes(sim: BotApiSimulator, api: Any) -> None:
    alice = sim.add_user("Alice")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    await sim.send_text(alice, "wake up")
    status, body = await poll
    assert status == 200 and body["result"][0]["message"]["text"] == "wake up"
    assert loop.time() - started < 2
    started = loop.time()
    _, empty = await api("getUpdates", timeout=1, offset=ids(body)[0] + 1)
    assert empty["result"] == [] and 0.9 < loop.time() - started < 3


async def test_second_poll_terminates_the_first(sim: BotApiSimulator, api: Any) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(api("getUpdates", timeout=0))
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert (await second)[0] == 200


async def test_webhook_delivery_secret_and_retries(sim: BotApiSimulator, api: Any) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures = [2]

    async def hook(request: web.Request) -> web.Response:
        if failures[0]:
            failures[0] -= 1
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    sim.state.updates.retry_delay = 0.01
    try:
        alice = sim.add_user("Alice")
        status, body = await api(
            "setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t"
        )
        assert (status, body["result"]) == (200, True)
        await sim.send_text(alice, "via webhook")
        await sim.wait_confirmed(timeout=3)
        assert received[0][0] == "s3cr3t"
        assert received[0][1]["message"]["text"] == "via webhook"
        status, body = await api("getUpdates")
        assert status == 409 and "webhook is active" in body["description"]
        _, info = await api("getWebhookInfo")
        assert info["result"]["url"].endswith("/hook")
        assert info["result"]["pending_update_count"] == 0
        assert "Wrong response" in info["result"]["last_error_message"]
        status, body = await api("setWebhook", url="http://example.com/hook")
        assert status == 400 and "HTTPS" in body["description"]
        await api("deleteWebhook", drop_pending_updates=True)
        assert (await api("getUpdates"))[0] == 200
    finally:
        await runner.cleanup()


async def test_http_surface(sim: BotApiSimulator, api: Any) -> None:
    async with httpx.AsyncClient(trust_env=False) as raw:
        wrong = await raw.post(f"{sim.base_url}999:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        by_query = await raw.get(f"{sim.base_url}{sim.token}/GETME?x=1")
    assert by_query.status_code == 400, "getMe has no parameter x"
    me = (await api.client.get("getme")).json()["result"]
    assert me == {
        "id": 123456,
        "is_bot": True,
        "first_name": "整改助手",
        "username": "rectify_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
    alice = sim.add_user("Alice")
    await sim.send_text(alice, "hi")
    sent = await api.client.post("sendMessage", json={"chat_id": alice.id, "text": "json body"})
    assert sent.json()["result"]["text"] == "json body"
    status, body = await api("noSuchMethod")
    assert status == 400 and body["description"] == "Bad Request: unknown method noSuchMethod"
    status, body = await api("sendMessage", chat_id=alice.id)
    assert status == 400 and "text" in body["description"]
    assert sim.violations == [
        "getMe: unknown parameter 'x'",
        "noSuchMethod: unknown method 'noSuchMethod'",
        "sendMessage: missing required parameter 'text'",
    ]
    sim.violations.clear()
