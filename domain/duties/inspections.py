"""Unannounced inspections (明察暗访): the seed's list of inspection targets as quick choices,
finding numbers, and reading the time an inspector saw something. Pure rules, no I/O.

A finding is a case of kind "finding": the staff desk accepts and dispatches it like a report,
and the dispatch puts it on the unit's ledger with a deadline (storage/desk/dispatch.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

KIND = "finding"
NUMBER_PREFIX = "F"
ROUND_NAME_MAX_CHARS = 64

# Stored as the case's category key (≤ 32 characters); the Chinese label also opens the
# description, so views that know only the campaign's categories still say what it was.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("insp_stocks_gaming", "上班炒股、玩游戏"),
    ("insp_absence", "脱岗、缺勤"),
    ("insp_illegal_fees", "违规收费"),
    ("insp_illegal_classes", "违规办班补课"),
    ("insp_admission_bribes", "招生收受好处"),
    ("insp_other", "其他"),
)
CATEGORY_KEYS: frozenset[str] = frozenset(k for k, _ in CATEGORIES)


def chinese_label(key: str) -> str:
    return dict(CATEGORIES).get(key, key)


def finding_number(year: int, sequence: int) -> str:
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:04d}"


def number_prefix(year: int) -> str:
    return f"{NUMBER_PREFIX}-{year:04d}-"


def observed_at(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """`HH:MM` today (local), not in the future; None when unreadable."""
    bits = text.strip().replace("：", ":").split(":")
    if len(bits) != 2:
        return None
    try:
        clock = time(int(bits[0]), int(bits[1]))
    except ValueError:
        return None
    day: date = now.astimezone(tz).date()
    when = datetime.combine(day, clock, tzinfo=tz)
    return when if when <= now else None


def described(key: str, description: str) -> str:
    return f"【{chinese_label(key)}】{description}"
