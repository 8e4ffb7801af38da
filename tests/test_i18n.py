"""Every user-visible string goes through the catalogs, and zh_CN translates all of them."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli import catalogs
from handlers.i18n import Catalogs, Html

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A literal looks user-visible when it has a CJK character or two words.
VISIBLE = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+\s+[A-Za-z]+")
TRANSLATING = {"gettext", "ngettext"}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical"}
# Deliberate literals, each with its reason.
EXEMPT = {
    ("handlers/i18n.py", "yyyy年M月d日 HH:mm"),  # a date pattern, not text
    ("handlers/i18n.py", "MMM d, yyyy, HH:mm"),  # a date pattern, not text
    ("handlers/ui/labels.py", "简体中文"),  # a language's name in itself, the same for every reader
    ("handlers/errors.py", " (caused by "),  # goes to the operator's log, never to a user
    ("handlers/stats/summary.py", "Table Grid"),  # python-docx's name of a table style
    (
        "handlers/ui/edits.py",
        "message is not modified",
    ),  # Telegram's error text, matched, never shown
}


def _untranslated_literals(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        # docstrings
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                allowed.add(id(body[0].value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in TRANSLATING and node.args:
                allowed.update(id(a) for a in node.args[:2])
            if node.func.attr in LOGGING or node.func.attr in {"startswith", "removeprefix"}:
                allowed.update(id(a) for a in ast.walk(node) if isinstance(a, ast.Constant))
        # handlers/ui/deliver.py's `what=` (or a name `what` bound for it): a log label
        labels: list[ast.expr] = []
        if isinstance(node, ast.Call):
            labels += [k.value for k in node.keywords if k.arg == "what"]
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.lower() == "what":
                labels.append(node.value)
        for label in labels:
            allowed.update(id(a) for a in ast.walk(label) if isinstance(a, ast.Constant))
        if isinstance(node, ast.Raise) and node.exc is not None:  # exceptions are for developers
            allowed.update(id(a) for a in ast.walk(node.exc) if isinstance(a, ast.Constant))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in allowed
            and VISIBLE.search(node.value)
        ):
            found.append((node.lineno, node.value))
    return found


def test_handlers_have_no_user_visible_literals() -> None:
    offenders = []
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        for line, text in _untranslated_literals(path.read_text(encoding="utf-8")):
            name = str(path.relative_to(ROOT))
            if (name, text) not in EXEMPT:
                offenders.append(f"{name}:{line}: {text!r}")
    assert offenders == []


def test_the_literal_check_catches_a_bare_reply() -> None:
    source = (
        'async def f(m, t):\n    await m.reply_text("Hello there")\n    t.gettext("Fine text")\n'
    )
    assert _untranslated_literals(source) == [(2, "Hello there")]


def test_catalogs_cover_the_code_and_zh_cn_translates_everything() -> None:
    assert catalogs.check() == []


def test_translator_escapes_values_and_formats_dates() -> None:
    cats = Catalogs(default_language="zh_CN", timezone=SHANGHAI)
    zh, en = cats.get("zh_CN"), cats.get("en")
    assert zh.date(date(2027, 4, 5)) == "2027年4月5日"
    assert en.date(date(2027, 4, 5)) == "April 5, 2027"
    assert zh.datetime(datetime(2027, 4, 5, 1, 30, tzinfo=UTC)) == "2027年4月5日 09:30"
    text = zh.gettext("There is no unit with code {code}.", code="<b>x</b>")
    assert text == "没有代码为 &lt;b&gt;x&lt;/b&gt; 的单位。"
    assert en.gettext("There is no unit with code {code}.", code=Html("<b>x</b>")).endswith(
        "<b>x</b>."
    )


def test_unknown_or_missing_language_falls_back_to_the_default() -> None:
    cats = Catalogs(default_language="zh_CN", timezone=SHANGHAI)
    assert cats.get(None).language == "zh_CN"
    assert cats.get("fr").language == "zh_CN"
    assert cats.get("en").gettext("Nothing to cancel.") == "Nothing to cancel."
