"""How updates come in, and the bot's own HTTP server.

Polling (default): `bot.updates.polling` long-polls getUpdates and confirms an update only once it
was handled. Webhook mode: our aiohttp server accepts Telegram's POSTs on
`[telegram.webhook] path`; a request without the right `X-Telegram-Bot-Api-Secret-Token` is
refused (403) and logged without its body. The same server answers `/healthz` and
`/metrics`; in polling mode they are served on `[ops] port`.

A webhook update is answered 200 only after it was handled (through the same ordered update
processor as polling): a crash before that leaves it with Telegram, which delivers it again.
python-telegram-bot's own `run_webhook` (tornado) has no room for extra routes, hence this.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from aiohttp import web
from prometheus_client.exposition import choose_encoder
from telegram import Update
from telegram.ext import Application

from bot.config import Config
from bot.config.ops import WebhookConfig
from bot.ops import metrics
from bot.ops.health import health_of
from bot.updates import polling, transport

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
AnyApp = Application[Any, Any, Any, Any, Any, Any]
# Telegram's updates are small; a document caption with entities stays far below this.
MAX_BODY = 1024 * 1024
SHUTDOWN_SECONDS = 10.0


def web_app(app: AnyApp, *, webhook: WebhookConfig | None) -> web.Application:
    """The routes: `/healthz`, `/metrics` and, in webhook mode, the webhook path."""
    server = web.Application(client_max_size=MAX_BODY)

    async def healthz(request: web.Request) -> web.Response:
        state = health_of(app)
        verdict = await state.verdict()
        body = {**verdict.as_json(), "mode": state.mode}
        return web.json_response(body, status=200 if verdict.ok else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encode(await metrics.collect(app))
        return web.Response(body=body, headers={"Content-Type": content_type})

    server.router.add_get("/healthz", healthz)
    server.router.add_get("/metrics", metrics_page)
    if webhook is not None:
        server.router.add_post(webhook.local_path, _receiver(app, webhook.secret))
    return server


def _receiver(app: AnyApp, secret: str) -> Any:
    expected = secret.encode()
    counters = metrics.counters_of(app)
    poison = polling.Poison()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None or not hmac.compare_digest(given.encode(), expected):
            counters.webhook_refused += 1
            log.warning(
                "webhook: refused a request from %s: secret token %s",
                request.remote,
                "missing" if given is None else "wrong",
            )
            return web.Response(status=403, text="forbidden")
        if health_of(app).leader is False or not app.running:
            # A standby (or stopping) process: Telegram delivers the update again later.
            return web.Response(status=503, text="not the active process")
        body: object = None
        try:
            body = await request.json()
            update = Update.de_json(body, app.bot)  # type: ignore[arg-type]
        except Exception as error:  # bad JSON or not an update; the body is not logged
            counters.webhook_malformed += 1
            uid = transport.update_id_of(body)
            if uid is not None and poison.failed(uid, type(error).__name__):
                return web.Response(status=200)  # skipped: Telegram stops sending it
            log.warning("webhook: a request that is not an update: %s", type(error).__name__)
            return web.Response(status=400, text="not an update")
        await app.update_processor.process_update(update, app.process_update(update))
        return web.Response(status=200)

    return receive


@asynccontextmanager
async def _serving(server: web.Application, host: str, port: int) -> AsyncIterator[None]:
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield
    finally:
        await runner.cleanup()  # stops accepting, then waits for requests in flight


@asynccontextmanager
async def http_server(app: AnyApp, config: Config) -> AsyncIterator[None]:
    """Serve the webhook (webhook mode) and `/healthz` + `/metrics` while the block runs."""
    hook = config.telegram.webhook if config.telegram.mode == "webhook" else None
    ops = config.ops
    async with AsyncExitStack() as stack:
        if hook is not None:
            await stack.enter_async_context(
                _serving(web_app(app, webhook=hook), hook.listen, hook.port)
            )
            log.info("webhook server on %s:%s%s", hook.listen, hook.port, hook.local_path)
        if ops.port is not None and (
            hook is None or (ops.listen, ops.port) != (hook.listen, hook.port)
        ):
            await stack.enter_async_context(
                _serving(web_app(app, webhook=None), ops.listen, ops.port)
            )
            log.info("health and metrics on %s:%s", ops.listen, ops.port)
        yield


@asynccontextmanager
async def receiving(app: AnyApp, config: Config, *, poll_timeout: int) -> AsyncIterator[str]:
    """Take updates from Telegram while the block runs: poll, or register the webhook.

    The webhook is not deleted at the end: Telegram keeps the updates that arrive meanwhile
    and delivers them to whichever process serves the URL next.
    """
    if config.telegram.mode == "webhook":
        hook = config.telegram.webhook
        assert hook is not None and hook.url is not None, "validated with the config"
        await app.bot.set_webhook(
            url=hook.url,
            secret_token=hook.secret,
            max_connections=hook.max_connections,
            drop_pending_updates=False,
        )
        yield "webhook"
        return
    # Our poller (in the Updater's place): it confirms an update only once it was handled.
    poller = await polling.install(app)
    await poller.start_polling(timeout=poll_timeout, drop_pending_updates=False)
    try:
        yield "polling"
    finally:
        if poller.running:
            await poller.stop()
