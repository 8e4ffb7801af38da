"""What every handler can reach: the services the composition root wires in, through a typed
callback context (`context.services`), and the person behind an update (`Viewer`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext, ExtBot

from domain.campaign import Campaign
from domain.cases.accountability import DEFAULT_HANDLINGS, Handling
from domain.cases.reports import EvidenceRules
from domain.clock import Clock
from domain.forms.definitions import FormCatalog
from domain.hotline.rules import HotlinePolicy
from domain.membership.roles import Role
from domain.membership.units import UnitKind
from domain.rating import RatingRules
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import Policy
from handlers.i18n import Catalogs, Translator
from storage.db import Database
from storage.membership import members, units
from storage.membership.members import MemberInUnit

SERVICES_KEY = "services"
LANGUAGE_KEY = "language"  # in user_data: the choice of a person who is not a member


@dataclass(frozen=True)
class Settings:
    """The slice of the configuration that handlers read."""

    campaign: Campaign
    admins: frozenset[int]
    staff_chat: int | None
    default_language: str
    timezone: ZoneInfo
    text_max_chars: int
    name_max_chars: int
    invite_ttl: timedelta
    invite_max_uses: int
    evidence: EvidenceRules
    occurred_max_chars: int
    hotline: HotlinePolicy
    reminders: Policy
    calendar: WorkCalendar
    unit_rating: RatingRules
    publication_channel: int | None = None  # [publication] channel
    private_notes: bool = False  # [desk] private_notes
    handlings: tuple[Handling, ...] = DEFAULT_HANDLINGS  # [accountability] handlings
    superiors: Mapping[str, int] = field(default_factory=dict)  # [accountability] superiors
    forms: FormCatalog = field(default_factory=FormCatalog)  # [[forms]]


class OutboxKick(Protocol):
    """Asks the reminder engine to send what the outbox holds now, in the background (a
    confirmed broadcast need not wait for the next sweep tick)."""

    def kick(self) -> None: ...


@dataclass(frozen=True)
class Services:
    db: Database
    clock: Clock
    settings: Settings
    catalogs: Catalogs
    outbox: OutboxKick | None = None
    files: OutboxKick | None = None  # copies new evidence into the bureau's store (bot.evidence)


def copy_evidence(services: Services) -> None:
    """After a commit that stored evidence: start copying it into the bureau's store now (the
    sweep copies whatever this misses)."""
    if services.files is not None:
        services.files.kick()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of this bot: adds `services`."""

    @property
    def services(self) -> Services:
        return cast(Services, self.application.bot_data[SERVICES_KEY])


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


@dataclass(frozen=True)
class Viewer:
    """The person behind an update, as the database and the config know them."""

    telegram_user_id: int
    membership: MemberInUnit | None
    is_admin: bool
    t: Translator
    # A district (学区) head's district and every school under it; empty for everyone else.
    oversees: frozenset[int] = frozenset()

    @property
    def role(self) -> Role | None:
        if self.is_admin:
            return Role.ADMIN
        return Role(self.membership.member.role) if self.membership else None


async def viewer(update: Update, context: BotContext) -> Viewer | None:
    """Look up who sent `update` (None for updates without a user, e.g. channel posts)."""
    user = update.effective_user
    if user is None:
        return None
    svc = context.services
    membership = await members.by_telegram_id(svc.db, user.id)
    chosen = membership.member.language if membership else None
    if chosen is None and context.user_data is not None:
        chosen = context.user_data.get(LANGUAGE_KEY)
    chat = update.effective_chat
    if chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        chosen = None  # a group hears the campaign's language, whatever one member chose
    oversees: frozenset[int] = frozenset()
    if (
        membership is not None
        and membership.member.role == Role.UNIT_HEAD.value
        and membership.unit.kind == UnitKind.DISTRICT.value
        and membership.unit.id is not None
    ):  # one more query, for district heads only
        oversees = await units.subtree_ids(svc.db, membership.unit.id)
    return Viewer(
        telegram_user_id=user.id,
        membership=membership,
        is_admin=user.id in svc.settings.admins,
        t=svc.catalogs.get(chosen),
        oversees=oversees,
    )
