"""The case cards in the staff chat (config `staff_chat`): one message per case, posted when
the case comes in and edited in place on every change (`refresh_staff_card`), never re-posted.

A report's or finding's card names no reporter (the staff chat is a group; names are shown
only in a handler's private chat, as /inbox does); a complaint's card is the hotline's own
(`complaint_views.staff_card`) with its reply / close / reject buttons. A post or an edit that
Telegram refuses for a while (429, 5xx, a timeout) is recorded as owed in `storage.desk.cards`
and retried by `sweep` (the desk's card job) — never lost, never sent twice.

The staff chat upgraded to a supergroup gets a new id (Telegram answers `ChatMigrated`): the
move is recorded (`groups.record_move`, so a restart follows it too), the cards owed to the
old id go to the new one, the running bot uses the new id (`follow_staff_chat`) and a WARNING
asks the operator to update `[access] staff_chat`. A card Telegram refuses for good (the bot
removed from the chat, the chat gone) is given up, and the admins are told in a private
message.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError

from domain.cases.lifecycle import FINAL_STATUSES
from domain.desk.rules import Action
from handlers.context import SERVICES_KEY, BotContext, Services
from handlers.hotline.views import staff_card, staff_keyboard
from handlers.i18n import Html, Translator, escape
from handlers.ui.callbacks import Route
from handlers.ui.deliver import in_bulk
from handlers.ui.edits import is_not_modified
from handlers.ui.labels import category_name, channel_label, status_label
from storage.cases import complaints
from storage.desk import actions as desk
from storage.desk import cards as desk_cards
from storage.desk.actions import DeskCase
from storage.membership import groups, members

log = logging.getLogger(__name__)
ROUTE = Route("inbox")
DESCRIPTION_MAX = 1500
CARD_KINDS: tuple[str, ...] = ("report", "finding")  # complaint cards come from the hotline
NEW_CASE_DAYS = 3  # the sweep posts missing cards only for cases this recent
SWEEP_LIMIT = 10  # per tick: the staff chat is a group (about 20 messages a minute)
LEASE = timedelta(minutes=2)  # a claimed card is being posted; the sweep leaves it alone
RETRY_FIRST, RETRY_MAX = timedelta(seconds=30), timedelta(minutes=30)


def card_rows(t: Translator, found: DeskCase) -> list[list[InlineKeyboardButton]]:
    """The staff chat card's buttons for the case's current state (one place: other desk
    features add their buttons here)."""
    if found.facts.status in {s.value for s in FINAL_STATUSES}:
        return []
    rows: list[list[InlineKeyboardButton]] = []
    if found.facts.owner_member_id is None:  # 谁受理谁负责, a complaint's too
        rows.append(
            [ROUTE.button(t.gettext("Accept (I am responsible)"), Action.ACCEPT, found.case_id)]
        )
    if found.kind == "complaint":  # then the hotline's own buttons
        return rows + [list(r) for r in staff_keyboard(t, found.number).inline_keyboard]
    rows.append([ROUTE.button(t.gettext("Open in private chat"), "pm", found.case_id)])
    return rows


def _kind_title(t: Translator, found: DeskCase) -> str:
    if found.kind == "finding":
        return t.gettext("<b>Inspection finding {number}</b>", number=found.number)
    return t.gettext("<b>Named report {number}</b>", number=found.number)


def channel_line(t: Translator, channel: str) -> str:
    """Where a case registered by an officer came from (a card's line)."""
    return t.gettext("Received by: {channel}", channel=channel_label(t, channel))


def plain_text(svc: Services, t: Translator, found: DeskCase) -> str:
    """A report's or finding's card without the reporter: number, day, category, unit,
    status, who is responsible, what happened."""
    description = found.description
    if len(description) > DESCRIPTION_MAX:
        description = description[:DESCRIPTION_MAX] + "…"
    campaign = svc.settings.campaign
    lines = [_kind_title(t, found)]
    if found.opened_on is not None:
        lines.append(t.gettext("Filed on: {day}", day=t.date(found.opened_on)))
    if found.channel != "chat":
        lines.append(channel_line(t, found.channel))
    lines += [
        t.gettext("Category: {name}", name=category_name(t, campaign, found.category_key)),
        t.gettext("Unit concerned: {unit}", unit=found.unit_name or t.gettext("not known")),
        t.gettext("Status: {status}", status=status_label(t, found.facts.status)),
        t.gettext("Responsible: {name}", name=found.owner_name or t.gettext("nobody yet")),
    ]
    return "\n".join(lines) + "\n\n" + escape(description)


async def card_content(
    svc: Services, t: Translator, case_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The staff chat card's text and buttons now; None when the case is gone."""
    found = await desk.desk_case(svc.db, case_id)
    if found is None:
        return None
    if found.kind == "complaint":
        view = await complaints.view(svc.db, case_id)
        if view is None:
            return None
        owner = t.gettext("Responsible: {name}", name=found.owner_name or t.gettext("nobody yet"))
        if found.channel != "chat":
            owner = Html(channel_line(t, found.channel) + "\n" + owner)
        text = staff_card(t, svc.settings.campaign, view, footer=owner)
    else:
        text = plain_text(svc, t, found)
    return text, InlineKeyboardMarkup(card_rows(t, found))


def _retry_at(now: datetime, error: TelegramError, attempts: int) -> datetime | None:
    """When to try again after `error` (None: never, e.g. the chat or message is gone)."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22.2+ warns on reading it
            warnings.simplefilter("ignore")
            value = error.retry_after
        seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
        return now + timedelta(seconds=seconds + 1)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return now + min(RETRY_MAX, RETRY_FIRST * (1 << min(attempts, 10)))
    return None


async def _send(
    bot: Bot, svc: Services, case_id: int, chat_id: int, message_id: int | None, attempts: int = 0
) -> int | None:
    """Post or edit the card now; record the result (done, owed, or given up). Returns the
    staff chat's new id when it turned out to have moved (the card then went there)."""
    t = svc.catalogs.get(None)
    now = svc.clock.now()
    content = await card_content(svc, t, case_id)
    if content is None:
        await desk_cards.owe(svc.db, case_id, None, now)
        return None
    text, keyboard = content
    markup = keyboard if keyboard.inline_keyboard else None  # no buttons: none left on edit
    try:
        if message_id is None:
            with in_bulk():  # waits its turn in the staff chat, behind any answer
                sent = await bot.send_message(chat_id, text, reply_markup=markup)
            await desk_cards.posted(svc.db, case_id, sent.message_id, now)
        else:
            with in_bulk():
                await bot.edit_message_text(
                    text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
            await desk_cards.posted(svc.db, case_id, message_id, now)
    except ChatMigrated as error:
        new_id = int(error.new_chat_id)
        await follow_move(svc, old_chat_id=chat_id, new_chat_id=new_id)
        if message_id is not None:  # the old message stays in the old chat: post it anew
            await desk_cards.move_posted(svc.db, case_id, new_id, now)
        await _send(bot, svc, case_id, new_id, None, attempts)
        return new_id if chat_id == svc.settings.staff_chat else None
    except BadRequest as error:
        if message_id is not None and is_not_modified(error):
            await desk_cards.posted(svc.db, case_id, message_id, now)
            return None
        log.warning("staff card of case %s refused: %s", case_id, type(error).__name__)
        await desk_cards.owe(svc.db, case_id, None, now)
        await _tell_admins(bot, svc, case_id)
    except TelegramError as error:
        retry = _retry_at(now, error, attempts)
        if retry is None:  # e.g. Forbidden: the bot is no longer in the staff chat
            log.warning("staff card of case %s given up: %s", case_id, type(error).__name__)
            await desk_cards.owe(svc.db, case_id, None, now)
            await _tell_admins(bot, svc, case_id)
        else:
            log.info("staff card of case %s owed: %s", case_id, type(error).__name__)
            await desk_cards.owe(svc.db, case_id, retry, now)
    return None


async def follow_move(svc: Services, *, old_chat_id: int, new_chat_id: int) -> None:
    """A chat became a supergroup: remember it, move the cards owed to it and its unit
    binding, and tell the operator when it is the configured staff chat."""
    now = svc.clock.now()
    await groups.record_move(svc.db, old_chat_id=old_chat_id, new_chat_id=new_chat_id, now=now)
    await groups.migrate(svc.db, old_chat_id=old_chat_id, new_chat_id=new_chat_id, now=now)
    moved = await desk_cards.retarget(
        svc.db, old_chat_id=old_chat_id, new_chat_id=new_chat_id, now=now
    )
    if old_chat_id == svc.settings.staff_chat:
        log.warning(
            "the staff chat %s became a supergroup with the id %s; the bot follows it (%s owed"
            " card(s) moved). Set [access] staff_chat = %s in the config.",
            old_chat_id,
            new_chat_id,
            moved,
            new_chat_id,
        )


def follow_staff_chat(bot_data: MutableMapping[Any, Any], new_chat_id: int) -> Services:
    """From now on the running bot's staff chat is `new_chat_id` (the config still names the
    old one until the operator updates it)."""
    svc: Services = bot_data[SERVICES_KEY]
    if svc.settings.staff_chat != new_chat_id:
        settings = dataclasses.replace(svc.settings, staff_chat=new_chat_id)
        svc = dataclasses.replace(svc, settings=settings)
        bot_data[SERVICES_KEY] = svc
    return svc


async def _tell_admins(bot: Bot, svc: Services, case_id: int) -> None:
    """A private message to each admin: a card could not be delivered (no complaint text,
    no names: the case's number and what to check)."""
    found = await desk.desk_case(svc.db, case_id)
    number = found.number if found is not None else str(case_id)
    for admin in sorted(svc.settings.admins):
        membership = await members.by_telegram_id(svc.db, admin)
        t = svc.catalogs.get(membership.member.language if membership else None)
        text = t.gettext(
            "The staff chat card of case {number} could not be delivered. Check that the bot "
            "is still a member of the staff chat and that [access] staff_chat in the config "
            "names it ({chat}).",
            number=number,
            chat=str(svc.settings.staff_chat),
        )
        try:
            await bot.send_message(admin, text)
        except TelegramError as error:
            log.warning("admin not told of an undelivered card: %s", type(error).__name__)


async def post_card(bot: Bot, svc: Services, case_id: int) -> int | None:
    """Post the case's card to the staff chat once (nothing when no staff chat is set).
    Returns the staff chat's new id if it turned out to have moved."""
    chat = svc.settings.staff_chat
    if chat is None:
        return None
    if await desk_cards.claim(svc.db, case_id, chat, svc.clock.now(), lease=LEASE):
        return await _send(bot, svc, case_id, chat, None)
    return None


async def post_staff_card(context: BotContext, case_id: int) -> None:
    """A new case's card in the staff chat (the hotline calls this for a complaint). The case
    is stored already: a failure here is left to the card job, never shown to the sender."""
    try:
        moved = await post_card(context.bot, context.services, case_id)
        if moved is not None:
            follow_staff_chat(context.application.bot_data, moved)
    except Exception:
        log.exception("staff card of case %s left to the card job", case_id)


async def refresh_card(bot: Bot, svc: Services, case_id: int) -> int | None:
    """Edit the case's card to its current state (an owed post is left to the sweep, which
    posts the state of its time). Returns the chat's new id if it turned out to have moved."""
    card = await desk_cards.card_of(svc.db, case_id)
    if card is not None and card.message_id is not None:
        return await _send(bot, svc, case_id, card.chat_id, card.message_id, card.attempts)
    return None


async def refresh_staff_card(context: BotContext, case_id: int) -> None:
    """After any change to a case: its staff chat card shows the new state. Every desk
    action calls this; other features changing a case call it too. The change is stored
    already: a failure here is logged and left to the card job, never shown to the actor."""
    try:
        moved = await refresh_card(context.bot, context.services, case_id)
        if moved is not None and context.services.settings.staff_chat is not None:
            follow_staff_chat(context.application.bot_data, moved)
    except Exception:
        log.exception("staff card of case %s not refreshed", case_id)


async def sweep(bot: Bot, svc: Services, bot_data: MutableMapping[Any, Any] | None = None) -> int:
    """One tick of the card job: post the cards of new reports and findings that have none,
    then the owed posts and edits that are due. Returns how many were tried. A staff chat
    found moved is followed from then on (in `bot_data`'s services when given)."""
    if svc.settings.staff_chat is None:
        return 0
    now = svc.clock.now()
    today = now.astimezone(svc.settings.timezone).date()
    tried = 0
    since = today - timedelta(days=NEW_CASE_DAYS)
    for case_id in await desk_cards.without_card(
        svc.db, CARD_KINDS, since=since, limit=SWEEP_LIMIT
    ):
        svc = _followed(svc, bot_data, await post_card(bot, svc, case_id))
        tried += 1
    for card in await desk_cards.due(svc.db, now, limit=max(0, SWEEP_LIMIT - tried)):
        moved = await _send(bot, svc, card.case_id, card.chat_id, card.message_id, card.attempts)
        svc = _followed(svc, bot_data, moved)
        tried += 1
    return tried


def _followed(
    svc: Services, bot_data: MutableMapping[Any, Any] | None, moved: int | None
) -> Services:
    if moved is None or svc.settings.staff_chat is None:
        return svc
    if bot_data is not None:
        return follow_staff_chat(bot_data, moved)
    return dataclasses.replace(svc, settings=dataclasses.replace(svc.settings, staff_chat=moved))
