"""Small shared pieces: the JSON dict alias, the API error, and a change signal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

JsonDict = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer: HTTP ``code`` with Telegram's ``description``.

    ``violation`` marks errors that reveal a bug in the bot (an invalid call rather than
    a runtime condition such as a blocked user); those are recorded in ``sim.violations``.
    """

    def __init__(
        self,
        code: int,
        description: str,
        *,
        parameters: JsonDict | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.violation = violation

    def envelope(self) -> JsonDict:
        """The JSON body Telegram answers with."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, *, violation: bool = False) -> ApiError:
    """A 400 error with ``"Bad Request: " + text``."""
    return ApiError(400, f"Bad Request: {text}", violation=violation)


class Signal:
    """Wakes every waiter whenever something changed; waiters re-check their predicate."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        """Wake all current waiters."""
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until ``predicate()`` is true; ``False`` when ``seconds`` passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            try:
                await asyncio.wait_for(fut, remaining)
            except TimeoutError:
                self._waiters.discard(fut)
        return True
