"""The command menu Telegram shows beside the text box, in Chinese and English."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from domain.roles import Role, commands_for
from handlers.i18n import Catalogs, Translator
from handlers.labels import command_description

GROUP_COMMANDS: tuple[str, ...] = ("help", "report", "complain", "bindgroup")
# Telegram matches a menu to the user's app language by its two-letter code.
MENU_LANGUAGES: dict[str, str] = {"zh": "zh_CN", "en": "en"}


def _menu(t: Translator, commands: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(c, command_description(t, c)) for c in commands]


async def publish(bot: Bot, catalogs: Catalogs) -> None:
    """Set the private-chat and group menus, default language first, then per language."""
    private = commands_for(Role.MEMBER)
    for code, language in [(None, catalogs.default_language), *MENU_LANGUAGES.items()]:
        t = catalogs.get(language)
        await bot.set_my_commands(
            _menu(t, private), scope=BotCommandScopeAllPrivateChats(), language_code=code
        )
        await bot.set_my_commands(
            _menu(t, GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats(), language_code=code
        )
