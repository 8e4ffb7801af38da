"""The words of the forms' reminders, in the recipient's language: the ladder and the late
notice to someone who has not answered (with a button that opens the form), a staff chase,
and the missing list per unit to the staff chat. The engine (bot/jobs/forms.py) calls
`compose` with one outbox row; nothing here sends."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup

from domain.forms.definitions import FormCatalog
from domain.reminders.digest import Pending
from domain.reminders.due import Rule
from handlers.forms.draft import ROUTE
from handlers.i18n import Html, Translator
from handlers.ui.text import shorten

UNITS_SHOWN = 40


def compose(
    t: Translator, row: Pending, *, today: date, forms: FormCatalog
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for one form reminder and its button."""
    payload = dict(row.payload)
    form = forms.get(str(payload.get("form", "")))
    title = form.title(t.language) if form else str(payload.get("form", ""))
    due = date.fromisoformat(str(payload.get("due", today.isoformat())))
    if row.rule == Rule.FORM_MISSING:
        listed = payload.get("units")
        pairs = (
            [(str(p[0]), int(p[1])) for p in listed if isinstance(p, list) and len(p) == 2]
            if isinstance(listed, list)
            else []
        )
        lines = [
            t.gettext(
                "📋 Not yet answered: <b>{title}</b> (due {day})", title=title, day=t.date(due)
            )
        ]
        lines += [
            t.ngettext("{unit}: {n} person", "{unit}: {n} people", n, unit=name)
            for name, n in pairs[:UNITS_SHOWN]
        ]
        if len(pairs) > UNITS_SHOWN:
            lines.append(t.gettext("… and {n} more units", n=len(pairs) - UNITS_SHOWN))
        return Html("\n".join(lines))[:4096], None
    if row.rule == Rule.FORM_CHASE:
        text = t.gettext(
            "⏰ The campaign office asks you to fill in <b>{title}</b> (due {day}).",
            title=title,
            day=t.date(due),
        )
    elif payload.get("late"):
        text = t.gettext(
            "⚠️ <b>{title}</b> was due {day} and you have not answered yet; it will be marked late.",
            title=title,
            day=t.date(due),
        )
    else:
        text = t.gettext(
            "📝 Reminder: please fill in <b>{title}</b> by {day}.", title=title, day=t.date(due)
        )
    if form is None:
        return text, None
    button = ROUTE.button(shorten(t.gettext("Fill it in")), "pick", form.key)
    return text, InlineKeyboardMarkup([[button]])
