"""`/overdue`: the overdue ledger items by unit, a page at a time (staff and admins see every
unit and the cases past their clocks; a unit head sees their own unit), and the admins'
per-unit pause switch for reminders: `/overdue pause UNIT_CODE`, `/overdue resume UNIT_CODE`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.ledger.rules import may_chase
from domain.membership.units import UNIT_CODE
from domain.reminders.overdue import late_cases, may_see_overdue, sees_all_units
from domain.reminders.timing import local_day
from handlers.context import BotContext, Viewer, viewer
from handlers.i18n import Html, Translator
from handlers.ledger.views import actor_of, chase_button, open_item_callback
from handlers.ui.callbacks import Route, pressed
from handlers.ui.edits import edit_pressed
from handlers.ui.presses import neutral
from storage.errors import NotFoundError
from storage.reminders import outbox as reminders
from storage.reminders import overdue as store

ROUTE = Route("overdue")
CALLBACK_PATTERN = ROUTE.pattern
PAGE_SIZE = 10
LINE_CHARS = 40


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LINE_CHARS else flat[: LINE_CHARS - 1] + "…"


def _case_kind(t: Translator, kind: str) -> str:
    if kind == "complaint":
        return t.gettext("Complaint")
    if kind == "finding":
        return t.gettext("Inspection finding")
    return t.gettext("Report")


async def _page(
    context: BotContext, who: Viewer, offset: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    svc = context.services
    t, settings = who.t, svc.settings
    today = local_day(svc.clock.now(), settings.reminders)
    all_units = sees_all_units(who.role)
    unit_id = None if all_units or who.membership is None else who.membership.unit.id
    page = await store.items_page(
        svc.db,
        today=today,
        unit_id=None if who.oversees else unit_id,
        offset=max(0, offset),
        limit=PAGE_SIZE,
        unit_ids=None if all_units or not who.oversees else who.oversees,
    )
    pages = max(1, -(-page.total // PAGE_SIZE))
    lines: list[str] = [
        t.ngettext(
            "<b>Overdue items</b> · {n} in all · page {page} of {pages}",
            "<b>Overdue items</b> · {n} in all · page {page} of {pages}",
            page.total,
            page=page.offset // PAGE_SIZE + 1,
            pages=pages,
        )
    ]
    if not page.items:
        lines.append(t.gettext("No overdue items."))
    current = None
    for item in page.items:
        if item.unit_code != current:
            current = item.unit_code
            lines.append("")
            lines.append(
                t.gettext("<b>{unit}</b> ({code})", unit=item.unit_name, code=item.unit_code)
            )
        lines.append(
            t.ngettext(
                "No. {seq} {description}: due {date}, {n} day late",
                "No. {seq} {description}: due {date}, {n} days late",
                (today - item.deadline).days,
                seq=item.seq,
                description=_cut(item.description),
                date=t.date(item.deadline),
            )
        )
    if all_units and page.offset == 0:
        cases = late_cases(
            await store.open_cases(svc.db, tuple(settings.reminders.case_clocks)),
            today=today,
            policy=settings.reminders,
            cal=settings.calendar,
        )
        if cases:
            lines += ["", t.gettext("<b>Cases past their time limit</b>")]
        for late in cases[:PAGE_SIZE]:
            values = {
                "kind": _case_kind(t, late.case.kind),
                "number": late.case.number,
                "date": t.date(late.limit),
            }
            if late.clock == "ack":
                lines.append(
                    t.ngettext(
                        "{kind} {number}: not acknowledged by {date}, {n} day late",
                        "{kind} {number}: not acknowledged by {date}, {n} days late",
                        late.days_late,
                        **values,
                    )
                )
            else:
                lines.append(
                    t.ngettext(
                        "{kind} {number}: not answered by {date}, {n} day late",
                        "{kind} {number}: not answered by {date}, {n} days late",
                        late.days_late,
                        **values,
                    )
                )
    if page.paused_units and all_units:
        lines += [
            "",
            t.gettext("Reminders paused for: {codes}", codes=", ".join(page.paused_units)),
        ]
    rows = [
        [
            InlineKeyboardButton(
                t.gettext("Open No. {seq}", seq="-".join((item.unit_code, str(item.seq)))),
                callback_data=open_item_callback(item.id),
            )
        ]
        for item in page.items
    ]
    if who.oversees and not all_units:  # a district head: chase a school of this page
        actor = actor_of(who)
        schools = dict.fromkeys((i.unit_id, i.unit_code) for i in page.items)
        rows += [
            [chase_button(t, unit_id, code)]
            for unit_id, code in schools
            if may_chase(actor, unit_id)
        ]
    nav = []
    if page.offset > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"), callback_data=ROUTE.data("page", page.offset - PAGE_SIZE)
            )
        )
    if page.offset + PAGE_SIZE < page.total:
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"), callback_data=ROUTE.data("page", page.offset + PAGE_SIZE)
            )
        )
    if nav:
        rows.append(nav)
    # no buttons at all: no markup (an empty keyboard is refused)
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows) if rows else None


async def _pause(update: Update, context: BotContext, who: Viewer, args: list[str]) -> None:
    message = update.effective_message
    assert message is not None
    t = who.t
    if not who.is_admin:
        await message.reply_text(t.gettext("Only an administrator can pause or resume reminders."))
        return
    pause = args[0].lower() == "pause"
    code = args[1] if len(args) == 2 else ""
    if not UNIT_CODE.match(code):
        await message.reply_text(
            t.gettext("Usage: /overdue pause UNIT_CODE or /overdue resume UNIT_CODE.")
        )
        return
    svc = context.services
    try:
        unit, changed = await reminders.set_paused(
            svc.db,
            unit_code=code,
            paused=pause,
            now=svc.clock.now(),
            actor_telegram_id=who.telegram_user_id,
        )
    except NotFoundError:
        await message.reply_text(t.gettext("There is no unit with code {code}.", code=code))
        return
    values = {"unit": unit.name, "code": unit.code}
    if pause:
        text = (
            t.gettext(
                "Reminders for {unit} ({code}) are paused. Send /overdue resume {code} to "
                "resume them.",
                **values,
            )
            if changed
            else t.gettext("Reminders for {unit} ({code}) were already paused.", **values)
        )
    else:
        text = (
            t.gettext("Reminders for {unit} ({code}) are on again.", **values)
            if changed
            else t.gettext("Reminders for {unit} ({code}) were not paused.", **values)
        )
    await message.reply_text(text)


async def show_overdue(update: Update, context: BotContext) -> None:
    """List overdue items (and, for staff, cases); or pause/resume a unit's reminders."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    args = list(context.args or [])
    if args and args[0].lower() in ("pause", "resume"):
        await _pause(update, context, who, args)
        return
    if not may_see_overdue(who.role):
        await message.reply_text(
            who.t.gettext("Only staff, administrators and unit heads can see overdue items.")
        )
        return
    text, markup = await _page(context, who, 0)
    await message.reply_text(text, reply_markup=markup)


async def on_button(update: Update, context: BotContext) -> None:
    """A page button: the rights are checked again, the page is drawn from the database."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    press = pressed(update)
    offset = press.number() if press is not None and press.action == "page" else None
    if offset is None or not may_see_overdue(who.role):
        await query.answer(neutral(who.t))
        return
    text, markup = await _page(context, who, offset)
    await query.answer()
    await edit_pressed(query, text, markup)
