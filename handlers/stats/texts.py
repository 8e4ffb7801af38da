"""The words and numbers of `/stats`: the text summary and the charts' labelled data, built from
the storage facts with the pure rules of `domain.stats`."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.stats import (
    NO_PHASE,
    Completion,
    Scope,
    UnitGrade,
    behind_first,
    case_clocks,
    completion,
    count_by,
    phase_of,
    rates,
    ratio,
    series_span,
    substantiated,
    weekly,
)
from handlers.context import Settings
from handlers.i18n import Html, Translator
from handlers.ledger.views import category_label
from handlers.stats.charts import Bar
from handlers.stats.rating import Board, explained, grade_label
from handlers.ui.labels import handling_label, status_label
from storage.stats.facts import Facts

MAX_LINES = 15  # units or categories listed in the text; the charts show more
EXPLAINED_UNITS = 5  # rated units shown with their reasons in the text, worst first


def pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _phase_label(t: Translator, settings: Settings, key: Hashable) -> str:
    for phase in settings.campaign.phases:
        if phase.key == key:
            return phase.name_for(t.language)
    return t.gettext("outside the phases") if key == NO_PHASE else str(key)


def _unit_label(facts: Facts, unit_id: Hashable, t: Translator) -> str:
    unit = facts.units.get(unit_id) if isinstance(unit_id, int) else None
    return unit.name if unit is not None else t.gettext("no unit")


def ratings(t: Translator, settings: Settings, board: Board, scope: Scope) -> list[str]:
    """The unit ratings of the board (at the end of the latest finished phase, as stored then,
    or as of today), worst first with the reasons of each; the slow units (those with overdue
    items) named; units with nothing due are not rated yet."""
    if not board.ratings:
        return []
    lines: list[str]
    if board.phase_key is None:
        lines = [t.gettext("<b>Unit ratings</b> as of {date}", date=t.date(board.day))]
    else:
        name = _phase_label(t, settings, board.phase_key)
        lines = [
            t.gettext(
                "<b>Unit ratings</b> at the end of {phase} ({date})",
                phase=name,
                date=t.date(board.day),
            )
        ]
    if not scope.per_unit:
        r = board.ratings[0]
        lines += explained(t, board.names.get(r.unit_id, "?"), r)
        return lines
    tally = count_by(board.ratings, lambda r: r.grade)
    grades: list[UnitGrade | None] = [*UnitGrade, None]
    lines.append(_counts([(grade_label(t, g), tally[g]) for g in grades if tally[g]]))
    slow = [r for r in board.ratings if r.slow]
    if slow:
        comma = t.gettext(", ")  # 、 in Chinese
        names = comma.join(board.names.get(r.unit_id, "?") for r in slow[:MAX_LINES])
        lines.append(t.gettext("Slow units (with overdue items): {names}", names=names))
    for r in [r for r in board.ratings if r.rated][:EXPLAINED_UNITS]:
        lines += explained(t, board.names.get(r.unit_id, "?"), r)
    return lines


def _counts(pairs: list[tuple[str, int]]) -> str:
    return " · ".join(f"{label} {n}" for label, n in pairs[:MAX_LINES])


def accountability_lines(t: Translator, settings: Settings, facts: Facts) -> list[str]:
    """属实率 over the closed cases with a finding, and 问责 by handling and by unit."""
    if not facts.findings:
        return []
    part, whole = substantiated(facts.findings)
    lines: list[str] = [
        t.gettext(
            "Substantiated: {part} of {whole} closed with a finding ({pct})",
            part=part,
            whole=whole,
            pct=pct(ratio(part, whole)),
        )
    ]
    if facts.accountable:
        by_kind = count_by(facts.accountable, lambda a: a.handling_key).most_common()
        by_unit = count_by(facts.accountable, lambda a: a.unit_id).most_common()
        kinds = _counts([(handling_label(t, settings.handlings, str(k)), n) for k, n in by_kind])
        held = _counts([(_unit_label(facts, k, t), n) for k, n in by_unit])
        lines.append(t.gettext("Held accountable, by handling: {counts}", counts=kinds))
        lines.append(t.gettext("Held accountable, by unit: {counts}", counts=held))
    return lines


def summary(
    t: Translator,
    settings: Settings,
    facts: Facts,
    scope: Scope,
    today: date,
    extra: Sequence[str] = (),  # more sections, e.g. the "124" duty's (handlers/checkin_stats)
    board: Board | None = None,  # the unit ratings (handlers/stats/rating.py)
) -> Html:
    """The text that `/stats` answers with (well under Telegram's 4096 characters)."""
    campaign = settings.campaign
    cases = facts.cases
    lines: list[str]
    if scope.all_units:
        lines = [t.gettext("<b>Statistics</b> · all units · {date}", date=t.date(today))]
    else:
        unit = _unit_label(facts, scope.unit_id, t)
        lines = [t.gettext("<b>Statistics</b> · {unit} · {date}", unit=unit, date=t.date(today))]
    lines.append("")
    lines.append(t.ngettext("<b>Cases</b>: {n}", "<b>Cases</b>: {n}", len(cases)))
    if cases:
        by_status = count_by(cases, lambda c: c.status).most_common()
        by_category = count_by(cases, lambda c: c.category_key).most_common()
        by_phase = count_by(cases, lambda c: phase_of(campaign, c.opened_on)).most_common()
        status_text = _counts([(status_label(t, str(k)), n) for k, n in by_status])
        category_text = _counts([(category_label(t, campaign, str(k)), n) for k, n in by_category])
        phase_text = _counts([(_phase_label(t, settings, k), n) for k, n in by_phase])
        lines.append(t.gettext("By status: {counts}", counts=status_text))
        lines.append(t.gettext("By category: {counts}", counts=category_text))
        lines.append(t.gettext("By phase: {counts}", counts=phase_text))
        if scope.per_unit:
            by_unit = count_by(cases, lambda c: c.unit_id).most_common()
            unit_text = _counts([(_unit_label(facts, k, t), n) for k, n in by_unit])
            lines.append(t.gettext("By unit: {counts}", counts=unit_text))
        ack, answer = case_clocks(
            cases, settings.reminders.case_clocks, today=today, cal=settings.calendar
        )
        lines.append(
            t.gettext(
                "Acknowledged in time: {met} of {due} ({pct})",
                met=ack.met,
                due=ack.due,
                pct=pct(ack.share),
            )
        )
        lines.append(
            t.gettext(
                "Answered in time: {met} of {due} ({pct})",
                met=answer.met,
                due=answer.due,
                pct=pct(answer.share),
            )
        )
        r = rates(cases)
        lines.append(
            t.gettext(
                "Response rate {response} · resolution rate {resolution}",
                response=pct(r.response),
                resolution=pct(r.resolution),
            )
        )
        if r.rated:
            lines.append(
                t.ngettext(
                    "Satisfaction rate {pct} ({n} rating)",
                    "Satisfaction rate {pct} ({n} ratings)",
                    r.rated,
                    pct=pct(r.satisfaction),
                )
            )
        else:
            lines.append(t.gettext("Satisfaction rate: no ratings yet"))
        if r.rehandled:
            lines.append(
                t.ngettext(
                    "Re-handled (重办): {n} case", "Re-handled (重办): {n} cases", r.rehandled
                )
            )
    if scope.all_units:  # staff records: the bureau's view only
        lines += accountability_lines(t, settings, facts)
    lines += [
        "",
        t.ngettext("<b>Ledger</b>: {n} item", "<b>Ledger</b>: {n} items", len(facts.items)),
    ]
    per_unit = units_behind_first(settings, facts, today)
    if facts.items:
        verified = sum(c.verified for c in per_unit)
        lines.append(
            t.gettext(
                "Verified {verified} of {total} ({pct}): {on_time} on time, {late} late",
                verified=verified,
                total=len(facts.items),
                pct=pct(verified / len(facts.items)),
                on_time=sum(c.on_time for c in per_unit),
                late=sum(c.late for c in per_unit),
            )
        )
    unlisted = sum(not c.listed for c in per_unit)
    if unlisted and scope.per_unit:
        lines.append(t.ngettext("{n} unit has no list yet", "{n} units have no list yet", unlisted))
    if scope.per_unit or not facts.items:
        for c in per_unit[:MAX_LINES]:
            lines.append(_unit_line(t, facts, c))
    rated = ratings(t, settings, board, scope) if board is not None else []
    if rated:
        lines.append("")
        lines.extend(rated)
    lines.extend(extra)
    lines.append("")
    lines.append(t.gettext("Pick a chart:"))
    return Html("\n".join(lines))


def units_behind_first(settings: Settings, facts: Facts, today: date) -> list[Completion]:
    """Each unit's completion as of `today`, every unit that must file a list included, the
    units behind first (the text's lines and the chart's bars)."""
    return behind_first(
        completion(facts.items, settings.timezone, as_of=today, expected=facts.listing_units)
    )


def no_list(t: Translator) -> str:
    """What a unit that must file a problem list and has none yet shows instead of "0/0"."""
    return t.gettext("no list yet")


def no_list_line(t: Translator, unit: str) -> Html:
    """A unit's line in a text when it has no list yet."""
    return t.gettext("{unit}: no list yet", unit=unit)


def _unit_line(t: Translator, facts: Facts, c: Completion) -> str:
    unit = _unit_label(facts, c.unit_id, t)
    if not c.listed:
        return no_list_line(t, unit)
    return t.gettext(
        "{unit}: {verified}/{total} ({pct}), {late} late",
        unit=unit,
        verified=c.verified,
        total=c.total,
        pct=pct(c.share),
        late=c.late,
    )


@dataclass(frozen=True)
class ChartData:
    title: str
    axis: str
    as_of: str  # "截至 2027年4月22日": every chart says the day it shows
    bars: tuple[Bar, ...] = ()
    labels: tuple[str, ...] = ()
    series: tuple[tuple[str, tuple[int, ...]], ...] = ()


def as_of_label(t: Translator, today: date) -> str:
    return t.gettext("As of {date}", date=t.date(today))


def completion_data(t: Translator, settings: Settings, facts: Facts, today: date) -> ChartData:
    """Every unit's ledger completion, worst first: the most overdue items (as a share), then
    the units with no list yet (a bar of 0 saying so), then the least verified; no unit that
    must file a list is left out (the chart is cut into pictures instead)."""
    per_unit = units_behind_first(settings, facts, today)
    bars = tuple(
        Bar(
            _unit_label(facts, c.unit_id, t),
            100 * (c.share or 0.0),
            no_list(t)
            if not c.listed
            else t.gettext(
                "{verified}/{total}, {overdue} overdue",
                verified=c.verified,
                total=c.total,
                overdue=c.overdue,
            )
            if c.overdue
            else f"{c.verified}/{c.total}",
        )
        for c in per_unit
    )
    return ChartData(
        t.gettext("Ledger completion per unit"),
        t.gettext("verified (%)"),
        as_of_label(t, today),
        bars,
    )


def category_data(t: Translator, settings: Settings, facts: Facts, today: date) -> ChartData:
    counts = count_by(facts.cases, lambda c: c.category_key).most_common()
    bars = tuple(Bar(category_label(t, settings.campaign, str(k)), n, str(n)) for k, n in counts)
    return ChartData(
        t.gettext("Cases per category"), t.gettext("cases"), as_of_label(t, today), bars
    )


def weekly_data(t: Translator, facts: Facts, today: date) -> ChartData:
    first, last = series_span(facts.cases, today)
    weeks = weekly(facts.cases, first=first, last=last)
    return ChartData(
        t.gettext("Cases received and closed per week"),
        t.gettext("cases"),
        as_of_label(t, today),
        labels=tuple(w.start.strftime("%m-%d") for w in weeks),
        series=(
            (t.gettext("received"), tuple(w.opened for w in weeks)),
            (t.gettext("closed"), tuple(w.closed for w in weeks)),
        ),
    )
