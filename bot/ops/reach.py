"""The first contact with the Bot API, told in words an operator can act on.

Telegram unreachable (no network, a firewall, mainland China without a proxy) is the most
common first-run failure; python-telegram-bot reports it as a long `NetworkError` traceback.
Here it becomes one line naming the URL tried (the token hidden) and the proxy in force, then
retries with back-off (`run`) or a clear exit (`run --once`). A refused token is no network
problem: it ends the start at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application

from bot.config import TelegramConfig
from bot.updates.transport import AiohttpRequest, Timeouts

log = logging.getLogger(__name__)

FIRST_RETRY = 2.0  # seconds before the second try; doubled after each failure ...
MAX_RETRY = 60.0  # ... up to this
PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
CHECK_TIMEOUT = 15.0  # seconds `run --once` gives getMe


class TelegramUnreachableError(RuntimeError):
    """No answer from the Bot API server (network, proxy, DNS, TLS, timeout)."""


class TelegramRefusedError(RuntimeError):
    """The Bot API server answered, and refused the token."""


def hide_credentials(url: str) -> str:
    """`http://user:secret@host:port` -> `http://user:***@host:port`."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def method_url(telegram: TelegramConfig, method: str = "getMe") -> str:
    """The URL a call goes to, with the token replaced by `<token>`."""
    return f"{telegram.base_url}<token>/{method}"


def proxy_setting(telegram: TelegramConfig, env: Mapping[str, str] | None = None) -> str:
    """Which proxy the Bot API calls use, as an operator would look for it."""
    if telegram.proxy:
        return f"[telegram] proxy = {hide_credentials(telegram.proxy)}"
    env = os.environ if env is None else env
    for name in PROXY_ENV:
        if env.get(name, "").strip():
            return f"env {name} = {hide_credentials(env[name].strip())}"
    return "none (no [telegram] proxy, no HTTPS_PROXY or ALL_PROXY in the environment)"


def _reason(error: BaseException, token: str) -> str:
    text = str(error).replace(token, "<token>") or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def unreachable(telegram: TelegramConfig, error: BaseException) -> str:
    """The one line that says what was tried and how."""
    token = telegram.token.get_secret_value()
    return (
        f"Telegram unreachable: {method_url(telegram)} ({_reason(error, token)}); "
        f"proxy: {proxy_setting(telegram)}"
    )


def refused(telegram: TelegramConfig) -> str:
    return (
        f"Telegram refused the token at {method_url(telegram)}: check [telegram] token "
        "(or env BOT_TOKEN) and, for a self-hosted Bot API server, [telegram] base_url"
    )


def _network_trouble(error: BaseException) -> bool:
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


async def initialize(
    app: Application[Any, Any, Any, Any, Any, Any],
    telegram: TelegramConfig,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """`app.initialize()` (its first call is getMe), tried again with back-off while the Bot
    API cannot be reached; `TelegramRefusedError` when the token is refused."""
    delay = FIRST_RETRY
    failures = 0
    while True:
        try:
            await app.initialize()
            if failures:
                log.info("Telegram reached after %d failed attempt(s)", failures)
            return
        except InvalidToken:
            raise TelegramRefusedError(refused(telegram)) from None
        except Exception as error:
            if not _network_trouble(error):
                raise
            failures += 1
            if failures == 1:
                log.error("%s; trying again in %.0f s", unreachable(telegram, error), delay)
            else:
                log.warning(
                    "Telegram still unreachable (%s); trying again in %.0f s",
                    type(error).__name__,
                    delay,
                )
        await sleep(delay)
        delay = min(delay * 2, MAX_RETRY)


def offline_bot(telegram: TelegramConfig) -> Bot:
    """A Bot for a console command (not the running bot): the configured token, Bot API
    server and proxy."""
    return Bot(
        telegram.token.get_secret_value(),
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        request=request(telegram),
    )


def request(telegram: TelegramConfig, timeout: float | None = None) -> AiohttpRequest:
    """A plain request for a one-off `Bot` of the command line, through `[telegram] proxy`
    (the running bot's transport), with `timeout` to connect and to read if given."""
    timeouts = Timeouts() if timeout is None else Timeouts(connect=timeout, read=timeout)
    return AiohttpRequest(proxy=telegram.proxy, timeouts=timeouts)


async def check(telegram: TelegramConfig) -> str:
    """`run --once`: getMe through the configured proxy; "@username" when it answered,
    `TelegramUnreachableError` or `TelegramRefusedError` otherwise."""
    timeout = CHECK_TIMEOUT
    bot = Bot(
        telegram.token.get_secret_value(),
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        request=request(telegram, timeout),
    )
    try:
        async with asyncio.timeout(timeout + 5), bot:
            return f"@{bot.username}"
    except InvalidToken:
        raise TelegramRefusedError(refused(telegram)) from None
    except TimeoutError as error:
        raise TelegramUnreachableError(unreachable(telegram, error)) from None
    except Exception as error:
        if not _network_trouble(error):
            raise
        raise TelegramUnreachableError(unreachable(telegram, error)) from None
