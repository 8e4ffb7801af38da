"""The HTTP side of the simulator: an aiohttp server speaking the Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

from simulator.api import spec
from simulator.api.flood import FloodControl
from simulator.api.methods_messages import MESSAGE_METHODS, Handler
from simulator.api.methods_other import OTHER_METHODS
from simulator.api.params import BodyError, decode_params, read_params
from simulator.common import ApiError, JsonDict
from simulator.faults import Faults
from simulator.models import ApiCall, CallbackAnswer, SimStats
from simulator.state import SimState

HANDLERS: dict[str, Handler] = {**MESSAGE_METHODS, **OTHER_METHODS}
MAX_BODY = 64 * 1024 * 1024


def _json(body: JsonDict, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


class SimulatorServer:
    """A fake Telegram Bot API server.  See :class:`simulator.BotApiSimulator`."""

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_id: int | None = None,
        bot_username: str = "test_bot",
        bot_name: str = "Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        privacy_mode: bool = True,
    ) -> None:
        if bot_id is None:
            prefix = token.partition(":")[0]
            bot_id = int(prefix) if prefix.isdigit() else 123456
        self.state = SimState(
            token=token,
            bot_id=bot_id,
            bot_username=bot_username,
            bot_name=bot_name,
            clock=clock,
            privacy_mode=privacy_mode,
        )
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    # -- configuration and records ----------------------------------------------------------

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: ``http://127.0.0.1:<port>/bot``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def calls(self) -> list[ApiCall]:
        """Every call the bot made, in order (canonical method, decoded params, status)."""
        return self.state.calls

    @property
    def violations(self) -> list[str]:
        """Calls Telegram would refuse as invalid or the simulator cannot honour."""
        return self.state.violations

    @property
    def off_spec(self) -> list[str]:
        """The spec record: every call so far whose method or parameter the Bot API does not
        define, as "method: problem" (each also answered 400 and counted as a violation)."""
        return [
            f"{call.method}: {problem}"
            for call in {id(c): c for c in [*self.state.calls, *self.state.errors]}.values()
            for problem in spec.unknown_names(
                call.method,
                [n for n, v in call.params.items() if not isinstance(v, spec.UploadedFile)],
            )
        ]

    @property
    def errors(self) -> list[ApiCall]:
        """The calls answered with an error, in order."""
        return self.state.errors

    @property
    def stats(self) -> SimStats:
        return self.state.stats

    @property
    def faults(self) -> Faults:
        return self.state.faults

    @property
    def flood(self) -> FloodControl:
        return self.state.flood

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return self.state.callback_answers

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """``(chat_id, action)`` of every ``sendChatAction``, in order."""
        return self.state.chat_actions

    @property
    def latency(self) -> float:
        """Seconds added to every call except ``getUpdates``."""
        return self.state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.state.latency = seconds

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of one method (case-insensitive)."""
        return [c for c in self.state.calls if c.method.lower() == method.lower()]

    def set_flood_control(
        self,
        enabled: bool,
        *,
        global_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: float = 1.0,
        private_burst: int = 3,
        speed: float = 1.0,
    ) -> None:
        """Switch Telegram-like flood control on or off (off by default); ``speed``: how
        many times faster than real time its windows pass."""
        self.state.flood.configure(
            enabled,
            global_per_second=global_per_second,
            group_per_minute=group_per_minute,
            private_per_second=private_per_second,
            private_burst=private_burst,
            speed=speed,
        )

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on ``host`` (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already started")
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        self._session = aiohttp.ClientSession()
        self.state.updates.start(self._session)

    async def stop(self) -> None:
        """End long polls and webhook delivery, then close the server."""
        await self.state.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- HTTP -------------------------------------------------------------------------------

    async def _pause(self, seconds: float) -> None:
        """Sleep, but end early when the simulator stops."""
        updates = self.state.updates
        await self.state.signal.wait_for(lambda: updates.closing, seconds)

    def _fail(self, call: ApiCall | None, error: ApiError) -> web.Response:
        st = self.state
        if error.violation:
            st.violations.append(f"{call.method if call else '?'}: {error.description}")
        if call is not None:
            call.status, call.description = error.code, error.description
            st.errors.append(call)
        st.stats.errors_by_status[error.code] = st.stats.errors_by_status.get(error.code, 0) + 1
        return _json(error.envelope(), error.code)

    async def _handle_api(self, request: web.Request) -> web.Response:
        st = self.state
        if request.match_info["token"] != st.token:
            return self._fail(None, ApiError(401, "Unauthorized"))
        name = request.match_info["method"]
        method = spec.known_method(name)
        if method is None:
            st.violations.extend(f"{name}: {p}" for p in spec.validate_call(name, {}))
            unknown = ApiError(400, f"Bad Request: unknown method {name}")
            return self._fail(ApiCall(name, {}), unknown)
        try:
            raw = await read_params(request)
        except BodyError as exc:
            return self._fail(ApiCall(method, {}), ApiError(400, str(exc), violation=True))
        call = ApiCall(method, decode_params(method, raw))
        st.calls.append(call)
        st.stats.calls_by_method[method] = st.stats.calls_by_method.get(method, 0) + 1
        tracked = method != "getUpdates"
        if tracked:
            st.in_flight += 1
        try:
            return await self._answer(request, call, raw)
        finally:
            if tracked:
                st.in_flight -= 1
                st.last_activity = asyncio.get_running_loop().time()
                st.signal.notify()

    async def _answer(
        self, request: web.Request, call: ApiCall, raw: dict[str, spec.UploadedFile | str]
    ) -> web.Response:
        st = self.state
        problems = spec.validate_call(call.method, raw)
        if problems:
            st.violations.extend(f"{call.method}: {problem}" for problem in problems)
            return self._fail(call, ApiError(400, "Bad Request: " + "; ".join(problems)))
        handler = HANDLERS.get(call.method)
        if handler is None:
            unsupported = "Bad Request: method not supported by the simulator"
            return self._fail(call, ApiError(400, unsupported, violation=True))
        delay = st.faults.take_delay(call.method)
        if delay:
            await self._pause(delay)
        status = st.faults.take_failure(call.method, call.params.get("chat_id"))
        if status is not None:
            return self._fail(call, ApiError(status, HTTPStatus(status).phrase))
        if st.latency and call.method != "getUpdates":
            await self._pause(st.latency)
        try:
            result = await handler(st, call.params)
        except ApiError as error:
            transport = request.transport
            if call.method == "getUpdates" and (transport is None or transport.is_closing()):
                # A long poll whose client already hung up (e.g. a stopped Updater): nobody
                # reads this answer, so it is no error of the bot's.
                call.status, call.description = 499, "client closed the request"
                return _json(error.envelope(), error.code)
            return self._fail(call, error)
        call.status = 200
        return _json({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        st = self.state
        if request.match_info["token"] != st.token:
            return self._fail(None, ApiError(401, "Unauthorized"))
        stored = st.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
