"""The layout stays one home per feature: no folder of prefix-named files, no package so large
that its modules stop telling what it holds (issue 13's structure)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "domain", "simulator")
MAX_MODULES = 12  # per package, not counting __init__ / __main__
# Alembic's numbered revisions are a chain, not a feature.
EXEMPT = {ROOT / "storage" / "migrations" / "versions"}


def _packages() -> list[Path]:
    found = []
    for top in PACKAGES:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            if init.parent not in EXEMPT:
                found.append(init.parent)
    return found


def _modules(package: Path) -> list[str]:
    return sorted(
        path.stem for path in package.glob("*.py") if path.stem not in {"__init__", "__main__"}
    )


def test_no_three_modules_of_a_folder_share_a_prefix() -> None:
    crowded = []
    for package in _packages():
        prefixes = Counter(name.split("_", 1)[0] for name in _modules(package))
        crowded += [
            f"{package.relative_to(ROOT)}: {prefix}_* ×{count}"
            for prefix, count in prefixes.items()
            if count >= 3
        ]
    assert crowded == []


def test_no_package_is_too_large() -> None:
    large = [
        f"{package.relative_to(ROOT)}: {len(_modules(package))} modules"
        for package in _packages()
        if len(_modules(package)) > MAX_MODULES
    ]
    assert large == []


def test_the_checks_see_what_they_look_for() -> None:
    """The package walk finds the feature packages (an empty walk would pass everything)."""
    names = {str(package.relative_to(ROOT)) for package in _packages()}
    assert {"handlers/report", "storage/desk", "domain/ledger", "bot/config"} <= names
