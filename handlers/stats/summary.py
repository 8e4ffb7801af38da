"""The year-end summary pack (总结): a first draft the office edits, for one unit or for the
bureau, as a Word document (docx, python-docx): the campaign's figures and charts — problems
by source and category, rectified and verified on time, cases by channel and outcome,
accountability, "124" compliance, ratings by phase, the honour roll and exposure items — and
an empty section for what the office writes itself.

The figures come from the same facts and rules as `/stats` (`storage.stats.facts`,
`domain.stats`) and the charts from `handlers.stats.charts`; the words are the file
language's. Counts and titles only: no reporter, complainant or complaint text. Building the
document draws charts (CPU work): callers run `summary_docx` in a thread."""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.campaign import Phase
from domain.duties.checkin import DutyPolicy, compliance, duty_days_between
from domain.rating import UnitRating
from domain.stats import (
    Scope,
    count_by,
    rates,
    substantiated,
    verified_on_time,
)
from handlers.context import Settings
from handlers.i18n import Translator
from handlers.ledger.views import category_label
from handlers.stats import charts
from handlers.stats.rating import grade_label, phase_ratings
from handlers.stats.show import bar_pictures
from handlers.stats.texts import as_of_label, completion_data, pct, weekly_data
from handlers.ui.labels import channel_label, finding_label, handling_label
from storage.db import Database
from storage.duties import checkins
from storage.stats import facts as store
from storage.stats.facts import Facts
from storage.stats.summary import SELF_INSPECTION, SummaryFacts, summary_facts


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Summary:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    figures: dict[str, int] = field(default_factory=dict)  # the key counts, for checking


def _counts_table(t: Translator, pairs: Sequence[tuple[str, int]], what: str) -> Table:
    return Table((what, str(t.gettext("Count"))), tuple((k, str(n)) for k, n in pairs))


def _source_label(t: Translator, kind: str) -> str:
    labels = {
        "report": t.gettext("Report"),
        "complaint": t.gettext("Complaint"),
        "finding": t.gettext("Inspection finding"),
        SELF_INSPECTION: t.gettext("self-inspection"),
    }
    return str(labels.get(kind, kind))


def _ledger(t: Translator, settings: Settings, facts: Facts, extra: SummaryFacts) -> Section:
    tz = settings.timezone
    items = facts.items
    verified = [i for i in items if verified_on_time(i, tz) is not None]
    on_time = sum(1 for i in verified if verified_on_time(i, tz))
    rectified = sum(1 for i in items if i.status in ("rectified", "verified"))
    lines = (
        str(t.gettext("Problems on the lists: {n}", n=len(items))),
        str(t.gettext("Rectified (reported done): {n}", n=rectified)),
        str(
            t.gettext(
                "Verified (销号): {n} ({pct}), of which on time: {on_time}",
                n=len(verified),
                pct=pct(len(verified) / len(items) if items else None),
                on_time=on_time,
            )
        ),
    )
    sources = _counts_table(
        t,
        [(_source_label(t, k), n) for k, n in extra.item_sources.most_common()],
        str(t.gettext("Source")),
    )
    by_category = count_by(items, lambda i: i.category_key).most_common()
    categories = _counts_table(
        t,
        [(category_label(t, settings.campaign, str(k)), n) for k, n in by_category],
        str(t.gettext("Category")),
    )
    return Section(str(t.gettext("Problems and their rectification")), lines, (sources, categories))


def _cases(t: Translator, settings: Settings, facts: Facts, extra: SummaryFacts) -> Section:
    r = rates(facts.cases)
    lines = [
        str(t.gettext("Cases received: {n}", n=r.total)),
        str(
            t.gettext(
                "Answered {pct_a}, closed {pct_c}, satisfied {pct_s} of those rated",
                pct_a=pct(r.response),
                pct_c=pct(r.resolution),
                pct_s=pct(r.satisfaction),
            )
        ),
    ]
    tables = [
        _counts_table(
            t,
            [(str(channel_label(t, k)), n) for k, n in extra.channels.most_common()],
            str(t.gettext("Channel")),
        )
    ]
    if facts.findings:
        part, whole = substantiated(facts.findings)
        lines.append(
            str(
                t.gettext(
                    "Substantiated: {part} of {whole} closed with a finding ({pct})",
                    part=part,
                    whole=whole,
                    pct=pct(part / whole if whole else None),
                )
            )
        )
        outcomes = Counter(facts.findings).most_common()
        tables.append(
            _counts_table(
                t, [(str(finding_label(t, k)), n) for k, n in outcomes], str(t.gettext("Outcome"))
            )
        )
    return Section(str(t.gettext("Cases")), tuple(lines), tuple(tables))


def _accountability(t: Translator, settings: Settings, facts: Facts) -> Section:
    by_kind = count_by(facts.accountable, lambda a: a.handling_key).most_common()
    lines = (str(t.gettext("Held accountable: {n}", n=len(facts.accountable))),)
    table = _counts_table(
        t,
        [(str(handling_label(t, settings.handlings, str(k))), n) for k, n in by_kind],
        str(t.gettext("Handling")),
    )
    return Section(str(t.gettext("Accountability")), lines, (table,))


def _ratings(t: Translator, phases: Sequence[tuple[Phase, Sequence[UnitRating]]]) -> Section:
    rows: list[tuple[str, ...]] = []
    for phase, rated in phases:
        tally = Counter(r.grade for r in rated if r.grade is not None)
        counts = " · ".join(f"{grade_label(t, g)} {n}" for g, n in tally.most_common())
        rows.append((phase.name_for(t.language), counts or "—"))
    header = (str(t.gettext("Phase")), str(t.gettext("Ratings")))
    lines = () if rows else (str(t.gettext("No phase has ended yet.")),)
    return Section(str(t.gettext("Ratings by phase")), lines, (Table(header, tuple(rows)),))


def _published(t: Translator, extra: SummaryFacts) -> Section:
    rows = tuple(
        (
            str(t.gettext("Honour roll") if p.kind == "honour" else t.gettext("Exposure")),
            p.title,
            p.unit_name or "",
        )
        for p in extra.published
    )
    header = (str(t.gettext("Kind")), str(t.gettext("Title")), str(t.gettext("Unit")))
    return Section(str(t.gettext("Honour roll and exposure")), (), (Table(header, rows),))


@dataclass(frozen=True)
class DutyTotals:
    nights: int
    present: int
    excused: int
    missing: int
    per_unit: tuple[tuple[str, int, int, int], ...]  # unit name, present, excused, missing


def _duty(t: Translator, duty: DutyTotals) -> Section:
    if duty.present + duty.missing == 0:
        return Section(
            str(t.gettext("“124” check-in")), (str(t.gettext("No duty nights recorded.")),)
        )
    share = duty.present / (duty.present + duty.missing)
    lines = (
        str(
            t.gettext(
                "{n} duty nights: {pct} at school, {present} nights, {missing} missing, "
                "{excused} on leave",
                n=duty.nights,
                pct=pct(share),
                present=duty.present,
                missing=duty.missing,
                excused=duty.excused,
            )
        ),
    )
    header = (
        str(t.gettext("Unit")),
        str(t.gettext("At school")),
        str(t.gettext("On leave")),
        str(t.gettext("Missing")),
    )
    rows = tuple((name, str(p), str(e), str(m)) for name, p, e, m in duty.per_unit)
    return Section(str(t.gettext("“124” check-in")), lines, (Table(header, rows),))


def build_summary(
    t: Translator,
    settings: Settings,
    facts: Facts,
    extra: SummaryFacts,
    duty: DutyTotals,
    phases: Sequence[tuple[Phase, Sequence[UnitRating]]],
    *,
    unit_name: str | None,
    scope: Scope,
    today: date,
) -> Summary:
    """The summary's sections and charts (draws the charts: CPU work)."""
    ledger = _ledger(t, settings, facts, extra)
    completion_chart = completion_data(t, settings, facts, today)
    weekly = weekly_data(t, facts, today)
    charts_ledger = (
        bar_pictures(t, completion_chart, percent=True)
        if scope.per_unit and completion_chart.bars
        else ()
    )
    charts_cases = (
        (
            charts.line_chart(
                weekly.title,
                weekly.labels,
                weekly.series,
                axis_label=weekly.axis,
                as_of=as_of_label(t, today),
            ),
        )
        if facts.cases
        else ()
    )
    cases = _cases(t, settings, facts, extra)
    sections = (
        Section(ledger.heading, ledger.lines, ledger.tables, charts_ledger),
        Section(cases.heading, cases.lines, cases.tables, charts_cases),
        _accountability(t, settings, facts),
        _duty(t, duty),
        _ratings(t, phases),
        _published(t, extra),
        Section(
            str(t.gettext("Problems found and next steps")),
            (str(t.gettext("(To be written by the office.)")),),
        ),
    )
    verified = sum(1 for i in facts.items if verified_on_time(i, settings.timezone) is not None)
    figures = {
        "items": len(facts.items),
        "verified": verified,
        "cases": len(facts.cases),
        "accountable": len(facts.accountable),
        "published": len(extra.published),
    }
    title = settings.campaign.name_for(t.language) + str(t.gettext(" — work summary (draft)"))
    whom = unit_name if unit_name is not None else str(t.gettext("The bureau (all units)"))
    subtitle = whom + str(t.gettext(", as of ")) + t.date(today)
    return Summary(title, subtitle, sections, figures)


def summary_docx(summary: Summary) -> bytes:
    """The summary as an editable Word document."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    doc.add_heading(summary.title, level=0)
    doc.add_paragraph(summary.subtitle)
    for number, section in enumerate(summary.sections, start=1):
        doc.add_heading(f"{number}. {section.heading}", level=1)
        for line in section.lines:
            doc.add_paragraph(line)
        for table in section.tables:
            grid = doc.add_table(rows=1, cols=len(table.header))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
                cell.text = text
            for row in table.rows:
                cells = grid.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            doc.add_paragraph()
        for png in section.charts:
            doc.add_picture(io.BytesIO(png), width=Cm(15))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def duty_totals(
    db: Database, policy: DutyPolicy, settings: Settings, *, scope: Scope, today: date
) -> DutyTotals:
    """The "124" duty over the campaign up to yesterday, per boarding unit in scope."""
    first = settings.campaign.start
    last = min(settings.campaign.end, today - timedelta(days=1))
    if last < first:
        return DutyTotals(0, 0, 0, 0, ())
    facts = await checkins.duty_facts(db, first, last, tz=policy.timezone)
    days = duty_days_between(first, last, policy, settings.calendar)
    wanted = scope.unit_ids or ({scope.unit_id} if scope.unit_id is not None else None)
    rows = [c for c in compliance(facts, days) if wanted is None or c.unit_id in wanted]
    per_unit = tuple(
        (facts.units[c.unit_id].name, c.present, c.excused, c.missing)
        for c in sorted(rows, key=lambda c: facts.units[c.unit_id].code)
    )
    return DutyTotals(
        len(days),
        sum(c.present for c in rows),
        sum(c.excused for c in rows),
        sum(c.missing for c in rows),
        per_unit,
    )


async def make_summary(
    db: Database,
    settings: Settings,
    policy: DutyPolicy,
    t: Translator,
    *,
    scope: Scope,
    unit_name: str | None,
    today: date,
) -> Summary:
    """Read everything the summary needs for `scope` (the bureau when it covers all units)."""
    within = scope.unit_ids or ({scope.unit_id} if scope.unit_id is not None else None)
    facts = await store.facts(db, unit_id=scope.unit_id, unit_ids=scope.unit_ids)
    extra = await summary_facts(db, unit_ids=within)
    duty = await duty_totals(db, policy, settings, scope=scope, today=today)
    phases = await phase_ratings(db, settings, policy, today=today, unit_ids=within)
    return await asyncio.to_thread(
        build_summary,
        t,
        settings,
        facts,
        extra,
        duty,
        phases,
        unit_name=unit_name,
        scope=scope,
        today=today,
    )
