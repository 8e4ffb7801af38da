"""The closing record a staff member is putting together for a case (finding, handlings and
parties), kept in their own `user_data` until the close commits: a press by anyone else finds
no draft and changes nothing. Staff only; it never names a complainant."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.cases.accountability import Finding, Party
from handlers.context import BotContext
from storage.cases.accountability import ClosingRecord, Entry

DRAFTS_KEY = "closing:drafts"
MAX_DRAFTS = 10


def drafts(context: BotContext) -> dict[int, dict[str, Any]]:
    data = context.user_data if context.user_data is not None else {}
    found: dict[int, dict[str, Any]] = data.setdefault(DRAFTS_KEY, {})
    return found


def begin(context: BotContext, case_id: int, where: str) -> dict[str, Any]:
    all_drafts = drafts(context)
    all_drafts[case_id] = {"where": where, "finding": None, "handling": None, "entries": []}
    for stale in list(all_drafts)[:-MAX_DRAFTS]:
        all_drafts.pop(stale, None)
    return all_drafts[case_id]


def draft_of(context: BotContext, case_id: int) -> dict[str, Any] | None:
    return drafts(context).get(case_id)


def record_of(context: BotContext, case_id: int) -> ClosingRecord | None:
    """The record to close with, once a finding is chosen; None otherwise."""
    found = draft_of(context, case_id)
    if found is None or found.get("finding") is None:
        return None
    entries = tuple(
        Entry(key, Party(name, unit, date.fromisoformat(day)))
        for key, name, unit, day in found["entries"]
    )
    return ClosingRecord(Finding(found["finding"]), entries)


def drop(context: BotContext, case_id: int) -> None:
    drafts(context).pop(case_id, None)
