"""Faults on demand: failing or delaying the next calls of a method (to one chat, if given)."""

from __future__ import annotations

from dataclasses import dataclass

ANY_METHOD = "*"


@dataclass
class _Rule:
    method: str
    remaining: int
    status: int = 500
    seconds: float = 0.0
    chat: int | None = None


def _key(method: str) -> str:
    return method if method == ANY_METHOD else method.lower()


class Faults:
    """Rules consumed by the next matching calls, in the order they were added.

    ``method`` is a Bot API method name (case-insensitive) or ``"*"`` for any method
    except ``getUpdates``.
    """

    def __init__(self) -> None:
        self._failures: list[_Rule] = []
        self._delays: list[_Rule] = []

    def fail_next(
        self, method: str, *, status: int = 500, count: int = 1, chat: int | None = None
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (whose ``chat_id`` is ``chat``, when
        given) with HTTP ``status`` (5xx)."""
        if not 500 <= status <= 599:
            raise ValueError("fail_next simulates server errors: status must be 5xx")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._failures.append(_Rule(_key(method), count, status=status, chat=chat))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the next ``count`` calls of ``method`` by ``seconds`` before handling them.

        The call is still carried out after the delay, as Telegram may do with a request
        whose client already gave up.
        """
        if seconds < 0 or count < 1:
            raise ValueError("seconds must be >= 0 and count >= 1")
        self._delays.append(_Rule(_key(method), count, seconds=seconds))

    def clear(self) -> None:
        """Forget all pending faults."""
        self._failures.clear()
        self._delays.clear()

    @property
    def pending(self) -> int:
        """How many faulty calls are still to come."""
        return sum(r.remaining for r in self._failures + self._delays)

    @staticmethod
    def _take(rules: list[_Rule], method: str, chat: object = None) -> _Rule | None:
        key = method.lower()
        for rule in rules:
            if rule.chat is not None and str(rule.chat) != str(chat):
                continue
            if rule.method == key or (rule.method == ANY_METHOD and key != "getupdates"):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    rules.remove(rule)
                return rule
        return None

    def take_failure(self, method: str, chat: object = None) -> int | None:
        """The status to fail this call of ``method`` (to ``chat``) with, if one is pending."""
        rule = self._take(self._failures, method, chat)
        return rule.status if rule else None

    def take_delay(self, method: str) -> float:
        """Seconds to delay this call of ``method`` (0 when none is pending)."""
        rule = self._take(self._delays, method)
        return rule.seconds if rule else 0.0
