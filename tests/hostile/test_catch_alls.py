"""The catch-alls that give hostile input its answer stay where they work: the button
catch-all is the last button handler of its group (one added after it would never run), and
edited messages are taken before any conversation sees them."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler

from handlers import build_handlers
from handlers.membership import strays
from handlers.ui.presses import stale_button


def test_the_unknown_button_catch_all_is_the_last_button_handler() -> None:
    main = [h for group, h in build_handlers() if group == 0]
    buttons = [h for h in main if isinstance(h, CallbackQueryHandler)]
    assert buttons[-1].callback is stale_button and buttons[-1].pattern is None
    assert [h for h in buttons if h.pattern is None] == [buttons[-1]]


def test_edits_are_answered_before_any_conversation() -> None:
    main = [h for group, h in build_handlers() if group == 0]
    edited = next(
        i
        for i, h in enumerate(main)
        if isinstance(h, MessageHandler) and h.callback is strays.edited
    )
    first_conversation = next(i for i, h in enumerate(main) if isinstance(h, ConversationHandler))
    assert edited < first_conversation
