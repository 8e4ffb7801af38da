"""`/export`: the rectification ledger (整改台账) or the case register as an xlsx or CSV file,
sent as a document. Handlers and admins export every unit; a unit head their own unit's
ledger; a district (学区) head the ledger of the district and every school under it. The case
register is for case officers and admins only: it holds complaints about the unit itself, which
its head must not read.

The file is the bureau office's document: Chinese headers and labels whatever the reader's
language. Files are made in a private chat or the staff chat only."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.campaign import Campaign
from domain.cases.accountability import DEFAULT_HANDLINGS
from domain.reminders.timing import local_day
from domain.stats import CaseFact, Scope, clocks_met
from handlers.context import BotContext, Settings, Viewer, viewer
from handlers.i18n import Translator
from handlers.ledger.views import category_label
from handlers.ledger.views import status_label as ledger_status
from handlers.stats.show import place_allowed, scope_of
from handlers.ui.callbacks import Route, pressed
from handlers.ui.labels import channel_label, finding_label, handling_label, rating_label
from handlers.ui.labels import status_label as case_status
from storage.db import Database
from storage.duties import checkins
from storage.membership import units
from storage.stats import exports
from storage.stats.exports import CaseRow
from storage.stats.files import ExtraSheet, Format, Labels, write_export

ROUTE = Route("export")
CALLBACK_PATTERN = ROUTE.pattern
FILE_LANGUAGE = "zh_CN"
UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may upload
What = Literal["ledger", "cases", "accountability"]
CHOICES: tuple[tuple[What, Format], ...] = (
    ("ledger", "xlsx"),
    ("ledger", "csv"),
    ("cases", "xlsx"),
    ("cases", "csv"),
    ("accountability", "xlsx"),
    ("accountability", "csv"),
)


def file_labels(
    t: Translator, campaign: Campaign, settings: Settings | None = None, today: date | None = None
) -> Labels:
    """How codes read in an export file, in `t`'s language; with `settings` and `today`, the
    case register also says whether each case was acknowledged and answered in time."""

    def in_time(row: CaseRow) -> tuple[str, str]:
        if settings is None or today is None:
            return "", ""
        fact = CaseFact(
            row.kind,
            row.category_key,
            None,
            row.status,
            row.opened_on,
            row.acknowledged_on,
            row.answered_on,
            row.closed_on,
        )
        met = clocks_met(fact, settings.reminders.case_clocks, today=today, cal=settings.calendar)
        return tuple(  # type: ignore[return-value]
            "" if m is None else str(t.gettext("in time") if m else t.gettext("late")) for m in met
        )

    handlings = settings.handlings if settings is not None else DEFAULT_HANDLINGS

    def kind(value: str) -> str:
        if value == "complaint":
            return str(t.gettext("Complaint"))
        if value == "finding":
            return str(t.gettext("Inspection finding"))
        return str(t.gettext("Report"))

    return Labels(
        category=lambda key: str(category_label(t, campaign, key)),
        ledger_status=lambda s: str(ledger_status(t, s)),
        case_status=lambda s: str(case_status(t, s)),
        case_kind=kind,
        self_inspection=str(t.gettext("self-inspection")),
        tz=t.timezone,
        channel=lambda c: str(channel_label(t, c)),
        finding=lambda f: str(finding_label(t, f)),
        handling=lambda h: str(handling_label(t, handlings, h)),
        rating=lambda r: str(rating_label(t, r)),
        in_time=in_time,
    )


def file_name(what: What, fmt: Format, unit_code: str | None, today: date) -> str:
    stem = what
    return f"{stem}-{unit_code or 'all'}-{today:%Y%m%d}.{fmt}"


def allowed(scope: Scope, what: str) -> bool:
    return what == "ledger" or scope.all_units


def _keyboard(who: Viewer, scope: Scope) -> InlineKeyboardMarkup:
    t = who.t
    names = {
        ("ledger", "xlsx"): t.gettext("Ledger · Excel"),
        ("ledger", "csv"): t.gettext("Ledger · CSV"),
        ("cases", "xlsx"): t.gettext("Case register · Excel"),
        ("cases", "csv"): t.gettext("Case register · CSV"),
        ("accountability", "xlsx"): t.gettext("Accountability register · Excel"),
        ("accountability", "csv"): t.gettext("Accountability register · CSV"),
    }
    buttons = [
        InlineKeyboardButton(names[(what, fmt)], callback_data=ROUTE.data(what, fmt))
        for what, fmt in CHOICES
        if allowed(scope, what)
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def offer_export(update: Update, context: BotContext) -> None:
    """Offer the files this person may export."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t = who.t
    scope = scope_of(who)
    if scope is None:
        await message.reply_text(
            t.gettext("Only case handlers, unit heads and administrators can export.")
        )
        return
    if not place_allowed(update, context):
        await message.reply_text(
            t.gettext("Files are made in a private chat with me or in the staff chat.")
        )
        return
    if scope.all_units:
        text = t.gettext("Which file? It covers every unit.")
    elif scope.unit_ids is not None:
        text = t.ngettext(
            "Which file? It covers your district: {n} unit.",
            "Which file? It covers your district: {n} units.",
            len(scope.unit_ids),
        )
    else:
        text = t.gettext("Which file? It covers your unit.")
    await message.reply_text(text, reply_markup=_keyboard(who, scope))


async def on_button(update: Update, context: BotContext) -> None:
    """Make the chosen file from the database and send it, after checking rights again."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t = who.t
    press = pressed(update)
    choice = (press.action, press.value) if press is not None else None
    scope = scope_of(who)
    if scope is None:
        await query.answer(
            t.gettext("Only case handlers, unit heads and administrators can export.")
        )
        return
    if choice not in CHOICES or not place_allowed(update, context) or query.message is None:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    what: What = next(w for w, _ in CHOICES if w == choice[0])
    fmt: Format = "xlsx" if choice[1] == "xlsx" else "csv"
    if not allowed(scope, what):
        await query.answer(t.gettext("Only case handlers and administrators can do this."))
        return
    await query.answer(t.gettext("Making the file…"))
    svc = context.services
    unit = await units.by_id(svc.db, scope.unit_id) if scope.unit_id is not None else None
    out = io.BytesIO()
    batches = rows_of(svc.db, what, scope.unit_id, scope.unit_ids)
    today = local_day(svc.clock.now(), svc.settings.reminders)
    labels = file_labels(
        svc.catalogs.get(FILE_LANGUAGE), svc.settings.campaign, svc.settings, today
    )
    extra = await extra_sheets(
        svc.db,
        what=what,
        fmt=fmt,
        unit_id=scope.unit_id,
        tz=svc.settings.timezone,
        unit_ids=scope.unit_ids,
    )
    count = await write_export(
        out, what=what, fmt=fmt, batches=batches, labels=labels, extra_sheets=extra
    )
    if out.tell() > UPLOAD_LIMIT:
        await context.bot.send_message(
            query.message.chat.id,
            t.gettext("The file is too large to send here. Use the command line export."),
        )
        return
    name = file_name(what, fmt, unit.code if unit else None, today)
    caption = t.ngettext("{n} row", "{n} rows", count)
    await context.bot.send_document(
        chat_id=query.message.chat.id, document=out.getvalue(), filename=name, caption=caption
    )


def rows_of(
    db: Database, what: What, unit_id: int | None, unit_ids: frozenset[int] | None = None
) -> AsyncIterator[Sequence[Any]]:
    """The batches of one export's rows; `unit_ids`: a district head's ledger covers the
    district and every school under it (the case registers are the bureau's alone)."""
    if what == "ledger":
        if unit_ids is not None:
            return exports.ledger_rows(db, unit_ids=unit_ids)
        return exports.ledger_rows(db, unit_id=unit_id)
    if what == "cases":
        return exports.case_rows(db, unit_id=unit_id)
    return exports.accountability_rows(db, unit_id=unit_id)


async def extra_sheets(
    db: Database,
    *,
    what: str,
    fmt: str,
    unit_id: int | None,
    tz: ZoneInfo,
    unit_ids: frozenset[int] | None = None,
) -> list[ExtraSheet]:
    """The sheets that follow the main rows: the ledger workbook also carries the "124"
    check-in sheet (the chat's /export and `python -m bot export` alike), of a district's
    units for a district head."""
    if what == "ledger" and fmt == "xlsx":
        if unit_ids is not None:
            return [await checkins.checkin_sheet(db, unit_id=None, tz=tz, unit_ids=unit_ids)]
        return [await checkins.checkin_sheet(db, unit_id=unit_id, tz=tz)]
    return []
