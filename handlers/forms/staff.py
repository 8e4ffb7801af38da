"""`/forms`: the forms a person may answer now (buttons that open them), and for staff and
unit heads each form's page: answered / expected, who has not answered (未填报名单) by unit,
a chase (催报) through the reminder outbox, the results (counts, choices, averages and scores
per unit), the export (xlsx/CSV) and a public form's links per unit. Every press re-reads the
person's rights; a press by anyone else reveals nothing."""

from __future__ import annotations

import io
from collections import Counter

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.forms.definitions import Audience, Form, Kind
from domain.forms.rules import (
    FormFacts,
    Period,
    may_answer,
    missing_people,
    period_of,
    public_payload,
    sees_results,
    unit_scores,
)
from domain.membership.invites import deep_link
from handlers.context import BotContext, Viewer, viewer
from handlers.forms.draft import ROUTE
from handlers.i18n import Html, Translator, escape
from handlers.ui.callbacks import Route, pressed
from handlers.ui.dates import local_today
from handlers.ui.limits import pages
from handlers.ui.presses import neutral
from handlers.ui.text import shorten
from storage.forms import answers as stored
from storage.forms import chases
from storage.stats.files import Format, write_table

STAFF = Route("formst")
NAMES_SHOWN = 60


def _scope(who: Viewer) -> tuple[str, int | None] | None:
    """("all", None) for staff, ("unit", unit id) for a unit head, None for anyone else."""
    seen = sees_results(who.role)
    if seen == "unit" and who.membership is not None:
        return seen, who.membership.unit.id
    return ("all", None) if seen == "all" else None


def _period(form: Form, context: BotContext) -> Period | None:
    """Today's period, or the last one of a form that has closed."""
    today = local_today(context)
    campaign = context.services.settings.campaign
    return period_of(form, min(max(today, form.opens), form.closes), campaign)


async def _may_answer(context: BotContext, who: Viewer, form: Form) -> bool:
    m = who.membership
    if m is None or m.member.id is None or not form.named:
        return False
    cadre = form.audience is Audience.CADRES and await stored.is_cadre(
        context.services.db, m.member.id
    )
    return may_answer(form, role=who.role, cadre=cadre, unit_kind=m.unit.kind)


async def show_forms(update: Update, context: BotContext) -> None:
    """/forms: what this person may answer now, and (staff, unit heads) every form's page."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t, today = who.t, local_today(context)
    campaign = context.services.settings.campaign
    rows: list[list[InlineKeyboardButton]] = []
    for form in context.services.settings.forms:
        if period_of(form, today, campaign) is not None and await _may_answer(context, who, form):
            label = t.gettext("✍ {title}", title=form.title(t.language))
            rows.append([ROUTE.button(shorten(label), "pick", form.key)])
    if _scope(who) is not None:
        for form in context.services.settings.forms:
            label = t.gettext("📋 {title}", title=form.title(t.language))
            rows.append([STAFF.button(shorten(label), "view", form.key)])
    if not rows:
        await message.reply_text(t.gettext("No form is open for you now."))
        return
    await message.reply_text(
        t.gettext("Forms: ✍ to fill in, 📋 to see who has answered and the results."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _allowed(update: Update, context: BotContext) -> tuple[Viewer, Form, int | None] | None:
    """The person, the form and their scope, or None (answered: the button reveals nothing)."""
    who = await viewer(update, context)
    query, press = update.callback_query, pressed(update)
    if who is None or query is None or press is None:
        return None
    scope = _scope(who)
    form = context.services.settings.forms.get(press.value.partition(".")[0])
    if scope is None or form is None:
        await query.answer(neutral(who.t))
        return None
    return who, form, scope[1]


def _view_keyboard(t: Translator, form: Form, missing: int, staff: bool) -> InlineKeyboardMarkup:
    rows = []
    if form.named and missing:
        rows.append(
            [STAFF.button(t.gettext("⏰ Chase those who have not answered"), "chase", form.key)]
        )
    rows.append(
        [
            STAFF.button(t.gettext("Export Excel"), "xlsx", form.key),
            STAFF.button(t.gettext("Export CSV"), "csv", form.key),
        ]
    )
    if form.audience is Audience.PUBLIC and staff:
        rows.append([STAFF.button(t.gettext("🔗 Links per unit"), "links", form.key)])
    return InlineKeyboardMarkup(rows)


async def view(update: Update, context: BotContext) -> None:
    """A form's page for this person's scope."""
    found = await _allowed(update, context)
    if found is None:
        return
    who, form, unit_id = found
    query, message = update.callback_query, update.effective_message
    assert query is not None
    await query.answer()
    if message is None:
        return
    t = who.t
    period = _period(form, context)
    if period is None:
        await message.reply_text(t.gettext("This form has no period to show yet."))
        return
    db = context.services.db
    lines = [
        t.gettext("📋 <b>{title}</b>", title=form.title(t.language)),
        t.gettext(
            "Period {period}: {first} – {last}, due {due}",
            period=period.key,
            first=t.date(period.first),
            last=t.date(period.last),
            due=t.date(period.due),
        ),
    ]
    missing = 0
    if form.named:
        expected = await stored.expected(db, form, unit_id)
        answered = await stored.answered_members(db, form_key=form.key, period=period.key)
        who_not = missing_people(FormFacts(form, period, tuple(expected), answered))
        missing = len(who_not)
        lines.append(
            t.gettext("Answered: {done} of {all}", done=len(expected) - missing, all=len(expected))
        )
        if who_not:
            names = await stored.member_names(db, (p.member_id for p in who_not))
            lines.append(t.gettext("<b>Not yet answered (未填报名单)</b>"))
            by_unit: dict[str, list[str]] = {}
            for person in who_not:
                by_unit.setdefault(person.unit_name, []).append(names.get(person.member_id, "?"))
            shown = 0
            for unit_name, people in by_unit.items():
                if shown >= NAMES_SHOWN:
                    lines.append(t.gettext("… and more"))
                    break
                lines.append(Html(f"• {escape(unit_name)}：{escape('、'.join(people))}"))
                shown += len(people)
    rows = await stored.answer_rows(db, form_key=form.key, period=period.key, unit_id=unit_id)
    lines += _results(t, form, rows)
    text = Html("\n".join(lines))
    chunks = pages(text)
    for chunk in chunks[:-1]:
        await message.reply_text(chunk)
    await message.reply_text(
        chunks[-1], reply_markup=_view_keyboard(t, form, missing, unit_id is None)
    )


def _results(t: Translator, form: Form, rows: list[stored.AnswerRow]) -> list[Html]:
    lang = t.language
    out = [
        t.gettext(
            "<b>Results</b>: {n} answers ({late} late)", n=len(rows), late=sum(r.late for r in rows)
        )
    ]
    if not rows:
        return out
    for q in form.questions:
        if q.kind in (Kind.SINGLE, Kind.MULTIPLE):
            counts: Counter[str] = Counter()
            for r in rows:
                value = r.answers.get(q.key)
                counts.update(value if isinstance(value, list) else [value] if value else [])
            parts = "；".join(f"{o.label(lang)} {counts[o.key]}" for o in q.options)
            out.append(Html(f"• {escape(shorten(q.text(lang), 40))}：{escape(parts)}"))
        elif q.kind in (Kind.SCALE, Kind.NUMBER):
            values = [v for r in rows if isinstance(v := r.answers.get(q.key), (int, float))]
            if values:
                average = round(sum(values) / len(values), 1)
                out.append(
                    t.gettext(
                        "• {question}: average {avg} ({n} answers)",
                        question=shorten(q.text(lang), 40),
                        avg=average,
                        n=len(values),
                    )
                )
    scores = unit_scores(form, ((r.unit_id, r.answers) for r in rows))
    names = {r.unit_id: r.unit_name for r in rows}
    if any(s.score is not None for s in scores):
        out.append(t.gettext("<b>Score per unit</b> (0–100)"))
        out += [
            Html(f"• {escape(names.get(s.unit_id, '?'))}：{s.score:.0f}（{s.answers}）")
            for s in scores
            if s.score is not None
        ]
    return out


async def chase(update: Update, context: BotContext) -> None:
    """催报: one chase a day per form and scope, sent by the reminder engine to those who have
    still not answered when it goes out."""
    found = await _allowed(update, context)
    if found is None:
        return
    who, form, unit_id = found
    query = update.callback_query
    assert query is not None
    period = _period(form, context)
    t = who.t
    if (
        not form.named
        or period is None
        or period_of(form, local_today(context), context.services.settings.campaign) is None
    ):
        await query.answer(t.gettext("This form is not open now."), show_alert=True)
        return
    svc = context.services
    member_id = who.membership.member.id if who.membership else None
    added = await chases.add_chase(
        svc.db,
        form_key=form.key,
        period=period.key,
        unit_id=unit_id,
        requested_by=who.telegram_user_id,
        actor_member_id=member_id,
        now=svc.clock.now(),
        today=local_today(context),
    )
    if not added:
        await query.answer(t.gettext("Already chased today."), show_alert=True)
        return
    if svc.outbox is not None:
        svc.outbox.kick()
    await query.answer(
        t.gettext("Chase queued: those who have not answered get a reminder."), show_alert=True
    )


async def export(update: Update, context: BotContext) -> None:
    """The answers of the current period (this person's scope) as xlsx or CSV."""
    found = await _allowed(update, context)
    if found is None:
        return
    who, form, unit_id = found
    query, press = update.callback_query, pressed(update)
    assert query is not None and press is not None
    period = _period(form, context)
    await query.answer()
    chat = update.effective_chat
    if period is None or chat is None:
        return
    rows = await stored.answer_rows(
        context.services.db, form_key=form.key, period=period.key, unit_id=unit_id
    )
    columns, values = stored.export_table(form, rows)
    out = io.BytesIO()
    fmt: Format = "csv" if press.action == "csv" else "xlsx"
    await write_table(out, fmt=fmt, title=form.title.zh, columns=columns, rows=values)
    name = f"{form.key}-{period.key}.{fmt}"
    caption = who.t.gettext("{title}: {n} answers", title=form.title(who.t.language), n=len(rows))
    await context.bot.send_document(
        chat_id=chat.id, document=out.getvalue(), filename=name, caption=caption
    )


async def links(update: Update, context: BotContext) -> None:
    """A public form's link per unit (to print or post); staff only."""
    found = await _allowed(update, context)
    if found is None:
        return
    who, form, unit_id = found
    query = update.callback_query
    assert query is not None
    if form.audience is not Audience.PUBLIC or unit_id is not None:
        await query.answer(neutral(who.t))
        return
    await query.answer()
    message = update.effective_message
    if message is None:
        return
    found_units = await stored.units_of_kinds(context.services.db, form.unit_kinds)
    lines = [
        who.t.gettext("🔗 <b>{title}</b>: one link per unit", title=form.title(who.t.language))
    ]
    username = context.bot.username
    lines += [
        Html(f"• {escape(u.name)}\n  {escape(deep_link(username, public_payload(form.key, u.id)))}")
        for u in found_units
        if u.id is not None
    ]
    for chunk in pages(Html("\n".join(lines))):
        await message.reply_text(chunk)


async def route(update: Update, context: BotContext) -> None:
    """Every staff button of the forms."""
    press = pressed(update)
    action = press.action if press else ""
    handler = {"view": view, "chase": chase, "xlsx": export, "csv": export, "links": links}.get(
        action
    )
    if handler is None:
        who = await viewer(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(neutral(who.t) if who else None)
        return
    await handler(update, context)
