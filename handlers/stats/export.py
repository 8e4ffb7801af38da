"""`/export`: the rectification ledger (整改台账), the case register, the accountability
register or the audit log as an xlsx or CSV file, sent as a document. Handlers and admins
export every unit; a unit head their own unit's ledger; a district (学区) head the ledger of
the district and every school under it. The case register is for case officers and admins
only: it holds complaints about the unit itself, which its head must not read. The audit log
(who did what and when) is for admins only; `/export audit` takes filters: a case number, a
unit code and days (`2027-04-01` or `2027-04-01..2027-04-30`), in any order.

The file is the bureau office's document: Chinese headers and labels whatever the reader's
language. Files are made in a private chat or the staff chat only."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from domain.campaign import Campaign
from domain.cases.accountability import DEFAULT_HANDLINGS
from domain.duties.checkin import DutyPolicy
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import local_day
from domain.stats import CaseFact, Scope, clocks_met
from handlers.context import BotContext, Settings, Viewer, viewer
from handlers.duties.common import policy_of
from handlers.i18n import Translator
from handlers.ledger.views import category_label
from handlers.ledger.views import status_label as ledger_status
from handlers.stats.audit import AuditLabels
from handlers.stats.papers import FILE_LANGUAGE as FILE_LANGUAGE
from handlers.stats.papers import export_buttons
from handlers.stats.show import place_allowed, scope_of
from handlers.ui.callbacks import Route, pressed
from handlers.ui.labels import channel_label, finding_label, handling_label, rating_label
from handlers.ui.labels import status_label as case_status
from handlers.ui.presses import neutral
from storage import audit
from storage.audit import AuditFilter
from storage.db import Database
from storage.duties import checkins
from storage.files import evidence as evidence_files
from storage.membership import units
from storage.stats import exports
from storage.stats.exports import CaseRow
from storage.stats.files import ExtraSheet, Format, Heading, Labels, What, write_export

ROUTE = Route("export")
CALLBACK_PATTERN = ROUTE.pattern
UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may upload
# The bureau's copies of the cases' evidence (storage.files), complaints' opened: a zip beside
# the case register, for those who may read the register.
FILES = ("files", "zip")
CHOICES: tuple[tuple[What, Format], ...] = (
    ("ledger", "xlsx"),
    ("ledger", "csv"),
    ("cases", "xlsx"),
    ("cases", "csv"),
    ("accountability", "xlsx"),
    ("accountability", "csv"),
    ("audit", "xlsx"),
    ("audit", "csv"),
)
AUDIT: Final = "audit"
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


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

    audit_labels = AuditLabels(t)
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
        audit_action=audit_labels.action,
        audit_subject=audit_labels.subject,
        audit_value=audit_labels.value,
    )


def file_name(what: What, fmt: Format, unit_code: str | None, today: date) -> str:
    stem = what
    return f"{stem}-{unit_code or 'all'}-{today:%Y%m%d}.{fmt}"


def allowed(scope: Scope, what: str, *, admin: bool = False) -> bool:
    if what == AUDIT:
        return admin
    return what == "ledger" or scope.all_units


def heading(settings: Settings, today: date) -> Heading:
    """The title row of each sheet: the campaign's name and the day the file is of."""
    return Heading(settings.campaign.name, today)


def _keyboard(who: Viewer, scope: Scope) -> InlineKeyboardMarkup:
    t = who.t
    names = {
        ("ledger", "xlsx"): t.gettext("Ledger · Excel"),
        ("ledger", "csv"): t.gettext("Ledger · CSV"),
        ("cases", "xlsx"): t.gettext("Case register · Excel"),
        ("cases", "csv"): t.gettext("Case register · CSV"),
        ("accountability", "xlsx"): t.gettext("Accountability register · Excel"),
        ("accountability", "csv"): t.gettext("Accountability register · CSV"),
        ("audit", "xlsx"): t.gettext("Audit log · Excel"),
        ("audit", "csv"): t.gettext("Audit log · CSV"),
    }
    buttons = [
        InlineKeyboardButton(names[(what, fmt)], callback_data=ROUTE.data(what, fmt))
        for what, fmt in CHOICES
        if allowed(scope, what, admin=who.is_admin)
    ]
    if allowed(scope, FILES[0]):
        buttons.append(
            InlineKeyboardButton(
                t.gettext("Evidence files · zip"), callback_data=ROUTE.data(*FILES)
            )
        )
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows + export_buttons(t, scope))


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
    args = list(context.args or [])
    if args and args[0].lower() == AUDIT:
        await _audit_command(update, context, who, args[1:])
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
        await query.answer(neutral(t))
        return
    if choice == FILES and place_allowed(update, context) and query.message is not None:
        await _send_files(update, context, who, scope)
        return
    if choice not in CHOICES or not place_allowed(update, context) or query.message is None:
        await query.answer(neutral(t))
        return
    what: What = next(w for w, _ in CHOICES if w == choice[0])
    fmt: Format = "xlsx" if choice[1] == "xlsx" else "csv"
    if not allowed(scope, what, admin=who.is_admin):
        await query.answer(neutral(t))
        return
    if what == AUDIT and query.message.chat.type != ChatType.PRIVATE:
        await query.answer(t.gettext("The audit log is sent in a private chat with me only."))
        return
    await query.answer(t.gettext("Making the file…"))
    await _send_file(
        context, who, query.message.chat.id, what, fmt, scope.unit_id, unit_ids=scope.unit_ids
    )


async def _send_file(
    context: BotContext,
    who: Viewer,
    chat_id: int,
    what: What,
    fmt: Format,
    unit_id: int | None,
    where: AuditFilter | None = None,
    unit_ids: frozenset[int] | None = None,
) -> None:
    """Make one file from the database and send it to `chat_id` (rights already checked);
    `unit_ids`: a district head's district and its schools."""
    t, svc = who.t, context.services
    unit = await units.by_id(svc.db, unit_id) if unit_id is not None else None
    out = io.BytesIO()
    today = local_day(svc.clock.now(), svc.settings.reminders)
    tz = svc.settings.timezone
    batches = rows_of(svc.db, what, unit_id, tz=tz, where=where, unit_ids=unit_ids)
    labels = file_labels(
        svc.catalogs.get(FILE_LANGUAGE), svc.settings.campaign, svc.settings, today
    )
    extra = await extra_sheets(
        svc.db,
        what=what,
        fmt=fmt,
        unit_id=unit_id,
        tz=tz,
        policy=policy_of(context),
        calendar=svc.settings.calendar,
        today=today,
        unit_ids=unit_ids,
    )
    count = await write_export(
        out,
        what=what,
        fmt=fmt,
        batches=batches,
        labels=labels,
        extra_sheets=extra,
        heading=heading(svc.settings, today),
    )
    if out.tell() > UPLOAD_LIMIT:
        await context.bot.send_message(
            chat_id, t.gettext("The file is too large to send here. Use the command line export.")
        )
        return
    name = file_name(what, fmt, unit.code if unit else None, today)
    caption = t.ngettext("{n} row", "{n} rows", count)
    await context.bot.send_document(
        chat_id=chat_id, document=out.getvalue(), filename=name, caption=caption
    )


async def _send_files(update: Update, context: BotContext, who: Viewer, scope: Scope) -> None:
    """The evidence zip (case officers and admins only: it opens complaints' files)."""
    query, t = update.callback_query, who.t
    assert query is not None and query.message is not None
    if not allowed(scope, FILES[0]):
        await query.answer(neutral(t))
        return
    await query.answer(t.gettext("Making the file…"))
    svc = context.services
    found = await evidence_files.stored_files(svc.db)
    chat = query.message.chat.id
    if not found:
        await context.bot.send_message(chat, t.gettext("No evidence files are stored yet."))
        return
    data = await asyncio.to_thread(evidence_files.write_zip, found)
    if len(data) > UPLOAD_LIMIT:
        await context.bot.send_message(
            chat, t.gettext("The file is too large to send here. Use the command line export.")
        )
        return
    today = local_day(svc.clock.now(), svc.settings.reminders)
    await context.bot.send_document(
        chat_id=chat,
        document=data,
        filename=f"evidence-all-{today:%Y%m%d}.zip",
        caption=t.gettext("Evidence files: {n}", n=len(found)),
    )


async def _audit_command(
    update: Update, context: BotContext, who: Viewer, words: list[str]
) -> None:
    """`/export audit [case number] [unit code] [day or day..day]`: the audit log, filtered,
    as xlsx; admins only."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    t = who.t
    if not who.is_admin:
        await message.reply_text(t.gettext("Only administrators can do this."))
        return
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(t.gettext("The audit log is sent in a private chat with me only."))
        return
    where = await audit_filter(context.services.db, words)
    if where is None:
        await message.reply_text(
            t.gettext(
                "Filters: a case number, a unit code and a day or days, e.g. "
                "/export audit U001 2027-04-01..2027-04-30"
            )
        )
        return
    await _send_file(context, who, chat.id, AUDIT, "xlsx", where.unit_id, where)


async def audit_filter(db: Database, words: Sequence[str]) -> AuditFilter | None:
    """The filter these words ask for (None when one is unreadable): a unit code, days
    (`YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`), else a case number."""
    case_number: str | None = None
    unit_id: int | None = None
    first = last = None
    for word in words:
        if word[:1].isdigit():
            start, _, end = word.partition("..")
            try:
                first, last = date.fromisoformat(start), date.fromisoformat(end or start)
            except ValueError:
                return None
            if last < first:
                return None
            continue
        unit = await units.by_code(db, word)
        if unit is not None and unit_id is None:
            unit_id = unit.id
        elif case_number is None:
            case_number = word
        else:
            return None
    return AuditFilter(case_number=case_number, unit_id=unit_id, first=first, last=last)


def rows_of(
    db: Database,
    what: What,
    unit_id: int | None,
    *,
    tz: ZoneInfo | None = None,
    where: AuditFilter | None = None,
    unit_ids: frozenset[int] | None = None,
) -> AsyncIterator[Sequence[Any]]:
    """The batches of one export's rows; the ledger keeps the items a unit returned (退单),
    with their status; `unit_ids`: a district head's ledger covers the district and every
    school under it (the case registers are the bureau's alone). The audit log is of `where`
    (default: every unit or `unit_id`)."""
    if what == "ledger":
        if unit_ids is not None:  # the district's units, its own included
            return exports.ledger_rows(db, returned=True, unit_ids=unit_ids)
        return exports.ledger_rows(db, unit_id=unit_id, returned=True)
    if what == "cases":
        return exports.case_rows(db, unit_id=unit_id)
    if what == AUDIT:
        where = where or AuditFilter(unit_id=unit_id)
        return audit.audit_rows(db, where=where, tz=tz or DEFAULT_TZ)
    return exports.accountability_rows(db, unit_id=unit_id)


async def extra_sheets(
    db: Database,
    *,
    what: str,
    fmt: str,
    unit_id: int | None,
    tz: ZoneInfo,
    policy: DutyPolicy | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
    unit_ids: frozenset[int] | None = None,
) -> list[ExtraSheet]:
    """The sheets that follow the main rows: the ledger workbook also carries the "124" duty
    sheet, every duty night up to yesterday, of a district's units for a district head (the
    chat's /export and `python -m bot export` alike)."""
    if what == "ledger" and fmt == "xlsx":
        day = today or datetime.now(tz).date()
        sheet = await checkins.checkin_sheet(
            db,
            unit_id=unit_id if unit_ids is None else None,
            tz=tz,
            policy=policy,
            calendar=calendar,
            last=day - timedelta(days=1),
            unit_ids=unit_ids,
        )
        return [sheet]
    return []
