"""The command menu Telegram shows: per language, with admins' extras in their own chats."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from aiogram.utils.i18n import I18n

from bot.domain.users import SUPPORTED_LOCALES
from bot.i18n import N_

USER_COMMANDS = (
    ("start", N_("Main menu")),
    ("status", N_("Where my family stands")),
    ("mydata", N_("What the bot keeps about me")),
    ("forget", N_("Erase my data")),
    ("help", N_("Help")),
    ("language", N_("Change language")),
    ("cancel", N_("Stop what you are doing")),
    ("stop", N_("No more reminders or announcements")),
    ("resume", N_("Reminders and announcements again")),
)
ADMIN_COMMANDS = (
    ("stats", N_("The commune in numbers")),
    ("targets", N_("Targets for the year")),
    ("deadlines", N_("Deadlines of the year")),
    ("reminders", N_("Reminders sent by the bot")),
    ("chart", N_("Chart of the commune")),
    ("export", N_("Excel list of households")),
    ("recognize", N_("Recognise proposed households")),
    ("hamlets", N_("Hamlets of the commune")),
    ("import", N_("Import a household roster")),
    ("broadcast", N_("Send a message to families or heads")),
    ("audit", N_("Latest actions of the staff")),
    ("whois", N_("Who holds which role")),
    ("heads", N_("Hamlet heads of the commune")),
    ("areas", N_("Administrative areas loaded")),
)


def _commands(i18n: I18n, locale: str, entries: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(text, locale=locale))
        for name, text in entries
    ]


async def register_commands(bot: Bot, i18n: I18n, admin_ids: Iterable[int]) -> None:
    """setMyCommands for every language and scope; the default list speaks DEFAULT_LOCALE.
    `admin_ids`: super admins and commune officers, who also get the admin commands."""
    await _set_in_every_language(bot, i18n, USER_COMMANDS, BotCommandScopeAllPrivateChats())
    for admin_id in sorted(set(admin_ids)):
        await give_admin_commands(bot, i18n, admin_id)


async def give_admin_commands(bot: Bot, i18n: I18n, chat_id: int) -> None:
    """The admin commands in this person's own chat (a new officer gets them at once)."""
    await _set_in_every_language(
        bot, i18n, USER_COMMANDS + ADMIN_COMMANDS, BotCommandScopeChat(chat_id=chat_id)
    )


async def _set_in_every_language(
    bot: Bot,
    i18n: I18n,
    entries: tuple[tuple[str, str], ...],
    scope: BotCommandScopeAllPrivateChats | BotCommandScopeChat,
) -> None:
    await bot.set_my_commands(_commands(i18n, i18n.default_locale, entries), scope=scope)
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(
            _commands(i18n, locale, entries), scope=scope, language_code=locale
        )
