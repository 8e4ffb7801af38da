"""An update python-telegram-bot cannot read (issue 21): it must not stop the bot for everyone,
nor put the batch it came in (other people's names and texts) into the log. Against the Bot
API simulator, whose queue takes a raw update as Telegram would send it."""

from __future__ import annotations

import logging

import pytest
from telegram import Bot
from telegram.error import TelegramError

from bot.ops import log_privacy
from bot.updates import polling
from simulator import BotApiSimulator
from tests.resilience.test_polling import TOKEN, Handled, pending, polling_app, until

SECRETS = ("Xiuying", "leaky_parent", "my secret complaint", "13800138000", "8123456789")


def poison_payload() -> dict[str, object]:
    """A message whose date is not a number: python-telegram-bot fails on it."""
    return {
        "message_id": 999,
        "date": "yesterday",
        "chat": {"id": 8123456789, "type": "private", "first_name": "Xiuying"},
        "from": {
            "id": 8123456789,
            "is_bot": False,
            "first_name": "Xiuying",
            "username": "leaky_parent",
        },
        "text": "my secret complaint, call me at 13800138000",
    }


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the log shows, tracebacks included, as the handlers would print it."""
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records) + caplog.text


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the worst an operator can set
    log_privacy.install()
    return caplog


async def test_a_poison_update_is_skipped_and_everyone_else_is_served(
    everything_logged: pytest.LogCaptureFixture,
) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="poll_bot") as sim:
        ann, bob = sim.add_user("Ann"), sim.add_user("Bob")
        await sim.send_text(ann, "before")
        poison = sim.state.updates.push("message", poison_payload())
        assert poison is not None
        await sim.send_text(bob, "after")  # one getUpdates batch: good, bad, good
        seen = Handled()
        seen.gate.set()
        async with polling_app(sim, seen) as app:
            poller = app.updater
            assert isinstance(poller, polling.AtLeastOncePoller)
            await until(lambda: sorted(seen.texts) == ["after", "before"])
            await until(lambda: pending(sim) == [])  # the offset moved past it
            assert poller.poison.skipped == [poison["update_id"]]
            await sim.send_text(ann, "later")  # and the bot goes on
            await until(lambda: "later" in seen.texts)
        assert sim.violations == []
    text = logged(everything_logged)
    assert f"update {poison['update_id']} skipped" in text
    assert "TypeError" in text  # the operator learns what kind of failure
    assert "Error while parsing updates" not in text  # the batch never failed as a whole
    for secret in SECRETS:
        assert secret not in text


async def test_the_skip_is_bounded_and_counts_each_update_alone() -> None:
    poison = polling.Poison(attempts=3)
    assert not poison.failed(7, "TypeError")
    assert not poison.failed(8, "KeyError")
    assert not poison.failed(7, "TypeError")
    assert poison.failed(7, "TypeError")
    assert poison.skipped == [7]
    assert poison.tries == {8: 1}


async def test_the_library_parse_failure_record_is_withheld_at_every_level(
    everything_logged: pytest.LogCaptureFixture,
) -> None:
    """python-telegram-bot's own getUpdates (no screening) logs the batch at CRITICAL: the
    privacy filter keeps the record and its words, without the data or the traceback."""
    async with BotApiSimulator(token=TOKEN, bot_username="poll_bot") as sim:
        ann = sim.add_user("Ann")
        await sim.send_text(ann, "hello from Ann")
        sim.state.updates.push("message", poison_payload())
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            with pytest.raises((TypeError, TelegramError)):
                await bot.get_updates(timeout=0)
    records = [r for r in everything_logged.records if "Error while parsing" in r.getMessage()]
    assert len(records) == 1 and records[0].levelno == logging.CRITICAL
    assert log_privacy.WITHHELD in records[0].getMessage()
    assert records[0].exc_info is None and "traceback withheld" in records[0].getMessage()
    text = logged(everything_logged)
    for secret in (*SECRETS, "hello from Ann", "Ann"):
        assert secret not in text


def test_every_python_telegram_bot_record_carrying_data_is_withheld() -> None:
    """The records of the library that carry received data, as it logs them."""
    floor = log_privacy.LibraryFloor()
    batch = [{"update_id": 1, "message": {"text": "my secret complaint"}}]
    carriers = [
        ("telegram._bot", logging.CRITICAL, "Error while parsing updates! Received data was %r"),
        (
            "telegram.ext._utils.webhookhandler",
            logging.CRITICAL,
            "Something went wrong processing the data received from Telegram. "
            "Received data was *not* processed! Received data was: %r",
        ),
        ("telegram.request._baserequest", logging.ERROR, 'Can not load invalid JSON data: "%s"'),
        (
            "telegram.ext.Application",
            logging.CRITICAL,
            "Error while building CallbackContext for update %s. Update will not be processed.",
        ),
        ("telegram.ext.SomethingNew", logging.WARNING, "a later version logs %s"),
    ]
    for name, level, msg in carriers:
        arg: object = str(batch) if "%s" in msg and "JSON" in msg else batch
        record = logging.LogRecord(name, level, __file__, 1, msg, (arg,), None)
        assert floor.filter(record)
        assert "secret" not in record.getMessage(), name
        assert floor.filter(record) and "secret" not in record.getMessage()  # idempotent
    quiet = logging.LogRecord("telegram._bot", logging.DEBUG, __file__, 1, "%s", (batch,), None)
    assert not floor.filter(quiet)  # below the floor: dropped
    harmless = logging.LogRecord(
        "telegram.ext.Application", logging.INFO, __file__, 1, "Application started", (), None
    )
    assert floor.filter(harmless) and harmless.getMessage() == "Application started"
