"""The pickers several conversations ask with: a category (the campaign's, or an inspection
target) and a unit (searched by name or code). Each conversation keeps its own words around
them; the buttons, their data and the check of the pressed value are made here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from domain.campaign import Campaign
from domain.duties.inspections import CATEGORIES as INSPECTION_CATEGORIES
from handlers.i18n import Translator
from handlers.ui.callbacks import Route, pressed
from handlers.ui.keyboards import rows_of
from handlers.ui.labels import category_label, inspection_category
from handlers.ui.text import shorten
from storage.cases import reports
from storage.db import Database
from storage.membership import units
from storage.models import Unit


class UnitLike(Protocol):
    """What a unit button shows: a stored unit or a search's match."""

    @property
    def id(self) -> int | None: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


def campaign_categories(campaign: Campaign, language: str) -> list[tuple[str, str]]:
    """(key, button label) of the campaign's categories, in the campaign's order."""
    return [(c.key, category_label(c, language)) for c in campaign.categories]


def inspection_categories(t: Translator) -> list[tuple[str, str]]:
    """(key, button label) of the inspection targets."""
    return [(key, inspection_category(t, key) or key) for key, _ in INSPECTION_CATEGORIES]


def category_keyboard(
    route: Route, choices: Iterable[tuple[str, str]], *, per_row: int = 2, action: str = "cat"
) -> InlineKeyboardMarkup:
    """One button per (key, label), its data `<route>:v1:<action>:<key>`."""
    return rows_of([route.button(label, action, key) for key, label in choices], per_row)


@dataclass(frozen=True)
class UnitPicker:
    """A unit step's buttons `<route>:v1:<action>:<unit id>` and the unit a press chose."""

    route: Route
    action: str = "unit"

    def button(self, unit: UnitLike, *, with_code: bool = True) -> InlineKeyboardButton:
        label = f"{unit.name} ({unit.code})" if with_code else unit.name
        return self.route.button(shorten(label), self.action, unit.id)

    def keyboard(
        self,
        found: Sequence[UnitLike],
        *,
        with_code: bool = True,
        last: Sequence[InlineKeyboardButton] = (),
    ) -> InlineKeyboardMarkup:
        """One unit to a row, then `last` (if any) as a row of its own."""
        rows = [[self.button(u, with_code=with_code)] for u in found]
        return InlineKeyboardMarkup([*rows, list(last)] if last else rows)

    async def offer(self, message: Message, t: Translator, db: Database, text: str) -> None:
        """Reply with the units whose name or code contains `text`, or that none does."""
        matches = await reports.search_units(db, text)
        if not matches:
            await message.reply_text(
                t.gettext(
                    "No unit matches “{text}”. Try another part of the name, or the unit's code.",
                    text=text,
                )
            )
            return
        await message.reply_text(
            t.gettext("Units matching “{text}”: press one, or type again to search.", text=text),
            reply_markup=self.keyboard(matches),
        )

    async def chosen(self, update: Update, db: Database) -> Unit | None:
        """The pressed unit, if the data names one (strictly read) that still exists."""
        press = pressed(update)
        unit_id = press.number() if press is not None else None
        return await units.by_id(db, unit_id) if unit_id is not None else None
