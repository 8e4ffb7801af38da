"""`/stats`: counts, ledger completion, case clocks and the 12345-style rates as text, with
buttons that send a chart (PNG) of completion per unit, cases per category or weekly intake
and closures. Handlers and admins see every unit; a unit head their own unit; nobody else.

Statistics are shown in a private chat or the staff chat only: never in a unit's group."""

from __future__ import annotations

import asyncio
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from domain.reminders.timing import local_day
from domain.stats import Scope, scope_for
from handlers.context import BotContext, Viewer, viewer
from handlers.duties import stats as checkin_stats
from handlers.i18n import Translator
from handlers.stats import charts, rating
from handlers.stats.texts import (
    ChartData,
    category_data,
    completion_data,
    summary,
    weekly_data,
)
from handlers.ui.callbacks import Route, pressed
from handlers.ui.presses import neutral
from storage.stats import facts as store

ROUTE = Route("stats")
CALLBACK_PATTERN = ROUTE.pattern
View = Literal["completion", "categories", "weekly"]
VIEWS: tuple[View, ...] = ("completion", "categories", "weekly")


def scope_of(who: Viewer) -> Scope | None:
    unit_id = who.membership.unit.id if who.membership is not None else None
    return scope_for(who.role, unit_id, who.oversees)


def units_of(scope: Scope) -> frozenset[int] | None:
    """The units a scope covers (None: all)."""
    if scope.unit_ids is not None:
        return scope.unit_ids
    return None if scope.unit_id is None else frozenset({scope.unit_id})


def place_allowed(update: Update, context: BotContext) -> bool:
    """A private chat, or the configured staff chat."""
    chat = update.effective_chat
    if chat is None:
        return False
    return chat.type == ChatType.PRIVATE or chat.id == context.services.settings.staff_chat


def _keyboard(who: Viewer) -> InlineKeyboardMarkup:
    t = who.t
    names = {
        "completion": t.gettext("Completion per unit"),
        "categories": t.gettext("Cases per category"),
        "weekly": t.gettext("Weekly intake and closures"),
    }
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(names[v], callback_data=ROUTE.data("chart", v))] for v in VIEWS]
    )


async def show_stats(update: Update, context: BotContext) -> None:
    """Answer with the text summary and the chart buttons."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t = who.t
    scope = scope_of(who)
    if scope is None:
        await message.reply_text(
            t.gettext("Only case handlers, unit heads and administrators can see statistics.")
        )
        return
    if not place_allowed(update, context):
        await message.reply_text(
            t.gettext("Statistics are shown in a private chat with me or in the staff chat.")
        )
        return
    svc = context.services
    facts = await store.facts(svc.db, unit_id=scope.unit_id, unit_ids=scope.unit_ids)
    today = local_day(svc.clock.now(), svc.settings.reminders)
    duty = await checkin_stats.compliance_lines(context, t, unit_id=scope.unit_id, today=today)
    ratings = await rating.board(context, today=today, unit_ids=units_of(scope))
    text = summary(t, svc.settings, facts, scope, today, duty, ratings)
    await message.reply_text(text, reply_markup=_keyboard(who))


async def on_button(update: Update, context: BotContext) -> None:
    """Send the chart a button asks for, after checking the presser's rights again."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t = who.t
    press = pressed(update)
    view = press.value if press is not None and press.action == "chart" else ""
    scope = scope_of(who)
    if scope is None:
        await query.answer(neutral(t))
        return
    if view not in VIEWS or not place_allowed(update, context) or query.message is None:
        await query.answer(neutral(t))
        return
    await query.answer()
    svc = context.services
    facts = await store.facts(svc.db, unit_id=scope.unit_id, unit_ids=scope.unit_ids)
    today = local_day(svc.clock.now(), svc.settings.reminders)
    if view == "weekly":
        data = weekly_data(t, facts, today)
        png = await asyncio.to_thread(
            charts.line_chart,
            data.title,
            data.labels,
            data.series,
            axis_label=data.axis,
            as_of=data.as_of,
        )
        await context.bot.send_photo(
            chat_id=query.message.chat.id, photo=png, caption=data.title, filename="chart.png"
        )
        return
    data = (completion_data if view == "completion" else category_data)(
        t, svc.settings, facts, today
    )
    if not data.bars:
        await context.bot.send_message(query.message.chat.id, t.gettext("Nothing to chart yet."))
        return
    await send_bar_pictures(context, query.message.chat.id, t, data, view)


def picture_titles(t: Translator, data: ChartData) -> list[str]:
    """The title of each picture: "(2/4)" after it when the bars take several."""
    count = len(charts.pages(data.bars))
    if count == 1:
        return [data.title]
    return [
        t.gettext("{title} ({page}/{pages})", title=data.title, page=n, pages=count)
        for n in range(1, count + 1)
    ]


def bar_pictures(t: Translator, data: ChartData, *, percent: bool) -> tuple[bytes, ...]:
    """Every bar on some picture, in order, each picture titled as `picture_titles` says (CPU
    work: run it in a thread)."""
    return tuple(
        charts.bar_chart(title, page, axis_label=data.axis, percent=percent, as_of=data.as_of)
        for title, page in zip(picture_titles(t, data), charts.pages(data.bars), strict=True)
    )


async def send_bar_pictures(
    context: BotContext, chat_id: int, t: Translator, data: ChartData, view: View
) -> None:
    """Every bar on some picture (worst first on the first), one photo per picture."""
    titles = picture_titles(t, data)
    for title, page in zip(titles, charts.pages(data.bars), strict=True):
        png = await asyncio.to_thread(
            charts.bar_chart,
            title,
            page,
            axis_label=data.axis,
            percent=view == "completion",
            as_of=data.as_of,
        )
        await context.bot.send_photo(
            chat_id=chat_id, photo=png, caption=title, filename="chart.png"
        )
