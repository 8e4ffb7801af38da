"""Who is who in the campaign, and which commands each role may use."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role inside their unit (admins come from the config, not from invites)."""

    MEMBER = "member"
    UNIT_HEAD = "unit_head"
    HANDLER = "handler"
    ADMIN = "admin"
    MONITOR = "monitor"  # 评议员 / 行风监督员: rates units in evaluations (forms)


INVITABLE_ROLES: tuple[Role, ...] = (Role.MEMBER, Role.UNIT_HEAD, Role.HANDLER, Role.MONITOR)

# Commands anyone may use, registered or not: the hotline must stay open to the public.
PUBLIC_COMMANDS: tuple[str, ...] = ("start", "help", "cancel", "language", "complain", "status")

_MEMBER_COMMANDS: tuple[str, ...] = ("report", "mine", "forms")
_HEAD_COMMANDS: tuple[str, ...] = ("ledger", "overdue", "stats", "export")
_HANDLER_COMMANDS: tuple[str, ...] = ("inbox", "ledger", "overdue", "stats", "export", "round")
_ADMIN_COMMANDS: tuple[str, ...] = (
    "bindgroup",
    "publish",
    "published",
    "broadcast",
    "boarding",
    "cadre",
    "inspector",
)

ALL_COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "cancel",
    "language",
    "report",
    "complain",
    "status",
    "ledger",
    "mine",
    "forms",
    "inbox",
    "overdue",
    "stats",
    "export",
    "bindgroup",
    "publish",
    "published",
    "broadcast",
    "round",
    "boarding",
    "cadre",
    "inspector",
)


def commands_for(role: Role | None) -> tuple[str, ...]:
    """The commands a person with `role` (None: not registered) may use, in menu order."""
    allowed: set[str] = set(PUBLIC_COMMANDS)
    if role is not None:
        allowed.update(_MEMBER_COMMANDS)
    if role in (Role.UNIT_HEAD, Role.ADMIN):
        allowed.update(_HEAD_COMMANDS)
    if role in (Role.HANDLER, Role.ADMIN):
        allowed.update(_HANDLER_COMMANDS)
    if role is Role.ADMIN:
        allowed.update(_ADMIN_COMMANDS)
    return tuple(c for c in ALL_COMMANDS if c in allowed)
