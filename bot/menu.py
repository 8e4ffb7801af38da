"""The command menus Telegram shows beside the text box: the public's (everyone who is not a
member, in Chinese and English by the app's language), the groups', and each admin's own at
start-up (members get theirs from `handlers.membership.menu` when they register or change)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from domain.membership.roles import menu_for
from handlers.i18n import Catalogs
from handlers.ui.menu import commands, refresh
from storage.db import Database

log = logging.getLogger(__name__)
GROUP_COMMANDS: tuple[str, ...] = ("help", "report", "complain", "bindgroup")
# Telegram matches a menu to the user's app language by its two-letter code.
MENU_LANGUAGES: dict[str, str] = {"zh": "zh_CN", "en": "en"}


async def publish(bot: Bot, catalogs: Catalogs, db: Database, admins: Iterable[int] = ()) -> None:
    """Set the public private-chat menu and the group menu, default language first, then per
    app language; then each admin's own private-chat menu."""
    public = menu_for(None)
    for code, language in [(None, catalogs.default_language), *MENU_LANGUAGES.items()]:
        t = catalogs.get(language)
        await bot.set_my_commands(
            commands(t, public), scope=BotCommandScopeAllPrivateChats(), language_code=code
        )
        await bot.set_my_commands(
            commands(t, GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats(), language_code=code
        )
    await _admin_menus(bot, catalogs, db, admins)


async def _admin_menus(bot: Bot, catalogs: Catalogs, db: Database, admins: Iterable[int]) -> None:
    """Admins (from the config) see every command in their private chat, in their language.
    Earlier versions set an admin's menu per app language, which would win over the chosen
    one: those are removed. Telegram refuses a chat it has not seen: an admin who has not
    started the bot yet gets the menu at their first /start (their commands work anyway)."""
    wanted = sorted(set(admins))
    for admin in wanted:
        try:
            for code in MENU_LANGUAGES:
                await bot.delete_my_commands(scope=BotCommandScopeChat(admin), language_code=code)
        except TelegramError as error:
            log.info("no admin menu for one admin yet: %s", error.message)
            continue
        await refresh(bot, db=db, catalogs=catalogs, admins=wanted, telegram_user_id=admin)
