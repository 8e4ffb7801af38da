"""The update queue: long-polling ``getUpdates`` and webhook delivery, like Telegram.

Updates stay queued until confirmed: by a ``getUpdates`` whose ``offset`` is higher than
their ``update_id``, or by a 2xx answer of the webhook.  Unconfirmed updates are delivered
again (at-least-once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass

import aiohttp

from simulator.common import ApiError, JsonDict, Signal

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONFLICT_TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Webhook:
    """The webhook in force."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Poll:
    terminated: bool = False


class UpdateQueue:
    """Pending updates plus the two ways a bot can receive them."""

    def __init__(self, signal: Signal) -> None:
        self.signal = signal
        self.pending: list[JsonDict] = []
        self.history: list[JsonDict] = []
        """Every update ever queued, in order."""
        self.undelivered: list[JsonDict] = []
        """Updates the webhook refused ``delivery_attempts`` times, then dropped."""
        self.allowed: frozenset[str] | None = None
        self.webhook: Webhook | None = None
        self.closing = False
        self.delivery_attempts = 4
        self.retry_delay = 0.1
        self._next_id = 1
        self._poll: _Poll | None = None
        self._session: aiohttp.ClientSession | None = None
        self._deliverer: asyncio.Task[None] | None = None

    # -- queueing ---------------------------------------------------------------------------

    def is_allowed(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def set_allowed(self, allowed: object) -> None:
        """Apply an ``allowed_updates`` parameter (an empty list restores the default)."""
        if isinstance(allowed, list) and allowed:
            self.allowed = frozenset(str(a) for a in allowed)
        elif isinstance(allowed, list):
            self.allowed = None

    def push(self, kind: str, payload: JsonDict) -> JsonDict | None:
        """Queue an update of ``kind``; ``None`` when ``allowed_updates`` filters it out."""
        if not self.is_allowed(kind):
            return None
        update: JsonDict = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pending.append(update)
        self.history.append(update)
        self.signal.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates confirmed by a ``getUpdates`` ``offset`` (negative: keep the tail)."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]
        self.signal.notify()

    def drop_pending(self) -> None:
        self.pending.clear()
        self.signal.notify()

    # -- getUpdates -------------------------------------------------------------------------

    async def get_updates(
        self, *, offset: int | None, limit: int, poll_seconds: float, allowed: object
    ) -> list[JsonDict]:
        """Long polling: the pending updates, waiting up to ``poll_seconds`` for some."""
        if self.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        if offset is not None:
            self.confirm(offset)
        self.set_allowed(allowed)
        if self._poll is not None:
            self._poll.terminated = True
        poll = self._poll = _Poll()
        self.signal.notify()
        try:
            await self.signal.wait_for(
                lambda: (
                    bool(self.pending)
                    or poll.terminated
                    or self.closing
                    or self.webhook is not None
                ),
                max(0.0, poll_seconds),
            )
        finally:
            if self._poll is poll:
                self._poll = None
        if poll.terminated:
            raise ApiError(409, CONFLICT_TERMINATED)
        if self.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        return [dict(u) for u in self.pending[: max(1, min(limit, 100))]]

    # -- webhook ----------------------------------------------------------------------------

    def start(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self.closing = False

    def set_webhook(self, webhook: Webhook, *, drop_pending: bool) -> None:
        if drop_pending:
            self.pending.clear()
        self.webhook = webhook
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.get_running_loop().create_task(self._deliver_loop())
        self.signal.notify()

    async def delete_webhook(self, *, drop_pending: bool) -> None:
        self.webhook = None
        if drop_pending:
            self.pending.clear()
        await self._stop_deliverer()
        self.signal.notify()

    def webhook_info(self) -> JsonDict:
        hook = self.webhook
        info: JsonDict = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.allowed is not None:
                info["allowed_updates"] = sorted(self.allowed)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def close(self) -> None:
        self.closing = True
        self.signal.notify()
        await self._stop_deliverer()

    async def _stop_deliverer(self) -> None:
        task, self._deliverer = self._deliverer, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _post(self, hook: Webhook, update: JsonDict) -> str | None:
        """POST one update; ``None`` on a 2xx answer, else the error text."""
        assert self._session is not None, "the simulator is not started"
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            timeout = aiohttp.ClientTimeout(total=10)
            async with self._session.post(
                hook.url, data=body, headers=headers, timeout=timeout
            ) as resp:
                await resp.read()
                if 200 <= resp.status <= 299:
                    return None
                return f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection error: {exc.__class__.__name__}"

    async def _deliver_loop(self) -> None:
        attempts = 0
        while self.webhook is not None and not self.closing:
            if not self.pending:
                await self.signal.wait_for(
                    lambda: bool(self.pending) or self.webhook is None or self.closing, 3600
                )
                continue
            hook, update = self.webhook, self.pending[0]
            error = await self._post(hook, update)
            if error is None:
                attempts = 0
                if self.pending and self.pending[0] is update:
                    self.pending.pop(0)
                self.signal.notify()
                continue
            attempts += 1
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            if attempts >= self.delivery_attempts:
                attempts = 0
                if self.pending and self.pending[0] is update:
                    self.undelivered.append(self.pending.pop(0))
                self.signal.notify()
                continue
            await asyncio.sleep(self.retry_delay * 2 ** (attempts - 1))
