"""Admins' announcements (通知): to every bound unit group, or to every active member of a
role (optionally only in units of one kind). Delivered as reminder outbox rows with their own
rule, so the one flood-aware sender paces them with everything else; the key
(rule, "broadcast:<id>", recipient, "once") makes a double confirmation send once."""

from __future__ import annotations

from enum import StrEnum

from domain.membership.roles import INVITABLE_ROLES, Role
from domain.reminders.due import Rule

RULE: str = Rule.BROADCAST.value
SLOT = "once"
TEXT_MIN_CHARS = 5
TEXT_MAX_CHARS = 3500  # the delivered message adds a one-line header (4096 in all)


class Audience(StrEnum):
    GROUPS = "groups"  # every bound unit group
    ROLE = "role"  # every active member with a role


class State(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


ROLES: tuple[Role, ...] = INVITABLE_ROLES


def subject(broadcast_id: int) -> str:
    return f"{RULE}:{broadcast_id}"


def broadcast_of(subject_text: str) -> int | None:
    """The broadcast id of an outbox subject (None for other subjects)."""
    kind, _, value = subject_text.partition(":")
    return int(value) if kind == RULE and value.isdigit() else None


def may_broadcast(role: Role | None) -> bool:
    return role is Role.ADMIN


def text_fits(text: str) -> bool:
    return TEXT_MIN_CHARS <= len(text) <= TEXT_MAX_CHARS
