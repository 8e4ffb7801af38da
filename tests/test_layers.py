"""Imports point one way: bot -> handlers -> storage, all may use domain, domain uses none;
storage never speaks Telegram; the simulator imports nothing of the bot; no module of ours is
in an import loop."""

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
    "forms",
)
# Shared by every feature (and importing none): chat UI, the typed context, i18n, what
# conversations share, the error handler.
SHARED = ("ui", "context", "i18n", "conversation", "errors", "features")
# Where one feature truly shows or uses another's view or action, through its public modules.
CROSS_FEATURE = {
    ("desk", "hotline"): "a complaint's staff card; telling its author",
    ("desk", "ledger"): "a dispatched item's deadline and actor",
    ("desk", "report"): "a report's text; telling its reporter",
    ("duties", "desk"): "a finding's staff card",
    ("hotline", "desk"): "a complaint's staff card",
    ("hotline", "membership"): "the ordinary answer to stray text after the restart notice",
    ("ledger", "desk"): "the ledger card's 'return to the desk' button",
    ("ledger", "stats"): "the signed problem list (PDF) sent after sign-off and on request",
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


# -- no import cycles -------------------------------------------------------------------------

OUR_PACKAGES = (*PACKAGES, "simulator")


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_statements(
    body: list[ast.stmt], *, deferred: bool
) -> list[ast.Import | ast.ImportFrom]:
    """The import statements at module level (in `if`, `try`, `with` and class bodies too) and,
    if `deferred`, those in functions; never those under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            found += _import_statements(node.orelse, deferred=deferred)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not deferred:
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, field, ()):
                if isinstance(child, (ast.excepthandler, ast.match_case)):
                    found += _import_statements(child.body, deferred=deferred)
                elif isinstance(child, ast.stmt):
                    found += _import_statements([child], deferred=deferred)
    return found


def _import_graph(files: dict[str, Path], *, at_import: bool) -> dict[str, set[str]]:
    """Module -> modules of ours, in one of two senses.

    `at_import`: what importing the module runs first, from its module-level imports. Importing
    `a.b.c` runs the packages `a` and `a.b` too, except the importer's own packages (already
    running when its body runs). A loop here is an ImportError for some import order.
    Otherwise: what the module uses, module-level imports and those deferred into functions (a
    deferred import hides a loop, it does not break it), the modules named only.
    In both, `from pkg import name` names `pkg.name` when that is a module, else `pkg`.
    """
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        own = set(_ancestors(module)) | ({module} if is_package else set())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        named: set[str] = set()
        for node in _import_statements(tree.body, deferred=not at_import):
            if isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
                continue
            base = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            source = ".".join(p for p in (base if node.level else "", node.module or "") if p)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                named.add(submodule if submodule in files else source)
        if at_import:
            named |= {a for name in named for a in _ancestors(name) if a not in own}
        graph[module] = {name for name in named if name in files and name != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:  # the shortest way round, back to `start`, inside the group
            node = queue.pop(0)
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    queue = []
                    cycles.append([*paths[node], start])
                    break
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
    return sorted(cycles)


def _our_modules() -> dict[str, Path]:
    return {_module_name(path): path for package in OUR_PACKAGES for path in _modules(package)}


def test_no_import_cycles() -> None:
    for at_import in (True, False):
        cycles = _cycles(_import_graph(_our_modules(), at_import=at_import))
        assert [" -> ".join(cycle) for cycle in cycles] == [], f"at_import={at_import}"


def test_the_cycle_check_sees_loops_at_import_and_deferred_ones(tmp_path: Path) -> None:
    sources = {
        "pkg/__init__.py": "from pkg import d\n",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def f() -> None:\n    from pkg.a import x\n",
        "pkg/c.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg.a import y\n",
        "other/__init__.py": "from pkg.c import z\n",
        "pkg/d.py": "import other\n",
    }
    files = {}
    for name, text in sources.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files[_module_name(path, tmp_path)] = path
    used = _import_graph(files, at_import=False)
    assert used["pkg.c"] == set() and used["other"] == {"pkg.c"}
    assert _cycles(used) == [["pkg.a", "pkg.b", "pkg.a"]]
    run = _import_graph(files, at_import=True)
    assert run["pkg.b"] == set() and run["other"] == {"pkg", "pkg.c"}
    assert _cycles(run) == [["other", "pkg", "pkg.d", "other"]]
