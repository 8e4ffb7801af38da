"""The command menu Telegram shows beside the text box, in Chinese and English."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from domain.membership.roles import Role, commands_for
from handlers.i18n import Catalogs, Translator
from handlers.ui.labels import command_description

log = logging.getLogger(__name__)
GROUP_COMMANDS: tuple[str, ...] = ("help", "report", "complain", "bindgroup")
# Telegram matches a menu to the user's app language by its two-letter code.
MENU_LANGUAGES: dict[str, str] = {"zh": "zh_CN", "en": "en"}


def _menu(t: Translator, commands: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(c, command_description(t, c)) for c in commands]


async def publish(bot: Bot, catalogs: Catalogs, admins: Iterable[int] = ()) -> None:
    """Set the private-chat and group menus, default language first, then per language;
    then each admin's own private-chat menu."""
    private = commands_for(Role.MEMBER)
    for code, language in [(None, catalogs.default_language), *MENU_LANGUAGES.items()]:
        t = catalogs.get(language)
        await bot.set_my_commands(
            _menu(t, private), scope=BotCommandScopeAllPrivateChats(), language_code=code
        )
        await bot.set_my_commands(
            _menu(t, GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats(), language_code=code
        )
    await _admin_menus(bot, catalogs, admins)


async def _admin_menus(bot: Bot, catalogs: Catalogs, admins: Iterable[int]) -> None:
    """Admins (from the config) see their commands (/publish, /broadcast …) in their private
    chat. Telegram refuses a chat it has not seen: an admin who has not started the bot yet
    gets the menu at the next start (their commands work anyway)."""
    for admin in sorted(admins):
        for code, language in [(None, catalogs.default_language), *MENU_LANGUAGES.items()]:
            commands = _menu(catalogs.get(language), commands_for(Role.ADMIN))
            try:
                await bot.set_my_commands(
                    commands, scope=BotCommandScopeChat(admin), language_code=code
                )
            except TelegramError as error:
                log.info("no admin menu for one admin yet: %s", error.message)
                break  # the next admin may have started the bot
