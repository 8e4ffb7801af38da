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
    """The roles a manager may give: a unit head cannot make case handlers (bureau staff)."""
    if manager.is_admin:
        return (Role.MEMBER, Role.UNIT_HEAD, Role.HANDLER)
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


def needs_warning(manager: Manager, target_member_id: int, *, last_head: bool) -> bool:
    """A deactivation that deserves a second look: oneself, or a unit's last head."""
    return manager.member_id == target_member_id or last_head
