"""The campaign as handlers and rules see it: phases, fixed deadlines, problem categories.

Plain frozen data built from the config by `bot/`, so that handlers never import the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def _pick(language: str, zh: str, en: str | None) -> str:
    return en if language == "en" and en else zh


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    description: str
    items: tuple[str, ...] = ()
    name_en: str | None = None
    description_en: str | None = None
    items_en: tuple[str, ...] | None = None

    def name_for(self, language: str) -> str:
        return _pick(language, self.name, self.name_en)

    def description_for(self, language: str) -> str:
        return _pick(language, self.description, self.description_en)

    def items_for(self, language: str) -> tuple[str, ...]:
        return self.items_en if language == "en" and self.items_en else self.items


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    start: date
    end: date
    description: str | None = None
    name_en: str | None = None
    description_en: str | None = None

    def name_for(self, language: str) -> str:
        return _pick(language, self.name, self.name_en)

    def description_for(self, language: str) -> str | None:
        if language == "en" and self.description_en:
            return self.description_en
        return self.description


@dataclass(frozen=True)
class Deadline:
    key: str
    name: str
    due: date
    audience: str  # unit_heads | members | handlers | all
    name_en: str | None = None

    def name_for(self, language: str) -> str:
        return _pick(language, self.name, self.name_en)


@dataclass(frozen=True)
class Campaign:
    name: str
    phases: tuple[Phase, ...]
    deadlines: tuple[Deadline, ...]
    categories: tuple[Category, ...]
    name_en: str | None = None

    @property
    def start(self) -> date:
        return self.phases[0].start

    @property
    def end(self) -> date:
        return self.phases[-1].end

    def name_for(self, language: str) -> str:
        return _pick(language, self.name, self.name_en)

    def phase_on(self, day: date) -> Phase | None:
        return next((p for p in self.phases if p.start <= day <= p.end), None)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)
