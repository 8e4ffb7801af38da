"""What closing a case records (staff only): the finding (属实 / 部分属实 / 不属实 / 无法核实),
the handling taken (a configurable list: 批评教育 … 移送纪检监察机关) and who was held
accountable — persons by name (members or not) and units — each with the day it was decided.
Also how a case came in when not through the chat (电话、信箱、来信、来访、12345 转办、审计).
Pure data and rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.ledger.deadlines import DeadlineProblem, parse_deadline

PARTY_NAME_MAX = 64
PARTIES_MAX = 20


class Finding(StrEnum):
    TRUE = "true"  # 属实
    PARTLY = "partly"  # 部分属实
    UNTRUE = "untrue"  # 不属实
    UNVERIFIABLE = "unverifiable"  # 无法核实


# Findings after which someone may be held accountable.
SUBSTANTIATED: frozenset[Finding] = frozenset({Finding.TRUE, Finding.PARTLY})


class Channel(StrEnum):
    """Where a case came from; CHAT is every case filed in the bot itself (no intake row)."""

    CHAT = "chat"
    PHONE = "phone"  # 举报专线
    MAILBOX = "mailbox"  # 举报信箱
    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访
    HOTLINE_12345 = "12345"  # 12345 转办
    AUDIT = "audit"  # 审计发现


INTAKE_CHANNELS: tuple[Channel, ...] = tuple(c for c in Channel if c is not Channel.CHAT)
CONTACT_NAME_MAX = 64  # case_intakes.contact_name
CONTACT_DETAILS_MAX = 200


class ReceivedProblem(StrEnum):
    UNREADABLE = "unreadable"
    NO_SUCH_DAY = "no_such_day"
    FUTURE = "future"


def read_received(text: str, today: date) -> date | ReceivedProblem:
    """The day an intake was received, typed as a deadline is (2027-04-02, 4月2日, 4/2): a day
    without a year is this year's; never after `today`."""
    parsed = parse_deadline(text, date(today.year, 1, 1))  # no year: this year, not the next
    if parsed is DeadlineProblem.NO_SUCH_DAY:
        return ReceivedProblem.NO_SUCH_DAY
    if not isinstance(parsed, date):
        return ReceivedProblem.UNREADABLE
    return ReceivedProblem.FUTURE if parsed > today else parsed


@dataclass(frozen=True)
class Handling:
    """One way of holding someone accountable, from the config."""

    key: str
    name: str
    name_en: str | None = None

    def name_for(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


DEFAULT_HANDLINGS: tuple[Handling, ...] = (
    Handling("criticism", "批评教育", "Criticism and education"),
    Handling("reminder_talk", "约谈提醒", "Reminder talk"),
    Handling("circular", "通报批评", "Circulated criticism"),
    Handling("admonition", "诫勉谈话", "Admonishment talk"),
    Handling("organisational", "组织处理", "Organisational measures"),
    Handling("disciplinary", "纪律处分", "Disciplinary sanction"),
    Handling("referral", "移送纪检监察机关", "Referred to the discipline inspection organs"),
)


@dataclass(frozen=True)
class Party:
    """One accountable party as typed: a person's name, or a unit's code (`#SCH001`)."""

    name: str | None
    unit_code: str | None
    decided_on: date


class PartyProblem(StrEnum):
    EMPTY = "empty"
    TOO_MANY = "too_many"
    NAME_TOO_LONG = "name_too_long"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"


_DATE_TAIL = re.compile(r"^(.*?)[\s,，、]+(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)$")


def parse_parties(text: str, today: date) -> list[Party] | tuple[PartyProblem, int]:
    """One party a line: `张三`, `#SCH001` (a unit), each optionally followed by the day it was
    decided (`张三 2027-04-02`; today otherwise). Problems come with their line (1-based)."""
    lines = [ln.strip() for ln in unicodedata.normalize("NFKC", text).splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        return PartyProblem.EMPTY, 0
    if len(lines) > PARTIES_MAX:
        return PartyProblem.TOO_MANY, PARTIES_MAX + 1
    found: list[Party] = []
    for number, line in enumerate(lines, start=1):
        day = today
        match = _DATE_TAIL.match(line)
        if match:
            parsed = parse_deadline(match.group(2), today)
            if isinstance(parsed, DeadlineProblem):
                return PartyProblem.BAD_DATE, number
            if parsed > today:
                return PartyProblem.FUTURE_DATE, number
            line, day = match.group(1).strip(), parsed
        if not line:
            return PartyProblem.EMPTY, number
        if line.startswith("#"):
            found.append(Party(None, line[1:].strip().upper(), day))
            continue
        if len(line) > PARTY_NAME_MAX:
            return PartyProblem.NAME_TOO_LONG, number
        found.append(Party(line, None, day))
    return found
