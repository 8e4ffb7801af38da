"""How the bot's Bot API calls travel: python-telegram-bot's `BaseRequest` on aiohttp.

Why not python-telegram-bot's own `HTTPXRequest`: measured in `benchmarks/conversation.py`
(docs/performance.md, "CPU per update"), a call through httpx and httpcore cost ~2.3 ms of
the bot's CPU and through aiohttp ~0.5 ms, and a step makes two or three calls: the transport
was most of the gap between our bot and the echo bot. aiohttp is already the webhook's
server. What python-telegram-bot expects of a request is kept:

- the four timeouts (defaults as `HTTPXRequest`'s: 5 s to connect, read and write, 1 s for a
  free connection, 20 s to write a file); a call that finds every connection busy waits for
  one up to its pool timeout (aiohttp counts that wait in `connect`), and every call has an
  overall limit of the four together (aiohttp has no write timeout of its own);
- a timeout raises `TimedOut`, any other transport error `NetworkError` (with aiohttp's
  exception's name), a reply is (status, body) whatever the status;
- form fields as `HTTPXRequest` sends them, files as multipart;
- a proxy: `[telegram] proxy`, else the environment's `HTTPS_PROXY` / `HTTP_PROXY` /
  `ALL_PROXY`, except for hosts in `NO_PROXY` (HTTP proxies, as httpx without extras);
- one TLS context for every pool of the process (`tls`).

`ReplayTolerantRequest` (the Application's calls) and `FreshUpdatesRequest` (its getUpdates)
build on it; see bot/updates/polling.py for why each exists."""

from __future__ import annotations

import functools
import logging
import ssl
import urllib.request
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpx
import orjson
from telegram import Bot, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timeouts:
    """Seconds, as python-telegram-bot's `HTTPXRequest` takes them (None: no limit)."""

    connect: float | None = 5.0
    read: float | None = 5.0
    write: float | None = 5.0
    pool: float | None = 1.0
    media_write: float | None = 20.0


def _pick(given: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given


def _sum(*parts: float | None) -> float | None:
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


class AiohttpRequest(BaseRequest):
    """One aiohttp connection pool of `connections` connections (see the module's note)."""

    def __init__(
        self,
        *,
        connections: int = 1,
        timeouts: Timeouts = Timeouts(),
        proxy: str | None = None,
    ) -> None:
        self.connections, self.timeouts, self.proxy = connections, timeouts, proxy
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # per origin (scheme://host:port)
        self._environment: dict[str, str] = {}

    @property
    def read_timeout(self) -> float | None:
        return self.timeouts.read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._environment = {} if self.proxy else environment_proxies()
            self._proxies.clear()
            connector = aiohttp.TCPConnector(limit=self.connections, ssl=tls())
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                trust_env=False,  # the environment's proxy is looked up here (`_proxy`)
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def set_timeouts(self, **seconds: float | None) -> None:
        """Change the default timeouts (e.g. `read=1.0`)."""
        self.timeouts = replace(self.timeouts, **seconds)

    def reply(self, url: str, code: int, payload: bytes) -> tuple[int, bytes]:
        """What a call to `url` answered, as python-telegram-bot is to see it."""
        return code, payload

    def _proxy(self, url: str) -> str | None:
        """The proxy for `url`, worked out once per origin."""
        origin = _origin(url)
        if origin not in self._proxies:
            self._proxies[origin] = proxy_for(url, self.proxy, self._environment)
        return self._proxies[origin]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        t = self.timeouts
        files = request_data.multipart_data if request_data is not None else None
        fields = request_data.json_parameters if request_data is not None else None
        read = _pick(read_timeout, t.read)
        write = _pick(write_timeout, t.media_write if files else t.write)
        connect = _pick(connect_timeout, t.connect)
        pool = _pick(pool_timeout, t.pool)
        timeout = aiohttp.ClientTimeout(
            total=_sum(pool, connect, write, read),
            connect=_sum(pool, connect),  # waiting for a free connection, then connecting
            sock_connect=connect,
            sock_read=read,
        )
        body: Any = fields
        if files:
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                filename, content, mimetype = part
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        try:
            async with session.request(
                method, url, data=body, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return self.reply(url, response.status, await response.read())
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _origin(url: str) -> str:
    """`scheme://host:port` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def environment_proxies() -> dict[str, str]:
    """The environment's proxy settings (`*_PROXY`, `NO_PROXY` as "no"), read once per
    request at its start: reading them walks the whole environment (~0.6 ms a call)."""
    return urllib.request.getproxies()


def proxy_for(url: str, configured: str | None, environment: dict[str, str]) -> str | None:
    """The configured proxy, else the environment's for `url`'s scheme (or ALL_PROXY),
    unless NO_PROXY names its host."""
    if configured:
        return configured
    if not environment:
        return None
    parts = urlsplit(url)
    if _bypassed(parts.hostname or "", environment.get("no", "")):
        return None
    return environment.get(parts.scheme) or environment.get("all")


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether NO_PROXY names `host`: "*", the host itself, or a domain it is in ("example.org"
    and ".example.org" both cover "api.example.org")."""
    host = host.lower()
    for entry in no_proxy.replace(" ", "").lower().split(","):
        name = entry.lstrip(".")
        if entry == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


@functools.cache
def tls() -> ssl.SSLContext:
    """The one TLS context of every connection pool in the process, as httpx builds it (its CA
    bundle, `SSL_CERT_FILE` honoured): loading the certificates costs ~30 ms of CPU a pool."""
    return httpx.create_ssl_context()


# Telegram's refusals of a step done again: (method, words of the 400 answer).
ALREADY_DONE = (
    ("/answerCallbackQuery", b"query is too old"),  # answered before, or too old
    ("/editMessageText", b"message is not modified"),
    ("/editMessageReplyMarkup", b"message is not modified"),
    ("/editMessageCaption", b"message is not modified"),
)
DONE = b'{"ok":true,"result":true}'  # what Telegram answers for an inline message's edit


class ReplayTolerantRequest(AiohttpRequest):
    """The Application's calls, except that Telegram refusing a step because it was done
    before counts as done: answering a callback query again, or editing a message to what it
    already shows. (The edit then returns True instead of the message, as for an inline
    message; no handler uses what an edit returns.)"""

    def reply(self, url: str, code: int, payload: bytes) -> tuple[int, bytes]:
        if code == 400 and _already_done(url, payload):
            log.info("%s: done before; going on", url.rsplit("/", 1)[-1])
            return 200, DONE
        return code, payload


def _already_done(url: str, payload: bytes) -> bool:
    text = payload.lower()
    return any(url.endswith(method) and words in text for method, words in ALREADY_DONE)


class FreshUpdatesRequest(AiohttpRequest):
    """The getUpdates request: drops from Telegram's answer the updates the poller already
    took (ids up to `after`), so that only new ones are parsed; and parses the rest one by
    one, setting aside those python-telegram-bot cannot read (`unreadable`, id -> the
    exception's type) so that one bad update does not fail the batch. An update without an
    id cannot be confirmed or skipped by id: it is dropped and counted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.after: int | None = None
        self.dropped = 0
        self.bot: Bot | None = None  # the bot the updates are parsed for (set by the poller)
        self.retrying: set[int] = set()  # unreadable ids given another attempt (not dropped)
        self.unreadable: dict[int, str] = {}
        self.without_id = 0

    def take_unreadable(self) -> dict[int, str]:
        """The unreadable updates of the last answer (and forget them)."""
        taken, self.unreadable = self.unreadable, {}
        return taken

    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]
        """The answer decoded once (orjson), without the updates already taken. What orjson
        refuses goes to python-telegram-bot's own parsing (it replaces bad UTF-8, and reports
        what is not JSON; log_privacy withholds the body)."""
        try:
            body = orjson.loads(payload)
        except ValueError:
            body = BaseRequest.parse_json_payload(payload)
        result = body.get("result") if isinstance(body, dict) else None
        if isinstance(result, list):
            body["result"] = [u for u in result if self._keep(u)]
        return body  # type: ignore[no-any-return]

    def _keep(self, update: object) -> bool:
        uid = update_id_of(update)
        if uid is None:
            self.without_id += 1
            log.error("getUpdates: an update without an id dropped; its contents are not logged")
            return False
        if self.after is not None and uid <= self.after and uid not in self.retrying:
            self.dropped += 1
            return False
        try:
            Update.de_json(update, self.bot)  # type: ignore[arg-type]
        except Exception as error:  # whatever the library trips on
            self.unreadable[uid] = type(error).__name__
            return False
        return True


def update_id_of(update: object) -> int | None:
    """The `update_id` of a raw update (None when it has none)."""
    found = update.get("update_id") if isinstance(update, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def updates_request(*, proxy: str | None = None) -> FreshUpdatesRequest:
    """The Application's getUpdates request (one connection, as python-telegram-bot's)."""
    return FreshUpdatesRequest(connections=1, proxy=proxy)


def application_request(
    connections: int, pool_wait: float, *, proxy: str | None = None
) -> ReplayTolerantRequest:
    """The request for the Application's bot: `connections` at most, a call waiting up to
    `pool_wait` seconds for a free one, through `proxy` if one is set."""
    return ReplayTolerantRequest(
        connections=connections, timeouts=Timeouts(pool=pool_wait), proxy=proxy
    )
