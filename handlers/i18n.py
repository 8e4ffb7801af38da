"""Translations: gettext catalogs (zh_CN first, en second), compiled in memory at start-up.

The `.po` files under `handlers/locales/` are the only source; nothing needs a build step.
A `Translator` is chosen per update (never a global current locale). Values interpolated into
a message are HTML-escaped unless they are `Html` (already safe, e.g. another translated text),
because every message is sent with parse_mode HTML.
"""

from __future__ import annotations

import functools
import gettext
import html
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


class Html(str):
    """Text that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> str:
    """Escape a value for Telegram's HTML parse mode (Html passes through)."""
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)


def _compile(language: str) -> gettext.NullTranslations:
    """The language's catalog, compiled from its .po once per process while the file stays the
    same (compiling takes ~0.12 s of CPU; the CLI, the demo and the tests build several bots)."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    found = path.stat()
    return _compiled(language, path, found.st_mtime_ns, found.st_size)


@functools.cache
def _compiled(language: str, path: Path, _mtime_ns: int, _size: int) -> gettext.NullTranslations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    """One language's texts and formats."""

    language: str
    _catalog: gettext.NullTranslations
    timezone: ZoneInfo

    def gettext(self, message: str, **values: object) -> Html:
        """The translated message with `values` escaped and filled in."""
        text = self._catalog.gettext(message)
        return Html(text.format(**{k: escape(v) for k, v in values.items()}) if values else text)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> Html:
        """The translated singular or plural form, filled in like `gettext` (with `n`)."""
        text = self._catalog.ngettext(singular, plural, n)
        return Html(text.format(n=n, **{k: escape(v) for k, v in values.items()}))

    def date(self, day: date) -> str:
        """A date as people write it: 2027年4月5日 / April 5, 2027."""
        return format_date(day, format="long", locale=self.language)

    def datetime(self, instant: datetime) -> str:
        """An instant in the campaign's time zone, to the minute."""
        pattern = "yyyy年M月d日 HH:mm" if self.language.startswith("zh") else "MMM d, yyyy, HH:mm"
        return format_datetime(instant, pattern, tzinfo=self.timezone, locale=self.language)


class Catalogs:
    """All translators, loaded once."""

    def __init__(self, *, default_language: str = DEFAULT_LANGUAGE, timezone: ZoneInfo) -> None:
        if default_language not in LANGUAGES:
            raise ValueError(f"unknown language {default_language!r}")
        self.default_language = default_language
        self._translators = {
            language: Translator(language, _compile(language), timezone) for language in LANGUAGES
        }

    def get(self, language: str | None) -> Translator:
        """The translator for `language`, or the campaign's default for None or an unknown one."""
        return self._translators.get(language or "", self._translators[self.default_language])

    def all(self) -> tuple[Translator, ...]:
        return tuple(self._translators[language] for language in LANGUAGES)
