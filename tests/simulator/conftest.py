"""Fixtures for the simulator's own tests: a running simulator and a real
python-telegram-bot ``Application`` polling it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from simulator import BotApiSimulator

TOKEN = "123456:TEST-simulator"

AppFactory = Callable[
    ..., contextlib.AbstractAsyncContextManager[Application[Any, Any, Any, Any, Any, Any]]
]


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator(
        token=TOKEN, bot_id=123456, bot_username="rectify_bot", bot_name="整改助手"
    ) as simulator:
        yield simulator


def build_app(sim: BotApiSimulator) -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.base_url)
        .base_file_url(sim.base_file_url)
        .build()
    )


@pytest.fixture
def running_app(sim: BotApiSimulator) -> Callable[..., Any]:
    """``async with running_app(handler, ...) as app:`` — an Application polling ``sim``."""

    @contextlib.asynccontextmanager
    async def run(
        *handlers: BaseHandler[Any, Any, Any],
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        app = build_app(sim)
        for handler in handlers:
            app.add_handler(handler)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

    return run


class Api:
    """Raw Bot API calls over HTTP, encoded like python-telegram-bot encodes them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, method: str, **params: Any) -> tuple[int, Any]:
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        response = await self.client.post(method, data=data)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200, body
        return body["result"]


@pytest.fixture
async def api(sim: BotApiSimulator) -> AsyncIterator[Api]:
    base = f"{sim.base_url}{sim.token}/"
    async with httpx.AsyncClient(base_url=base, trust_env=False) as client:
        yield Api(client)
