"""What a unit row must look like (from a CSV import or an admin), as pure checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
NAME_MAX = 128


class UnitKind(StrEnum):
    BUREAU = "bureau"  # 局机关
    SECTION = "section"  # 股室
    DISTRICT = "district"  # 学区
    SCHOOL = "school"  # 学校
    CULTURE = "culture"  # 文体下属单位
    OTHER = "other"


# Kinds as offices write them (Chinese or English); anything else is refused with the list.
KIND_NAMES: dict[str, UnitKind] = {
    **{k.value: k for k in UnitKind},
    "局机关": UnitKind.BUREAU,
    "机关": UnitKind.BUREAU,
    "教育局": UnitKind.BUREAU,
    "股室": UnitKind.SECTION,
    "科室": UnitKind.SECTION,
    "学区": UnitKind.DISTRICT,
    "学校": UnitKind.SCHOOL,
    "中学": UnitKind.SCHOOL,
    "小学": UnitKind.SCHOOL,
    "幼儿园": UnitKind.SCHOOL,
    "文体单位": UnitKind.CULTURE,
    "文体下属单位": UnitKind.CULTURE,
    "下属单位": UnitKind.CULTURE,
    "其他": UnitKind.OTHER,
}


def files_problem_list(kind: str) -> bool:
    """Whether a unit of this kind keeps a ledger and files a signed problem list: every unit
    but the bureau itself (局机关, the tree's top; its sections, 股室, file their own). The
    sign-off reminders and the completion views ask this same question, so that a unit a
    head is reminded about is the unit a leader sees without a list."""
    return kind != UnitKind.BUREAU


@dataclass(frozen=True)
class UnitRow:
    """A validated unit to create or update; `parent_code` is resolved by storage."""

    code: str
    name: str
    kind: UnitKind
    parent_code: str | None


class UnitRowError(ValueError):
    """A row that cannot be imported; str() says why, in English for the operator's console."""


def parse_unit_row(fields: dict[str, str | None]) -> UnitRow:
    """Validate one row given as column -> text; raise UnitRowError with the reason."""
    code = (fields.get("code") or "").strip()
    name = " ".join((fields.get("name") or "").split())
    parent = (fields.get("parent") or "").strip() or None
    kind_text = (fields.get("kind") or "").strip().lower() or UnitKind.SCHOOL.value
    if not code:
        raise UnitRowError("code: missing")
    if not UNIT_CODE.match(code):
        raise UnitRowError(
            f"code: {code!r} is not 1-32 characters of letters, digits, '_', '.', '-'"
        )
    if not name:
        raise UnitRowError("name: missing")
    if len(name) > NAME_MAX:
        raise UnitRowError(f"name: longer than {NAME_MAX} characters")
    kind = KIND_NAMES.get(kind_text)
    if kind is None:
        allowed = ", ".join(KIND_NAMES)
        raise UnitRowError(f"kind: {kind_text!r} is not one of {allowed}")
    if parent is not None and parent == code:
        raise UnitRowError("parent: a unit cannot be its own parent")
    return UnitRow(code=code, name=name, kind=kind, parent_code=parent)


def subtree(parents: Mapping[int, int | None], root: int) -> frozenset[int]:
    """`root` and every unit under it, given each unit's parent (a district's schools)."""
    children: dict[int, list[int]] = {}
    for unit, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:  # a cycle in stored data must not loop forever
                found.add(child)
                todo.append(child)
    return frozenset(found)


def district_of(parents: Mapping[int, int | None], districts: frozenset[int]) -> dict[int, int]:
    """Each unit's nearest district (学区) above it, for the units that lie in one (a district
    itself reports to the bureau: it is not in its own district)."""
    found: dict[int, int] = {}
    for unit in parents:
        seen, parent = {unit}, parents.get(unit)
        while parent is not None and parent not in seen:  # a cycle in stored data must end
            if parent in districts:
                found[unit] = parent
                break
            seen.add(parent)
            parent = parents.get(parent)
    return found
