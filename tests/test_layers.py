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


# -- features inside handlers/ ------------------------------------------------------------------

FEATURES = (
    "membership",
    "report",
    "hotline",
    "ledger",
    "desk",
    "duties",
    "publish",
    "stats",
    "reminders",
)
# Shared by every feature (and importing none): chat UI, the typed context, i18n, what
# conversations share, the error handler.
SHARED = ("ui", "context", "i18n", "conversation", "errors")
# Where one feature truly shows or uses another's view or action, through its public modules.
CROSS_FEATURE = {
    ("desk", "hotline"): "a complaint's staff card; telling its author",
    ("desk", "ledger"): "a dispatched item's deadline and actor",
    ("desk", "report"): "a report's text; telling its reporter",
    ("duties", "desk"): "a finding's staff card",
    ("hotline", "desk"): "a complaint's staff card",
    ("hotline", "membership"): "the ordinary answer to stray text after the restart notice",
    ("ledger", "desk"): "the ledger card's 'return to the desk' button",
    ("membership", "desk"): "a staff chat upgraded to a supergroup: its owed cards follow",
    ("publish", "stats"): "a unit's grade on the honour roll",
    ("reminders", "ledger"): "the button that opens a ledger item",
    ("report", "desk"): "a report's staff card",
    ("report", "ledger"): "/mine's ledger section",
    ("stats", "duties"): "the duty's statistics",
    ("stats", "ledger"): "ledger statuses and categories in charts and exports",
}


def _imports_with_names(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _handlers_part(module: str) -> str | None:
    """`report` for `handlers.report.views`; None outside handlers' packages."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "handlers" else None


def _feature_arrows(root: Path) -> list[tuple[str, str, str, list[str]]]:
    """(from feature or shared module, to feature, module, names) for every import of a feature
    by a module of another feature or of the shared ones."""
    arrows = []
    for path in sorted((root / "handlers").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if len(parts) < 2 or parts[1] not in (*FEATURES, *SHARED):
            continue
        for module, names in _imports_with_names(path):
            target = _handlers_part(module)
            if target in FEATURES and target != parts[1]:
                arrows.append((parts[1], target, module, names))
    return arrows


def test_features_import_each_other_only_along_the_allowed_arrows() -> None:
    assert set(FEATURES) | set(SHARED) >= {
        p.stem if p.is_file() else p.name
        for p in (ROOT / "handlers").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    unexpected = sorted(
        f"handlers.{a} -> {module}"
        for a, b, module, _ in _feature_arrows(ROOT)
        if (a, b) not in CROSS_FEATURE
    )
    assert unexpected == []


def test_no_feature_takes_another_features_private_names() -> None:
    private = sorted(
        f"handlers.{a} -> {module}.{name}"
        for a, _, module, names in _feature_arrows(ROOT)
        for name in names
        if name.startswith("_") or any(p.startswith("_") for p in module.split(".")[2:])
    )
    assert private == []


def test_the_feature_check_sees_a_stray_arrow(tmp_path: Path) -> None:
    feature = tmp_path / "handlers" / "stats"
    feature.mkdir(parents=True)
    (feature / "m.py").write_text(
        "from handlers.report.views import _preview\nfrom handlers.ui.text import shorten\n",
        encoding="utf-8",
    )
    assert _feature_arrows(tmp_path) == [("stats", "report", "handlers.report.views", ["_preview"])]
