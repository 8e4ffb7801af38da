"""The "124" duty's lines in `/stats`: check-in compliance over the last four weeks' duty
nights, for all boarding schools (worst first) or the viewer's own unit."""

from __future__ import annotations

from datetime import date, timedelta

from domain.duties.checkin import compliance, duty_days_between
from handlers.context import BotContext
from handlers.duties.common import policy_of
from handlers.i18n import Translator
from storage.duties import checkins

WEEKS = 4
UNITS_SHOWN = 8


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


async def compliance_lines(
    context: BotContext, t: Translator, *, unit_id: int | None, today: date
) -> list[str]:
    """Empty when no boarding school has cadres in scope."""
    svc, policy = context.services, policy_of(context)
    first, last = today - timedelta(days=7 * WEEKS), today - timedelta(days=1)
    facts = await checkins.duty_facts(svc.db, first, last, tz=policy.timezone)
    days = duty_days_between(first, last, policy, svc.settings.calendar)
    rows = [c for c in compliance(facts, days) if unit_id is None or c.unit_id == unit_id]
    if not rows:
        return []
    present = sum(c.present for c in rows)
    missing = sum(c.missing for c in rows)
    excused = sum(c.excused for c in rows)
    lines = [
        "",
        t.gettext(
            "<b>“124” check-in</b> ({n} duty nights in 4 weeks): {pct} at school, "
            "{present} nights, {missing} missing, {excused} on leave",
            n=len(days),
            pct=_pct(present / (present + missing) if present + missing else None),
            present=present,
            missing=missing,
            excused=excused,
        ),
    ]
    if unit_id is None:
        ranked = sorted(rows, key=lambda c: (c.share if c.share is not None else 1.0, c.unit_id))
        for c in ranked[:UNITS_SHOWN]:
            unit = facts.units[c.unit_id]
            lines.append(
                t.gettext(
                    "{unit}: {pct} ({missing} missing)",
                    unit=unit.name,
                    pct=_pct(c.share),
                    missing=c.missing,
                )
            )
    return lines
