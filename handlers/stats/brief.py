"""The words and the pictures of the weekly brief (一周简报) to the staff chat, from the figures
`domain.brief` put in its outbox row: progress per unit, laggards first, new and overdue
cases, and the week's trend against the week before. Every unit is on a picture (several
pictures go as one album). Unit names and counts only."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from handlers.i18n import Html, Translator
from handlers.stats import charts
from handlers.stats.charts import Bar
from handlers.stats.show import bar_pictures
from handlers.stats.texts import ChartData, no_list, no_list_line
from handlers.ui.limits import CAPTION_LIMIT, fits

UNITS_LISTED = 8  # in the text; the pictures show every unit


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _units(payload: Mapping[str, object]) -> list[tuple[str, int, int, int]]:
    rows = payload.get("units")
    out: list[tuple[str, int, int, int]] = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, list) and len(row) == 4:
            out.append((str(row[0]), _int(row[1]), _int(row[2]), _int(row[3])))
    return out


def _day(t: Translator, payload: Mapping[str, object], key: str) -> str:
    return t.date(date.fromisoformat(str(payload.get(key))))


def brief_text(t: Translator, payload: Mapping[str, object]) -> Html:
    """The brief's caption (within Telegram's 1024 units, as Telegram counts them)."""
    p = payload
    lines = [
        t.gettext(
            "<b>Weekly brief</b> · {first} – {last}",
            first=_day(t, p, "first"),
            last=_day(t, p, "last"),
        ),
        t.gettext(
            "Cases: {new} new (week before: {before}), {closed} closed, {late} past the "
            "answer limit",
            new=_int(p.get("new_cases")),
            before=_int(p.get("new_before")),
            closed=_int(p.get("closed_cases")),
            late=_int(p.get("overdue_cases")),
        ),
        t.gettext(
            "Ledger: {verified} verified this week (week before: {before}), {overdue} overdue",
            verified=_int(p.get("verified")),
            before=_int(p.get("verified_before")),
            overdue=_int(p.get("overdue_items")),
        ),
    ]
    rows = _units(p)
    if rows:
        lines.append(t.gettext("Units, those behind first:"))
        for name, total, verified, overdue in rows[:UNITS_LISTED]:
            if not total:  # a unit that must file a problem list and has none yet
                lines.append(no_list_line(t, name))
                continue
            lines.append(
                t.gettext(
                    "{unit}: {verified}/{total} verified, {overdue} overdue",
                    unit=name,
                    verified=verified,
                    total=total,
                    overdue=overdue,
                )
            )
        more = len(rows) - UNITS_LISTED
        if more > 0 and len(rows) <= charts.MAX_BARS:
            lines.append(t.gettext("… and {n} more in the picture", n=more))
        elif more > 0:
            lines.append(
                t.gettext(
                    "… and {n} more in the {pages} pictures",
                    n=more,
                    pages=math.ceil(len(rows) / charts.MAX_BARS),
                )
            )
    text = "\n".join(lines)
    # An album's caption is not cut by `limits.fit_call` (it sits inside `media`): it fits here.
    while not fits(text, CAPTION_LIMIT) and len(lines) > 3:
        lines.pop(-1)
        text = "\n".join(lines)
    return Html(text)


def brief_chart(t: Translator, payload: Mapping[str, object]) -> ChartData:
    """Completion of every unit in the brief, laggards first (the payload's order); a unit
    with no list yet (total 0) is a bar of 0 that says so."""
    bars = tuple(
        Bar(name, 100.0 * verified / total, f"{verified}/{total}")
        if total
        else Bar(name, 0.0, no_list(t))
        for name, total, verified, _ in _units(payload)
    )
    return ChartData(
        str(t.gettext("Ledger completion per unit")) + " · " + _day(t, payload, "last"),
        t.gettext("verified (%)"),
        t.gettext("As of {date}", date=_day(t, payload, "today")),
        bars,
    )


def brief_pictures(t: Translator, payload: Mapping[str, object]) -> tuple[bytes, ...]:
    """Every unit on some picture, laggards on top of the first; one picture per
    `charts.MAX_BARS` units, "(2/4)" in each title when there are several (CPU work: run it
    in a thread). The sender puts several in one album."""
    return bar_pictures(t, brief_chart(t, payload), percent=True)
