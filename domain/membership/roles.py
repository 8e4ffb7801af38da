"""Who is who in the campaign, and which commands each role may use."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role inside their unit (admins come from the config, not from invites)."""

    MEMBER = "member"
    UNIT_HEAD = "unit_head"
    CASE_OFFICER = "handler"  # the stored value of the first release, kept
    ADMIN = "admin"
    MONITOR = "monitor"  # 评议员 / 行风监督员: rates units in evaluations (forms)


INVITABLE_ROLES: tuple[Role, ...] = (Role.MEMBER, Role.UNIT_HEAD, Role.CASE_OFFICER, Role.MONITOR)

# Commands anyone may use, registered or not: the hotline must stay open to the public.
PUBLIC_COMMANDS: tuple[str, ...] = ("start", "help", "cancel", "language", "complain", "status")

_MEMBER_COMMANDS: tuple[str, ...] = ("report", "mine", "forms")
_HEAD_COMMANDS: tuple[str, ...] = ("ledger", "overdue", "stats", "export", "forms")
_CASE_OFFICER_COMMANDS: tuple[str, ...] = (
    "inbox",
    "intake",
    "ledger",
    "overdue",
    "stats",
    "export",
    "round",
    "forms",
)
_CADRE_COMMANDS: tuple[str, ...] = ("checkin", "leave")
_INSPECTOR_COMMANDS: tuple[str, ...] = ("inspect",)
# People management: a unit head their unit's people, an admin everyone's.
_PEOPLE_COMMANDS: tuple[str, ...] = ("members", "invite")
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
    "checkin",
    "leave",
    "inspect",
    "inbox",
    "intake",
    "overdue",
    "stats",
    "export",
    "bindgroup",
    "publish",
    "published",
    "broadcast",
    "members",
    "invite",
    "round",
    "boarding",
    "cadre",
    "inspector",
)


# Not in the menu beside the text box: /start opens the chat, /cancel answers inside a step.
_NOT_IN_MENU: frozenset[str] = frozenset({"start", "cancel"})


def commands_for(
    role: Role | None,
    *,
    cadre: bool = False,
    inspector: bool = False,
    registered: bool | None = None,
) -> tuple[str, ...]:
    """The commands a person with `role` (None: not registered) may use, in menu order.
    The duty marks count as roles here: a cadre keeps the "124" duty, an inspector files
    findings (a mark without an active membership gives nothing). `registered`: whether the
    person is a member of a unit (by default every role but a configured admin is); only
    members file named reports."""
    member = registered if registered is not None else role not in (None, Role.ADMIN)
    allowed: set[str] = set(PUBLIC_COMMANDS)
    if member:
        allowed.update(_MEMBER_COMMANDS)
    if role is not None and cadre:
        allowed.update(_CADRE_COMMANDS)
    if role is not None and inspector:
        allowed.update(_INSPECTOR_COMMANDS)
    if role in (Role.UNIT_HEAD, Role.ADMIN):
        allowed.update(_HEAD_COMMANDS)
        allowed.update(_PEOPLE_COMMANDS)
    if role in (Role.CASE_OFFICER, Role.ADMIN):
        allowed.update(_CASE_OFFICER_COMMANDS)
    if role is Role.ADMIN:
        allowed.update(_ADMIN_COMMANDS)
    return tuple(c for c in ALL_COMMANDS if c in allowed)


def menu_for(
    role: Role | None,
    *,
    cadre: bool = False,
    inspector: bool = False,
    registered: bool | None = None,
) -> tuple[str, ...]:
    """The commands in the person's menu: what they may use, less /start and /cancel."""
    allowed = commands_for(role, cadre=cadre, inspector=inspector, registered=registered)
    return tuple(c for c in allowed if c not in _NOT_IN_MENU)
