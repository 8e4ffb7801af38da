"""The signed problem list (问题整改清单) as a PDF the office prints, has signed by the unit
head, stamps and files: per unit a title, the unit, the list (序号 / 问题 / 整改措施 /
整改时限 / 责任人), the sign-off version and time, and a block for the signature, the stamp
(盖章) and the date. A4 portrait; a long list runs over pages with its header row repeated;
several units make one file, each unit starting on a new page.

fpdf2 draws it: it embeds the Noto Sans SC font the charts use (an OpenType font with CFF
outlines, which ReportLab cannot embed) as a subset of the glyphs used, with a ToUnicode map,
so the text can be searched and copied. The words are the file language's (Chinese); people's
text is written as typed (never HTML-escaped: this is not a Telegram message). Drawing is CPU
work: callers run it in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, Update

from domain.reminders.timing import local_day
from domain.stats import Scope
from handlers.context import BotContext, viewer
from handlers.duties.common import policy_of
from handlers.i18n import Translator
from handlers.stats.charts import cjk_font_path
from handlers.stats.show import place_allowed, scope_of
from handlers.stats.summary import make_summary, summary_docx
from handlers.ui.callbacks import Route, pressed
from handlers.ui.presses import neutral
from storage.ledger.queries import ListLine, ProblemList, problem_lists
from storage.membership import units

if TYPE_CHECKING:  # fpdf2 is imported when a list is drawn (it is slow to import)
    from fpdf import FPDF

FILE_LANGUAGE = "zh_CN"  # the bureau office's document, whatever the reader's language
ROUTE = Route("papers")
CALLBACK_PATTERN = ROUTE.pattern

FONT = "NotoSansSC"
COLUMNS_MM = (14.0, 62.0, 56.0, 26.0, 22.0)  # 180 mm: A4's 210 less 15 mm margins
SIGNATURE_BLOCK_MM = 48.0  # kept on one page with the sign-off line above it


def _day(t: Translator, day: date | None) -> str:
    return t.date(day) if day is not None else str(t.gettext("none"))


def _measure(t: Translator, line: ListLine) -> str:
    """The measure, with the bureau's requirement (整改要求) of a dispatched item."""
    parts = [line.measure or ""]
    if line.requirement:
        parts.append(str(t.gettext("Requirement: ")) + line.requirement)
    return "\n".join(p for p in parts if p)


def _problem(t: Translator, line: ListLine) -> str:
    if line.added_after_signoff:
        return line.description + "\n" + str(t.gettext("(added after sign-off)"))
    return line.description


def problem_list_pdf(
    lists: Sequence[ProblemList], *, t: Translator, campaign_name: str, printed_at: datetime
) -> bytes:
    """The PDF of every list in `lists`, one unit after the other."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, fname=str(cjk_font_path()))
    pdf.set_title(str(t.gettext("Problem rectification list")))
    pdf.set_creator(campaign_name)
    printed = str(t.gettext("Printed: ")) + t.datetime(printed_at)

    unit_on_page = [""]  # each page's footer names its unit: a file may hold many

    def footer() -> None:
        pdf.set_y(-12)
        pdf.set_font(FONT, size=8)
        pdf.cell(0, 5, f"{unit_on_page[0]}    {printed}    {pdf.page_no()}", align="C")

    pdf.footer = footer  # type: ignore[method-assign]
    headings = (
        t.gettext("No."),
        t.gettext("Problem"),
        t.gettext("Rectification measure"),
        t.gettext("Deadline"),
        t.gettext("Responsible"),
    )
    for plist in lists:
        pdf.add_page()  # writes the last page's footer, with the unit before
        unit_on_page[0] = plist.unit.name
        pdf.set_font(FONT, size=11)
        pdf.cell(0, 7, campaign_name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=17)
        pdf.cell(
            0,
            11,
            str(t.gettext("Problem rectification list")),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(FONT, size=11)
        pdf.cell(
            0,
            8,
            str(t.gettext("Unit: ")) + plist.unit.name,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(FONT, size=9.5)
        with pdf.table(
            col_widths=COLUMNS_MM,
            text_align=("CENTER", "LEFT", "LEFT", "CENTER", "CENTER"),
            line_height=5.2,
            repeat_headings=1,
            # one regular font only (no bold face is embedded): the header row is shaded
            headings_style=FontFace(emphasis="", fill_color=(225, 225, 225)),
            wrapmode=WrapMode.CHAR,  # Chinese has no spaces to break at
        ) as table:
            head = table.row()
            for heading in headings:
                head.cell(str(heading))
            for line in plist.lines:
                row = table.row()
                row.cell(str(line.seq))
                row.cell(_problem(t, line))
                row.cell(_measure(t, line))
                row.cell(_day(t, line.deadline))
                row.cell(line.responsible or "")
        if not plist.lines:
            pdf.cell(
                0, 8, str(t.gettext("No problems on the list.")), new_x="LMARGIN", new_y="NEXT"
            )
        _signature_block(pdf, t, plist)
    return bytes(pdf.output())


def signoff_line(t: Translator, plist: ProblemList) -> str:
    """ "签字确认：第 N 版，<time>，<n> 项" or that the list is not signed off yet."""
    signed = plist.signoff
    if signed is None:
        return str(t.gettext("Sign-off: not signed off yet in the bot."))
    text = str(t.gettext("Sign-off: version {v}, ", v=signed.version)) + t.datetime(signed.at)
    text += str(t.ngettext(", {n} item", ", {n} items", signed.item_count))
    if plist.signed_by:
        text += str(t.gettext(", by ")) + plist.signed_by
    return text


def _signature_block(pdf: FPDF, t: Translator, plist: ProblemList) -> None:
    """The sign-off recorded in the bot, then room for the head's signature, the stamp and
    the date, all on one page."""
    if pdf.will_page_break(SIGNATURE_BLOCK_MM):
        pdf.add_page()
    pdf.ln(5)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 6, signoff_line(t, plist), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, size=11)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.cell(half, 9, str(t.gettext("Unit head (signature): ")) + "__________________")
    pdf.cell(half, 9, str(t.gettext("Unit (stamp)")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.cell(half, 9, "")
    pdf.cell(
        half,
        9,
        str(t.gettext("Date: ")) + str(t.gettext("____ year __ month __ day")),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )


def pdf_name(unit_code: str | None, today: date) -> str:
    return f"problem-list-{unit_code or 'all'}-{today:%Y%m%d}.pdf"


async def send_problem_list(
    context: BotContext, chat_id: int, *, unit_id: int | None, t: Translator
) -> bool:
    """Make the list of one unit (or of every unit) from the database and send it to `chat_id`;
    False when there is nothing to print. The caller has checked the person's rights."""
    svc = context.services
    lists = await problem_lists(svc.db, None if unit_id is None else [unit_id])
    if not lists:
        return False
    now = svc.clock.now()
    data = await asyncio.to_thread(
        problem_list_pdf,
        lists,
        t=svc.catalogs.get(FILE_LANGUAGE),
        campaign_name=svc.settings.campaign.name,
        printed_at=now,
    )
    code = lists[0].unit.code if unit_id is not None else None
    await context.bot.send_document(
        chat_id=chat_id,
        document=data,
        filename=pdf_name(code, local_day(now, svc.settings.reminders)),
        caption=t.gettext("The problem list to print, sign and stamp."),
    )
    return True


def export_buttons(t: Translator, scope: Scope) -> list[list[InlineKeyboardButton]]:
    """The office papers under `/export`'s files: the problem lists to print (every unit's in
    one file for staff, the unit's own for a unit head) and the year-end summary."""
    return [
        [
            ROUTE.button(str(t.gettext("Problem lists · PDF")), "pdf"),
            ROUTE.button(str(t.gettext("Year-end summary · Word")), "docx"),
        ]
    ]


async def on_button(update: Update, context: BotContext) -> None:
    """Make the chosen paper for the presser's own scope, after checking rights again."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t = who.t
    press = pressed(update)
    scope = scope_of(who)
    if scope is None:
        await query.answer(neutral(t))
        return
    if (
        press is None
        or press.action not in ("pdf", "docx")
        or press.value != ROUTE.empty
        or not place_allowed(update, context)
        or query.message is None
    ):
        await query.answer(neutral(t))
        return
    await query.answer(t.gettext("Making the file…"))
    chat_id = query.message.chat.id
    if press.action == "pdf":
        if not await send_problem_list(context, chat_id, unit_id=scope.unit_id, t=t):
            await context.bot.send_message(chat_id, t.gettext("No problems on the list."))
        return
    await send_summary(context, chat_id, scope=scope, t=t)


async def send_summary(context: BotContext, chat_id: int, *, scope: Scope, t: Translator) -> None:
    """The year-end summary of `scope` (the bureau's when it covers every unit) as a docx."""
    svc = context.services
    today = local_day(svc.clock.now(), svc.settings.reminders)
    unit = await units.by_id(svc.db, scope.unit_id) if scope.unit_id is not None else None
    made = await make_summary(
        svc.db,
        svc.settings,
        policy_of(context),
        svc.catalogs.get(FILE_LANGUAGE),
        scope=scope,
        unit_name=unit.name if unit is not None else None,
        today=today,
    )
    data = await asyncio.to_thread(summary_docx, made)
    await context.bot.send_document(
        chat_id=chat_id,
        document=data,
        filename=summary_name(unit.code if unit is not None else None, today),
        caption=t.gettext("A first draft of the summary, to edit."),
    )


def summary_name(unit_code: str | None, today: date) -> str:
    return f"summary-{unit_code or 'bureau'}-{today:%Y%m%d}.docx"
