"""Keep the translation catalogs in step with the code (`python -m bot i18n`).

Extracts every `gettext`/`ngettext` message from `handlers/` and `bot/`, adds new ones to each
`.po` file (empty, to be translated), drops ones no longer used, and keeps every translation.
The tests run `check()`: a msgid missing from a catalog or untranslated in zh_CN fails them.
"""

from __future__ import annotations

import copy
import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handlers.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("handlers", "bot")
KEYWORDS = {"gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every message the code asks to translate."""
    template = Catalog(domain=DOMAIN)
    for source in SOURCES:
        for filename, lineno, message, comments, _context in extract_from_dir(
            ROOT / source,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            template.add(
                message, locations=[(f"{source}/{filename}", lineno)], auto_comments=comments
            )
    return template


def _path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(language: str) -> Catalog:
    path = _path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


@contextmanager
def _locked() -> Iterator[None]:
    """Serialise read-modify-write of the catalogs (several people may run this at once)."""
    LOCALES_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALES_DIR / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update(fill: dict[str, dict[str, str | list[str]]] | None = None) -> dict[str, int]:
    """Merge the code's messages into every catalog, filling in the given translations
    ({language: {msgid: text}}; a plural takes a list); returns untranslated counts."""
    with _locked():
        return _update(fill or {})


def load_fill(path: Path) -> dict[str, dict[str, str | list[str]]]:
    """Translations to fill in, from JSON: {"zh_CN": {"msgid": "译文", ...}, "en": {...}}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(f"{path}: expected {{language: {{msgid: text}}}}")
    return data


def _update(fill: dict[str, dict[str, str | list[str]]]) -> dict[str, int]:
    template = extract()
    missing: dict[str, int] = {}
    for language in LANGUAGES:
        catalog = _read(language)
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for msgid, text in fill.get(language, {}).items():
            message = catalog.get(msgid)
            if message is not None:
                message.string = tuple(text) if isinstance(text, list) else text
                message.flags.discard("fuzzy")
        path = _path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=False)
        missing[language] = sum(1 for m in catalog if m.id and not _translated(m.string))
    return missing


def _translated(string: object) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


@dataclass(frozen=True)
class Problem:
    language: str
    msgid: str
    why: str


def check(*, require: tuple[str, ...] = ("zh_CN",)) -> list[Problem]:
    """What is wrong with the catalogs against the code (empty when they are complete)."""
    template = extract()
    problems: list[Problem] = []
    for language in LANGUAGES:
        catalog = _read(language)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id)
            if found is None:
                problems.append(Problem(language, str(message.id), "missing from the catalog"))
            elif language in require and (not _translated(found.string) or found.fuzzy):
                problems.append(Problem(language, str(message.id), "not translated"))
        for message in catalog:
            if message.id and template.get(message.id) is None:
                problems.append(Problem(language, str(message.id), "no longer used by the code"))
    return problems
