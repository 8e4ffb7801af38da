"""The words of the "124" duty's reminders, in the recipient's language: a cadre's evening
call (with the 在校 button), the next morning's list of missing check-ins, the weekly summary.
The engine (bot/jobs/checkin.py) calls `compose` with one outbox row; nothing here sends."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.reminders.digest import Pending
from domain.reminders.due import STAFF, Rule
from handlers.i18n import Html, Translator
from handlers.ui.callbacks import Route

ROUTE = Route("checkin")
CALLBACK_PATTERN = ROUTE.pattern
NAMES_SHOWN = 40


def here_callback(day: date) -> str:
    return ROUTE.data("here", day.isoformat())


def here_keyboard(t: Translator, day: date) -> InlineKeyboardMarkup:
    label = t.gettext("✅ 在校 / at school")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=here_callback(day))]])


def location_hint(t: Translator) -> Html:
    return t.gettext(
        "Optionally share your location (📎 → Location, a live location is fine): only its "
        "distance from the school is kept, never where you are."
    )


def _names(names: object) -> str:
    listed = [str(n) for n in names] if isinstance(names, list) else []
    shown = "、".join(listed[:NAMES_SHOWN])
    return shown + ("…" if len(listed) > NAMES_SHOWN else "")


def _call(t: Translator, p: dict[str, object]) -> tuple[str, InlineKeyboardMarkup]:
    day = date.fromisoformat(str(p["day"]))
    text = Html(
        t.gettext(
            "🏫 “124” duty tonight ({date}): please check in by {until} to confirm you are at "
            "school.",
            date=t.date(day),
            until=p.get("until", ""),
        )
        + "\n"
        + location_hint(t)
        + "\n"
        + t.gettext("Away tonight for a reason? Ask for leave with /leave.")
    )
    return text, here_keyboard(t, day)


def _unit_missing(t: Translator, p: dict[str, object]) -> Html:
    day = date.fromisoformat(str(p["day"]))
    missing = p.get("missing")
    count = len(missing) if isinstance(missing, list) else 0
    lines = [
        t.ngettext(
            "🌙 {unit}, “124” duty of {date}: {n} cadre did not check in: {names}.",
            "🌙 {unit}, “124” duty of {date}: {n} cadres did not check in: {names}.",
            count,
            unit=p.get("unit", ""),
            date=t.date(day),
            names=_names(missing),
        )
    ]
    excused = p.get("excused")
    if isinstance(excused, list) and excused:
        lines.append(t.gettext("On approved leave: {names}.", names=_names(excused)))
    return Html("\n".join(lines))


def _missing(t: Translator, row: Pending) -> Html:
    p = dict(row.payload)
    if row.recipient != STAFF:
        return Html(
            _unit_missing(t, p)
            + "\n"
            + t.gettext("What to do: ask them why and note it in the unit's records.")
        )
    units = p.get("units")
    listed = units if isinstance(units, list) else []
    day = date.fromisoformat(str(p["day"]))
    lines = [
        t.ngettext(
            "🌙 Missing “124” check-ins of {date}: {n} boarding school.",
            "🌙 Missing “124” check-ins of {date}: {n} boarding schools.",
            len(listed),
            date=t.date(day),
        )
    ]
    for entry in listed:
        if isinstance(entry, dict):
            lines.append(
                t.gettext(
                    "• {unit}: {names}", unit=entry.get("unit", ""), names=_names(entry["missing"])
                )
            )
    return Html("\n".join(lines))


def _weekly(t: Translator, row: Pending) -> Html:
    p = dict(row.payload)
    first, last = date.fromisoformat(str(p["first"])), date.fromisoformat(str(p["last"]))
    if row.recipient == STAFF:
        lines = [
            t.gettext(
                "📊 “124” duty, {first} – {last}, per boarding school (at school / on leave / "
                "missing):",
                first=t.date(first),
                last=t.date(last),
            )
        ]
        units = p.get("units")
        for entry in units if isinstance(units, list) else []:
            lines.append(
                t.gettext(
                    "• {unit}: {present} / {excused} / {missing}",
                    unit=entry.get("unit", ""),
                    present=entry.get("present", 0),
                    excused=entry.get("excused", 0),
                    missing=entry.get("missing", 0),
                )
            )
        return Html("\n".join(lines))
    lines = [
        t.ngettext(
            "📊 {unit}, “124” duty {first} – {last} ({n} duty night), per cadre "
            "(at school / on leave / missing):",
            "📊 {unit}, “124” duty {first} – {last} ({n} duty nights), per cadre "
            "(at school / on leave / missing):",
            int(str(p.get("nights", 0))),
            unit=p.get("unit", ""),
            first=t.date(first),
            last=t.date(last),
        )
    ]
    rows = p.get("rows")
    for entry in rows if isinstance(rows, list) else []:
        name, present, excused, missing = entry
        lines.append(
            t.gettext(
                "• {name}: {present} / {excused} / {missing}",
                name=name,
                present=present,
                excused=excused,
                missing=missing,
            )
        )
    return Html("\n".join(lines))


def compose(t: Translator, row: Pending, *, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for one duty reminder and its buttons."""
    if row.rule == Rule.CHECKIN:
        return _call(t, dict(row.payload))
    if row.rule == Rule.CHECKIN_MISSING:
        return _missing(t, row)[:4096], None
    return _weekly(t, row)[:4096], None
