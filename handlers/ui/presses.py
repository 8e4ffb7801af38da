"""The one answer to a button its presser has no right to: "This button is no longer valid."

A button's data is never trusted (see `callbacks`): it may be replayed by someone it was never
shown to, or forged. Whoever presses a button that is not theirs (the wrong role, another
unit, someone else's case, form or draft, a stranger) or whose data matches nothing gets
exactly the same notice, so the answer never tells "this exists" from "it does not" and never
names what the data pointed at. Typed commands keep their helpful refusals ("Only
administrators can …"): `refuse` says those to a message and the neutral notice to a press.

A person with the right who presses a button of their own that is out of date (the case moved
on) still hears what happened (`outcomes.outcome_text`): that is their own case.
"""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext, viewer
from handlers.i18n import Translator


def neutral(t: Translator) -> str:
    """The neutral notice, in the presser's language."""
    return t.gettext("This button is no longer valid.")


async def stale_button(update: Update, context: BotContext) -> None:
    """A button no step takes (an ended form or draft, someone else's, made up): the neutral
    notice, nothing changed."""
    query = update.callback_query
    if query is not None:
        who = await viewer(update, context)
        await query.answer(neutral(who.t) if who is not None else None)


async def refuse(update: Update, t: Translator, reason: str) -> None:
    """Refuse `update`: a press gets the neutral notice, a typed message `reason`."""
    if update.callback_query is not None:
        await update.callback_query.answer(neutral(t))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(reason)
