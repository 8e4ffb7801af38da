"""What a feature package hands to `handlers.build_handlers`: its handlers, in the order it
wants them tried, and the user_data keys of its drafts that survive a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from telegram.ext import BaseHandler

from handlers.context import BotContext

Handler = BaseHandler[Any, BotContext, Any]


@dataclass(frozen=True)
class FeatureHandlers:
    """A feature's handlers, each sequence in the order they are tried.

    `conversations` go before every feature's other handlers (a conversation answers what its
    person sends while it is open; the deep link `/start report` opens the report before /start
    answers): the conversations, then the handlers of their buttons pressed after they ended.
    `routes` are the feature's commands, buttons and the answers to its prompts.
    `follow_ups` are routes that must come after the commands of the staff tools listed before
    them (see `build_handlers`); only the desk has some.
    """

    conversations: Sequence[Handler] = ()
    routes: Sequence[Handler] = ()
    follow_ups: Sequence[Handler] = ()


class Feature(Protocol):
    """A feature package (`handlers/<feature>/__init__.py`)."""

    # The user_data keys of its drafts that bot/persistence.py writes to the database (its
    # persistent conversations' drafts); nothing else of a person's data survives a restart.
    PERSISTENT_KEYS: tuple[str, ...]

    def handlers(self) -> FeatureHandlers: ...
