"""The words and the picture of the weekly brief (一周简报) to the staff chat, from the figures
`domain.brief` put in its outbox row: progress per unit, laggards first, new and overdue
cases, and the week's trend against the week before. Unit names and counts only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from handlers.i18n import Html, Translator
from handlers.stats import charts
from handlers.stats.charts import Bar

UNITS_LISTED = 8  # in the text; the picture shows more
CAPTION_CHARS = 1024  # Telegram's limit for a photo's caption


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
    """The brief's caption (within Telegram's 1024 characters)."""
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
            lines.append(
                t.gettext(
                    "{unit}: {verified}/{total} verified, {overdue} overdue",
                    unit=name,
                    verified=verified,
                    total=total,
                    overdue=overdue,
                )
            )
        if len(rows) > UNITS_LISTED:
            lines.append(t.gettext("… and {n} more in the picture", n=len(rows) - UNITS_LISTED))
    text = "\n".join(lines)
    while len(text) > CAPTION_CHARS and len(lines) > 3:
        lines.pop(-1)
        text = "\n".join(lines)
    return Html(text)


def brief_picture(t: Translator, payload: Mapping[str, object]) -> bytes:
    """Completion per unit, laggards on top (CPU work: run it in a thread)."""
    rows = _units(payload)
    bars: Sequence[Bar] = [
        Bar(name, 100.0 * verified / total if total else 100.0, f"{verified}/{total}")
        for name, total, verified, _ in rows
    ]
    title = str(t.gettext("Ledger completion per unit")) + " · " + _day(t, payload, "last")
    shown = charts.pages(bars)[0] if bars else ()
    if len(shown) < len(bars):  # one picture: the units furthest behind, and how many in all
        title += " · " + t.gettext(
            "the {n} furthest behind of {total}", n=len(shown), total=len(bars)
        )
    as_of = t.gettext("As of {date}", date=_day(t, payload, "today"))
    return charts.bar_chart(
        title, shown, axis_label=str(t.gettext("verified (%)")), percent=True, as_of=as_of
    )
