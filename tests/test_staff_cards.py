"""When the staff chat card job tries again after Telegram refused a post or an edit: after a
429 when Telegram says (plus a second), after a 5xx or a timeout with a doubling back-off
capped at half an hour, and never after a refusal that will not change (400, 403)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from handlers.desk.cards import _retry_at

NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("error", "attempts", "wait"),
    [
        ("429", 0, timedelta(seconds=8)),
        (NetworkError("Bad Gateway"), 0, timedelta(seconds=30)),
        (TimedOut(), 3, timedelta(seconds=240)),
        (NetworkError("Internal Server Error (500)"), 9, timedelta(minutes=30)),
        (BadRequest("Chat not found"), 0, None),
        (Forbidden("bot was kicked from the supergroup chat"), 0, None),
    ],
)
def test_retry_times(error: TelegramError | str, attempts: int, wait: timedelta | None) -> None:
    if error == "429":
        with warnings.catch_warnings():  # PTB 22.2+ warns on the int it reads back
            warnings.simplefilter("ignore")
            error = RetryAfter(7)
    assert isinstance(error, TelegramError)
    retry = _retry_at(NOW, error, attempts)
    assert (retry - NOW if retry is not None else None) == wait
