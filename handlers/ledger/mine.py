"""The ledger's section of `/mine`: the items the person is responsible for (责任人), each
with a button to open it and post progress. Sent as its own message after the reports."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from domain.ledger.rules import LedgerStatus
from handlers.context import BotContext, Viewer
from handlers.i18n import Html
from handlers.ledger.views import ROUTE, cut, item_line
from storage.ledger import queries as ledger_queries

SHOWN = 5


async def ledger_section(
    who: Viewer, context: BotContext
) -> tuple[Html, InlineKeyboardMarkup] | None:
    """The section's text and buttons; None when no item names this person."""
    member = who.membership.member if who.membership else None
    if member is None or member.id is None:
        return None
    items = await ledger_queries.items_for_responsible(context.services.db, member.id)
    if not items:
        return None
    t = who.t
    pending = sum(1 for i in items if i.status != LedgerStatus.VERIFIED)
    lines = [
        t.ngettext(
            "Ledger items you are responsible for: {n} ({pending} not closed).",
            "Ledger items you are responsible for: {n} ({pending} not closed).",
            len(items),
            pending=pending,
        )
    ]
    lines += [item_line(t, i, {}) for i in items[:SHOWN]]
    rows = [
        [
            InlineKeyboardButton(
                f"{i.seq}. {cut(i.description, 18)}", callback_data=ROUTE.data("o", i.id)
            )
        ]
        for i in items[:SHOWN]
    ]
    if len(items) > SHOWN:
        rows.append(
            [InlineKeyboardButton(t.gettext("More items"), callback_data=ROUTE.data("m", SHOWN))]
        )
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


async def send_ledger_section(who: Viewer, context: BotContext, message: Message) -> None:
    """Reply with the section, if there is one (one call from `/mine`)."""
    section = await ledger_section(who, context)
    if section is not None:
        await message.reply_text(section[0], reply_markup=section[1])
