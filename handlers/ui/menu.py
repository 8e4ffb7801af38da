"""Each person's own command menu (the list beside the text box): the commands their role and
duty marks allow, in the language they chose with /language, set for their private chat.

Telegram picks a menu by scope, most specific first: this chat's menu, then the menu for all
private chats (in the app's language, then the default). A member's menu is set for their chat
without a language code, so it wins over the app's language; a person who is no longer a
member has theirs deleted and sees the public menu again. It is set on registration, role or
unit change, a duty mark, deactivation and /language, and again on /start and /help, so a
change made from the command line reaches the menu at the person's next visit.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from domain.membership.roles import Role, commands_for, menu_for
from handlers.context import LANGUAGE_KEY, BotContext
from handlers.i18n import Catalogs, Translator
from handlers.ui.labels import command_description
from storage.db import Database
from storage.membership import people

log = logging.getLogger(__name__)


def commands(t: Translator, names: tuple[str, ...]) -> list[BotCommand]:
    """The menu entries for `names`, described in `t`'s language."""
    return [BotCommand(name, command_description(t, name)) for name in names]


@dataclass(frozen=True)
class Standing:
    """What decides a person's commands: role (None: not a member) and duty marks."""

    role: Role | None
    cadre: bool = False
    inspector: bool = False
    language: str | None = None  # a member's chosen language
    registered: bool = False  # a member of a unit (an admin may be one, or not)

    def commands(self) -> tuple[str, ...]:
        """Everything the person may use (what /help lists)."""
        return commands_for(
            self.role, cadre=self.cadre, inspector=self.inspector, registered=self.registered
        )

    def menu(self) -> tuple[str, ...]:
        return menu_for(
            self.role, cadre=self.cadre, inspector=self.inspector, registered=self.registered
        )


async def standing(db: Database, admins: Collection[int], telegram_user_id: int) -> Standing:
    """The person's standing, read from the database now (never from a button)."""
    found = await people.by_telegram_id(db, telegram_user_id)
    member = found if found is not None and found.member.active else None
    if telegram_user_id in admins:
        role: Role | None = Role.ADMIN
    else:
        role = member.role if member is not None else None
    if member is None:
        return Standing(role)
    return Standing(role, member.cadre, member.inspector, member.member.language, True)


async def refresh(
    bot: Bot,
    *,
    db: Database,
    catalogs: Catalogs,
    admins: Collection[int],
    telegram_user_id: int,
    language: str | None = None,
) -> tuple[str, ...] | None:
    """Set (or, for a person with no role, delete) the person's own menu; the commands set,
    or None when deleted. `language` is the session choice of someone who is not a member.
    A chat Telegram has not seen yet is refused: logged, and the next /start sets it."""
    now = await standing(db, admins, telegram_user_id)
    scope = BotCommandScopeChat(telegram_user_id)
    try:
        if now.role is None and language is None:
            await bot.delete_my_commands(scope=scope)
            return None
        names = now.menu()
        await bot.set_my_commands(
            commands(catalogs.get(now.language or language), names), scope=scope
        )
        return names
    except TelegramError as error:
        log.info("menu not set for one person yet: %s", error.message)
        return None


async def refresh_own(update: Update, context: BotContext) -> None:
    """Set the sender's own menu (in a private chat only: a group has the groups' menu)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return
    svc = context.services
    chosen = context.user_data.get(LANGUAGE_KEY) if context.user_data is not None else None
    await refresh(
        context.bot,
        db=svc.db,
        catalogs=svc.catalogs,
        admins=svc.settings.admins,
        telegram_user_id=user.id,
        language=chosen,
    )


async def refresh_other(context: BotContext, telegram_user_id: int) -> None:
    """Set another person's menu after a manager changed them."""
    svc = context.services
    await refresh(
        context.bot,
        db=svc.db,
        catalogs=svc.catalogs,
        admins=svc.settings.admins,
        telegram_user_id=telegram_user_id,
    )
