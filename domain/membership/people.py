"""Who may manage whom: admins everyone, a unit head the people of their unit and of the
units under it (a district head's schools). Pure rules; callback data naming a person or a
unit is checked against them on every press."""

from __future__ import annotations

from dataclasses import dataclass

from domain.membership.roles import Role


@dataclass(frozen=True)
class Manager:
    """The person managing: a configured admin, or a member with role and managed units."""

    is_admin: bool
    member_id: int | None
    role: Role | None
    units: frozenset[int]  # the unit heads' own unit and its subtree; empty for others

    @property
    def manages_people(self) -> bool:
        return self.is_admin or (self.role is Role.UNIT_HEAD and bool(self.units))


def may_manage(manager: Manager, unit_id: int) -> bool:
    """Whether the manager may list and change the people of `unit_id`."""
    return manager.is_admin or (manager.role is Role.UNIT_HEAD and unit_id in manager.units)


def assignable_roles(manager: Manager) -> tuple[Role, ...]:
    """The roles a manager may give: a unit head cannot make case officers (bureau staff)."""
    if manager.is_admin:
        return (Role.MEMBER, Role.UNIT_HEAD, Role.CASE_OFFICER)
    if manager.manages_people:
        return (Role.MEMBER, Role.UNIT_HEAD)
    return ()


def may_set_role(manager: Manager, unit_id: int, current: Role, target: Role) -> bool:
    """A role change of a person in `unit_id` (from `current`) to `target`."""
    allowed = assignable_roles(manager)
    return may_manage(manager, unit_id) and current in allowed and target in allowed


def may_move(manager: Manager, from_unit: int, to_unit: int) -> bool:
    """Moving a person: both units must be the manager's."""
    return may_manage(manager, from_unit) and may_manage(manager, to_unit)


# Roles as offices write them in a members CSV (Chinese or English).
ROLE_NAMES: dict[str, Role] = {
    "member": Role.MEMBER,
    "unit_head": Role.UNIT_HEAD,
    "head": Role.UNIT_HEAD,
    "handler": Role.CASE_OFFICER,
    "成员": Role.MEMBER,
    "教职工": Role.MEMBER,
    "单位负责人": Role.UNIT_HEAD,
    "负责人": Role.UNIT_HEAD,
    "承办人": Role.CASE_OFFICER,
    "承办人员": Role.CASE_OFFICER,
}
NAME_MAX = 64
STAFF_NUMBER_MAX = 32


@dataclass(frozen=True)
class MemberRow:
    """One person to invite: the unit is a code, checked against storage by the caller."""

    name: str
    unit_code: str
    role: Role
    staff_number: str | None


class MemberRowError(ValueError):
    """`column: reason`, in English for the operator's console."""


def parse_member_row(fields: dict[str, str | None]) -> MemberRow:
    """Validate one row given as column -> text; raise MemberRowError naming the column."""
    name = " ".join((fields.get("name") or "").split())
    unit = (fields.get("unit") or "").strip()
    role_text = (fields.get("role") or "").strip().lower() or Role.MEMBER.value
    staff = (fields.get("staff_number") or "").strip() or None
    if not name:
        raise MemberRowError("name: missing")
    if len(name) > NAME_MAX:
        raise MemberRowError(f"name: longer than {NAME_MAX} characters")
    if not unit:
        raise MemberRowError("unit: missing")
    role = ROLE_NAMES.get(role_text)
    if role is None:
        raise MemberRowError(f"role: {role_text!r} is not one of {', '.join(ROLE_NAMES)}")
    if staff is not None and len(staff) > STAFF_NUMBER_MAX:
        raise MemberRowError(f"staff_number: longer than {STAFF_NUMBER_MAX} characters")
    return MemberRow(name=name, unit_code=unit, role=role, staff_number=staff)
