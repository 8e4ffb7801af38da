"""The desk's follow-up buttons (`desk:v1:…`) and the answers to their 📌 prompts, routed to
the module that owns each: returns (desk_return), notes and files (desk_notes, desk_attach),
questions and status changes (desk_owner). Every press and answer is re-checked there."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext, viewer
from handlers.desk.followups import attach as desk_attach
from handlers.desk.followups import notes as desk_notes
from handlers.desk.followups import owner as desk_owner
from handlers.desk.followups import returns as desk_return
from handlers.desk.followups.common import prompt_of
from handlers.ui.callbacks import pressed
from handlers.ui.presses import neutral


async def on_button(update: Update, context: BotContext) -> None:
    """Any `desk:v1:` button."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    press = pressed(update)
    action = press.action if press is not None else ""
    pair = press.numbers(2, negative=True) if press is not None else None
    one = press.numbers(1, negative=True) if press is not None else None
    if action == "rt" and pair is not None:
        await desk_return.ask_reason(update, context, who, pair[0], pair[1])
    elif action in desk_notes.ACTIONS and one is not None:
        await desk_notes.on_button(update, context, who, action, one[0])
    elif action in desk_attach.ACTIONS and one is not None:
        await desk_attach.on_button(update, context, who, action, one[0])
    elif action in desk_owner.ACTIONS and pair is not None:
        await desk_owner.on_button(update, context, who, action, pair[0], pair[1])
    else:
        await query.answer(neutral(who.t))


async def on_prompt_reply(update: Update, context: BotContext) -> None:
    """A text or a file in answer to a 📌 prompt."""
    message = update.effective_message
    who = await viewer(update, context)
    if message is None or who is None:
        return
    what = prompt_of(context, message)
    if what is None:
        await message.reply_text(who.t.gettext("This prompt has expired. Press the button again."))
        return
    kind = what[0]
    if kind == desk_return.RETURN:
        await desk_return.store_return(update, context, who, int(what[1]), int(what[2]))
    elif kind in desk_notes.PROMPTS:
        await desk_notes.on_answer(update, context, who, what)
    elif kind in desk_attach.PROMPTS:
        await desk_attach.on_answer(update, context, who, what)
    elif kind in desk_owner.PROMPTS:
        await desk_owner.on_answer(update, context, who, what)
