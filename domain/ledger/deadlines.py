"""Deadlines (整改时限) of ledger items: reading a typed date in the usual forms, the quick
choices ("end of this phase", "in 30 days"), and whether a day is acceptable.

A deadline is a local calendar day; `today` is the campaign's local day (see `local_today`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.campaign import Campaign

QUICK_DAYS = 30


class DeadlineProblem(StrEnum):
    UNREADABLE = "unreadable"  # not a date in any form we know
    NO_SUCH_DAY = "no_such_day"  # 2027-02-30
    IN_PAST = "in_past"
    BEFORE_CAMPAIGN = "before_campaign"
    AFTER_CAMPAIGN = "after_campaign"


_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SHORT = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The campaign's calendar day at the instant `now`."""
    return now.astimezone(tz).date()


def parse_deadline(text: str, today: date) -> date | DeadlineProblem:
    """A date from "2027-05-01", "2027/5/1", "2027年5月1日", "5月1日", "5/1", "5-1", "5.1",
    also in full-width digits. Without a year: this year, or next year if the day has passed."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    year: int | None
    match = _FULL.match(cleaned) or _COMPACT.match(cleaned)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        short = _SHORT.match(cleaned)
        if not short:
            return DeadlineProblem.UNREADABLE
        year = None
        month, day = (int(g) for g in short.groups())
    if year is not None:
        return _make(year, month, day)
    made = _make(today.year, month, day)
    if isinstance(made, date) and made < today:
        later = _make(today.year + 1, month, day)
        return later if isinstance(later, date) else made
    if made is DeadlineProblem.NO_SUCH_DAY and (month, day) == (2, 29):
        return _make(today.year + 1, month, day)  # next leap day, checked below anyway
    return made


def _make(year: int, month: int, day: int) -> date | DeadlineProblem:
    try:
        return date(year, month, day)
    except ValueError:
        return DeadlineProblem.NO_SUCH_DAY


def check_deadline(day: date, today: date, campaign: Campaign) -> DeadlineProblem | None:
    """None when `day` is a valid deadline: not in the past and inside the campaign."""
    if day < today:
        return DeadlineProblem.IN_PAST
    if day < campaign.start:
        return DeadlineProblem.BEFORE_CAMPAIGN
    if day > campaign.end:
        return DeadlineProblem.AFTER_CAMPAIGN
    return None


def read_deadline(text: str, today: date, campaign: Campaign) -> date | DeadlineProblem:
    """A typed deadline, parsed and checked."""
    parsed = parse_deadline(text, today)
    if isinstance(parsed, DeadlineProblem):
        return parsed
    return check_deadline(parsed, today, campaign) or parsed


def end_of_phase(today: date, campaign: Campaign) -> date | None:
    """The last day of the phase under way, or of the next one; None after the campaign."""
    for phase in campaign.phases:
        if phase.end >= today:
            return phase.end
    return None


def in_days(today: date, campaign: Campaign, days: int = QUICK_DAYS) -> date | None:
    """`days` from today, when that is a valid deadline; None otherwise."""
    target = today + timedelta(days=days)
    return target if check_deadline(target, today, campaign) is None else None


def quick_choices(today: date, campaign: Campaign) -> tuple[date | None, date | None]:
    """(end of this phase, in 30 days), each None when it would not be a valid deadline."""
    phase_end = end_of_phase(today, campaign)
    if phase_end is not None and check_deadline(phase_end, today, campaign) is not None:
        phase_end = None
    return phase_end, in_days(today, campaign)
