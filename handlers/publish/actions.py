"""The buttons of /publish and /published: pick, draft, edit, discard, publish (to the
configured channel, refused while the privacy check warns unless the admin pressed "publish
anyway" for exactly those warnings), list, open and withdraw (the channel post is deleted;
the withdrawal is audited, and so is what became of the post).

Every press: admin and private chat re-checked; the item's state and version re-read.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.publish import publication as rules
from domain.publish.publication import State
from handlers.context import BotContext, Viewer
from handlers.publish.board import admin_here, ask_summary, make_draft, pick_subject, send_preview
from handlers.publish.texts import (
    ROUTE,
    check_text,
    draft_keyboard,
    list_line,
    post_text,
    published_keyboard,
)
from handlers.ui.callbacks import number, pressed
from handlers.ui.dates import local_today
from handlers.ui.presses import neutral
from storage.publish import publications

log = logging.getLogger(__name__)
INTERRUPTED_AFTER = timedelta(minutes=5)  # a send takes seconds; a claim older was cut off


async def show_published(update: Update, context: BotContext) -> None:
    """/published: the items on the channel (and recently withdrawn), each to open."""
    who = await admin_here(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    text, markup = await _listing(context, who)
    await message.reply_text(text, reply_markup=markup)


async def _listing(context: BotContext, who: Viewer) -> tuple[str, InlineKeyboardMarkup | None]:
    t = who.t
    items = await publications.listed(
        context.services.db, states=[State.PUBLISHED, State.WITHDRAWN], limit=10
    )
    if not items:
        return t.gettext("Nothing has been published yet."), None
    rows = [[ROUTE.button(list_line(t, item), "open", item.id)] for item in items]
    return t.gettext("Published items (newest first):"), InlineKeyboardMarkup(rows)


async def on_button(update: Update, context: BotContext) -> None:
    """Route a `pub:v1:` press after re-checking that the presser is an admin."""
    query = update.callback_query
    who = await admin_here(update, context)
    if who is None or query is None:
        return
    press = pressed(update)
    action, args = (press.action, press.parts()) if press is not None else ("", [])
    if action == "pick" and len(args) == 2:
        await pick_subject(update, context, who, args[0], args[1])
    elif action == "mk" and len(args) == 2:
        await make_draft(update, context, who, args[0], args[1])
    elif action == "list" and args == ["0"]:
        await query.answer()
        text, markup = await _listing(context, who)
        await query.edit_message_text(text, reply_markup=markup)
    elif args and (item_id := number(args[0])) is not None:
        await _on_item(update, context, who, action, item_id, args[1:])
    else:
        await query.answer(neutral(who.t))


async def _on_item(
    update: Update, context: BotContext, who: Viewer, action: str, item_id: int, rest: list[str]
) -> None:
    query, t, svc = update.callback_query, who.t, context.services
    assert query is not None and query.message is not None
    item = await publications.get(svc.db, item_id)
    if item is None:
        await query.answer(t.gettext("This item no longer exists."), show_alert=True)
        return
    if action == "open" and item.state == publications.PUBLISHING:
        await _interrupted(update, context, who, item_id)
    elif action == "open":
        await query.answer()
        if item.state == State.DRAFT and item.summary and isinstance(query.message, Message):
            await send_preview(query.message, context, who, item)
        elif item.state == State.DRAFT:
            await ask_summary(update, context, who, item)
        else:
            await query.edit_message_text(
                list_line(t, item), reply_markup=published_keyboard(t, item)
            )
    elif action == "edit" and item.state == State.DRAFT:
        await query.answer()
        await ask_summary(update, context, who, item)
    elif action == "drop":
        dropped = await publications.discard(
            svc.db, item_id, actor_telegram_id=who.telegram_user_id, now=svc.clock.now()
        )
        await query.answer()
        if dropped:
            await query.edit_message_text(t.gettext("The draft was discarded."))
    elif action in ("go", "force") and rest and (version := number(rest[0])) is not None:
        forced = rest[1:] if action == "force" else None
        await _publish(update, context, who, item_id, version, forced)
    elif action == "wd":
        await query.answer()
        await query.edit_message_text(
            t.gettext("Withdraw “{title}” and delete it from the channel?", title=item.title),
            reply_markup=InlineKeyboardMarkup(
                [[ROUTE.button(t.gettext("Yes, withdraw it"), "wdy", item_id)]]
            ),
        )
    elif action == "wdy":
        await _withdraw(update, context, who, item_id)
    else:
        await query.answer(neutral(t))


async def _interrupted(update: Update, context: BotContext, who: Viewer, item_id: int) -> None:
    """An item left `publishing` (the bot stopped mid-send): after a while it is a draft again,
    with a word to check the channel first — the post may have gone out."""
    query, t, svc = update.callback_query, who.t, context.services
    assert query is not None
    now = svc.clock.now()
    released = await publications.release(
        svc.db, item_id, now=now, claimed_before=now - INTERRUPTED_AFTER
    )
    if not released:
        await query.answer(t.gettext("This item is being published right now."), show_alert=True)
        return
    await query.answer(
        t.gettext(
            "Publishing this item was interrupted. Check the channel before you publish it "
            "again: the post may be there already."
        ),
        show_alert=True,
    )
    item = await publications.get(svc.db, item_id)
    if item is not None and isinstance(query.message, Message):
        await send_preview(query.message, context, who, item)


async def _publish(
    update: Update,
    context: BotContext,
    who: Viewer,
    item_id: int,
    version: int,
    forced: list[str] | None,
) -> None:
    query, t, svc = update.callback_query, who.t, context.services
    assert query is not None
    channel = svc.settings.publication_channel
    item = await publications.get(svc.db, item_id)
    if channel is None or item is None:
        await query.answer(t.gettext("No channel is configured."), show_alert=True)
        return
    if item.state != State.DRAFT or item.version != version:
        await query.answer(
            t.gettext("This draft changed or was published meanwhile."), show_alert=True
        )
        return
    warnings = rules.check_summary(
        item.summary, member_names=await publications.member_names(svc.db)
    )
    if warnings and (not forced or forced[0] != rules.fingerprint(warnings)):
        await query.answer()
        await query.edit_message_text(
            check_text(t, warnings), reply_markup=draft_keyboard(t, item, warnings, channel=True)
        )
        return
    now = svc.clock.now()
    claimed = await publications.claim_publishing(svc.db, item_id, version=version, now=now)
    if claimed.outcome is not Outcome.OK:
        await query.answer(t.gettext("This draft changed or was published meanwhile."))
        return
    channel_t = svc.catalogs.get(None)
    text = post_text(
        channel_t, item, campaign_name=svc.settings.campaign.name, day=local_today(context)
    )
    try:
        posted = await context.bot.send_message(channel, text)
    except TelegramError as error:
        await publications.release(svc.db, item_id, now=now)
        log.warning("publication not posted: %s", type(error).__name__)
        await query.answer()
        await query.edit_message_text(
            t.gettext(
                "The channel refused the post ({error}). Check that the bot is an administrator "
                "of the channel, then try again.",
                error=error.message,
            ),
            reply_markup=draft_keyboard(t, item, warnings, channel=True),
        )
        return
    await publications.mark_published(
        svc.db,
        item_id,
        channel_id=posted.chat_id,
        message_id=posted.message_id,
        actor_telegram_id=who.telegram_user_id,
        now=now,
    )
    item = await publications.get(svc.db, item_id)
    assert item is not None
    await query.answer()
    await query.edit_message_text(
        t.gettext("✅ Published to the channel: {line}", line=list_line(t, item)),
        reply_markup=published_keyboard(t, item),
    )


async def _withdraw(update: Update, context: BotContext, who: Viewer, item_id: int) -> None:
    query, t, svc = update.callback_query, who.t, context.services
    assert query is not None
    now = svc.clock.now()
    result = await publications.withdraw(
        svc.db, item_id, actor_telegram_id=who.telegram_user_id, now=now
    )
    item = result.publication
    if result.outcome is not Outcome.OK or item is None:
        await query.answer(t.gettext("This item is not on the channel."), show_alert=True)
        return
    await query.answer()
    try:
        assert item.channel_id is not None and item.channel_message_id is not None
        await context.bot.delete_message(item.channel_id, item.channel_message_id)
        refusal: str | None = None
    except TelegramError as error:
        refusal = error.message
    await publications.note_channel_outcome(svc.db, item_id, refusal=refusal, now=now)
    if refusal is None:
        text = t.gettext("Withdrawn: the post was deleted from the channel.")
    else:
        text = t.gettext(
            "Withdrawn, but the channel refused to delete the post (Telegram lets bots delete "
            "only posts younger than 48 hours, and only as an administrator). Delete it in the "
            "channel by hand."
        )
    await query.edit_message_text(text + "\n" + list_line(t, item))
