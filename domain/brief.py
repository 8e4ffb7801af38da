"""The weekly brief to the staff chat (一周简报): when it is due and what it counts.

It is due once per ISO week, from the configured weekday and time (Monday 08:30 by default,
campaign time) to the end of that day, so a bot restarted later that day still sends it (a
brief days late would tell of a stale week); its outbox slot is the week ("2027-W15"), which
makes it one message per week however often the sweep runs or the bot restarts. Once written
it waits out quiet hours in the outbox like every reminder. Its trend tells of the seven days
before the week began (against the seven before those); the progress per unit and the overdue
counts are as of the day it is sent.

The figures are counts per unit and per week only: no reporter, complainant or case text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.campaign import Campaign
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import OPEN_CASE_STATUSES, STAFF, Due, Rule
from domain.reminders.timing import CaseClock
from domain.stats import CaseFact, ItemFact, clocks_met, completion

SUBJECT = "all"


@dataclass(frozen=True)
class BriefPolicy:
    enabled: bool = True
    weekday: int = 0  # Monday = 0
    at: time = time(8, 30)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def brief_week(now: datetime, policy: BriefPolicy) -> tuple[str, datetime, date] | None:
    """(slot, when it became due, the Monday of the week told of) while this week's brief is
    due, else None."""
    if not policy.enabled:
        return None
    local = now.astimezone(policy.timezone)
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=policy.weekday)
    when = datetime.combine(day, policy.at, tzinfo=policy.timezone)
    if local.date() != day or local < when:
        return None
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", when, monday - timedelta(days=7)


def _in(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


@dataclass(frozen=True)
class UnitProgress:
    name: str
    total: int
    verified: int
    overdue: int  # not verified, past the deadline that counts

    @property
    def share(self) -> float:
        return self.verified / self.total if self.total else 1.0

    @property
    def listed(self) -> bool:
        """Whether the unit has filed a list at all (total 0: none yet)."""
        return self.total > 0


def laggards_first(rows: Iterable[UnitProgress]) -> list[UnitProgress]:
    """Units with overdue items first (most first), then those with no list yet, then by the
    share verified, lowest first (as `domain.stats.behind_first`)."""
    return sorted(rows, key=lambda r: (-r.overdue, r.listed, r.share, r.name))


def brief_due(
    *,
    now: datetime,
    policy: BriefPolicy,
    campaign: Campaign,
    cases: Iterable[CaseFact],
    items: Iterable[ItemFact],
    units: Mapping[int, str],
    expected: Iterable[int] = (),
    clocks: Mapping[str, CaseClock],
    cal: WorkCalendar,
) -> list[Due]:
    """This week's brief to the staff chat, with its figures, or nothing. Every unit of
    `expected` (those that must file a problem list) is in the progress, with a list or not."""
    week = brief_week(now, policy)
    if week is None:
        return []
    slot, when, first = week
    last = first + timedelta(days=6)
    before = first - timedelta(days=7)
    tz = policy.timezone
    today = now.astimezone(tz).date()
    cases, items = list(cases), list(items)
    progress = laggards_first(
        UnitProgress(units.get(c.unit_id, str(c.unit_id)), c.total, c.verified, c.overdue)
        for c in completion(items, tz, as_of=today, expected=expected)
    )

    def verified_in(a: date, b: date) -> int:
        return sum(
            1 for i in items if i.verified_at and _in(i.verified_at.astimezone(tz).date(), a, b)
        )

    late_cases = sum(
        1
        for c in cases
        if c.status in OPEN_CASE_STATUSES
        and clocks_met(c, clocks, today=today, cal=cal)[1] is False
    )
    payload: dict[str, object] = {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "today": today.isoformat(),
        "campaign": campaign.name,
        "units": [[p.name, p.total, p.verified, p.overdue] for p in progress],
        "new_cases": sum(1 for c in cases if _in(c.opened_on, first, last)),
        "new_before": sum(1 for c in cases if _in(c.opened_on, before, first - timedelta(days=1))),
        "closed_cases": sum(1 for c in cases if _in(c.closed_on, first, last)),
        "overdue_cases": late_cases,
        "verified": verified_in(first, last),
        "verified_before": verified_in(before, first - timedelta(days=1)),
        "overdue_items": sum(p.overdue for p in progress),
    }
    return [Due(Rule.WEEKLY_BRIEF, SUBJECT, STAFF, slot, when, None, payload)]
