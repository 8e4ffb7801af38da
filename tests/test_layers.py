"""Imports point one way: bot -> handlers -> storage, all may use domain, domain uses none;
storage never speaks Telegram; the simulator imports nothing of the bot."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "domain")
# What each package may import from the project's own packages.
ALLOWED = {
    "domain": {"domain"},
    "storage": {"storage", "domain"},
    "handlers": {"handlers", "storage", "domain"},
    "bot": {"bot", "handlers", "storage", "domain"},
}
FORBIDDEN_THIRD_PARTY = {
    "domain": {"telegram", "sqlalchemy", "sqlmodel", "alembic", "aiosqlite", "asyncpg", "babel"},
    "storage": {"telegram"},
    "handlers": {"sqlalchemy", "sqlmodel", "aiosqlite", "asyncpg", "alembic"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_imports_point_inward() -> None:
    violations = []
    for package in PACKAGES:
        for path in _modules(package):
            for name in _imports(path):
                top = name.split(".")[0]
                if top in PACKAGES and top not in ALLOWED[package]:
                    violations.append(f"{path.relative_to(ROOT)} imports {name}")
                if top in FORBIDDEN_THIRD_PARTY.get(package, set()):
                    violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert violations == []


def test_simulator_imports_nothing_of_the_bot() -> None:
    violations = []
    for path in sorted((ROOT / "simulator").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            inside = name == "simulator" or name.startswith("simulator.")
            if (top in PACKAGES and not inside) or top == "telegram":
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert violations == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("from bot.app import build_application\nimport telegram\n", encoding="utf-8")
    assert _imports(bad) == ["bot.app", "telegram"]
