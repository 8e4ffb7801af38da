"""/mine: what the person has filed and what they must do, one section per feature.

Each section is a function `(who, context, page) -> Section`; `/mine` shows them one after
another. The reports section pages with its own buttons (`mine:v1:reports:<page>`).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.context import BotContext, Viewer, viewer
from handlers.ledger.mine import send_ledger_section
from handlers.ui.callbacks import Route, pressed
from handlers.ui.edits import edit_pressed
from handlers.ui.labels import category_name, status_label
from handlers.ui.presses import neutral
from storage.cases import reports

PAGE_SIZE = 5
ROUTE = Route("mine")
CALLBACK_PATTERN = ROUTE.action_pattern("reports")


@dataclass(frozen=True)
class Section:
    text: str
    buttons: tuple[InlineKeyboardButton, ...] = ()


async def reports_section(who: Viewer, context: BotContext, page: int = 0) -> Section:
    """The member's own reports with their status, newest first, `PAGE_SIZE` at a time."""
    t = who.t
    assert who.membership is not None and who.membership.member.id is not None
    svc = context.services
    listing = await reports.list_by_author(
        svc.db, who.membership.member.id, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    if listing.total == 0:
        return Section(t.gettext("You have not filed any reports. Send /report to file one."))
    pages = (listing.total + PAGE_SIZE - 1) // PAGE_SIZE
    if not listing.items:  # the list shrank below this page
        return await reports_section(who, context, max(0, pages - 1))
    lines = [
        t.gettext(
            "Your reports ({total}), page {page} of {pages}:",
            total=listing.total,
            page=page + 1,
            pages=pages,
        )
    ]
    campaign = svc.settings.campaign
    for item in listing.items:
        lines.append(
            t.gettext(
                "<b>{number}</b> · {status}\n{day} · {category} · {unit}",
                number=item.number,
                status=status_label(t, item.status),
                day=t.date(item.opened_on),
                category=category_name(t, campaign, item.category_key),
                unit=item.unit_name,
            )
        )
    buttons: list[InlineKeyboardButton] = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(
                t.gettext("« Newer"), callback_data=ROUTE.data("reports", page - 1)
            )
        )
    if page + 1 < pages:
        buttons.append(
            InlineKeyboardButton(
                t.gettext("Older »"), callback_data=ROUTE.data("reports", page + 1)
            )
        )
    return Section("\n\n".join(lines), tuple(buttons))


async def show_mine(update: Update, context: BotContext) -> None:
    """List the person's own items, section by section."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    if who.membership is None:
        await message.reply_text(
            who.t.gettext(
                "Only registered members have reports to list. Join with your invite link."
            )
        )
        return
    section = await reports_section(who, context)
    markup = InlineKeyboardMarkup([list(section.buttons)]) if section.buttons else None
    await message.reply_text(section.text, reply_markup=markup)
    await send_ledger_section(who, context, message)  # the ledger's section (mine_ledger)


async def turn_reports_page(update: Update, context: BotContext) -> None:
    """Show another page of the reports section in place (the page number is re-checked)."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    press = pressed(update)
    page = press.number() if press is not None else None
    if who.membership is None or page is None:
        await query.answer(neutral(who.t))
        return
    section = await reports_section(who, context, page)
    await query.answer()
    markup = InlineKeyboardMarkup([list(section.buttons)]) if section.buttons else None
    await edit_pressed(query, section.text, markup)
