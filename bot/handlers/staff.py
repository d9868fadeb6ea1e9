"""/audit, /whois and /heads: plain answers for commune officers and super admins (the same
router-level filter as the other admin commands; the services check the area's scope)."""

from __future__ import annotations

from collections.abc import Awaitable
from html import escape
from typing import TypeVar

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.audit import ACTION_LABELS, AuditEntry
from bot.domain.deadlines import Deadline
from bot.domain.messages import N_
from bot.domain.status import Status
from bot.domain.users import Role, User
from bot.handlers.admin import IsStaff, cmd_not_staff, command_words
from bot.i18n import fill
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.staff import RoleHolder, recent_actions, role_holders
from dialogs.widgets import now

T = TypeVar("T")
MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters; keep a margin for the markup
ROLE_LABELS = {
    Role.COMMUNE_OFFICER: N_("🏛 Commune officer"),
    Role.HAMLET_HEAD: N_("🏘 Hamlet head"),
}


def create_router() -> Router:
    router = Router(name="staff")
    router.message.register(cmd_not_staff, Command("audit", "whois", "heads"), ~IsStaff())
    router.message.register(cmd_audit, Command("audit"))
    router.message.register(cmd_whois, Command("whois", "heads"))
    return router


def count_and_area(args: str | None) -> tuple[int | None, str | None]:
    """`/audit [n] [area code]` in either order: a number of up to 3 digits is the count."""
    count, area = None, None
    for word in command_words(args)[:2]:
        if word.isdecimal() and len(word) <= 3:
            count = int(word)
        else:
            area = word
    return count, area


async def cmd_audit(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    i18n: I18n,
) -> None:
    count, area = count_and_area(command.args)
    found = await _or_refusal(
        message, i18n, settings, recent_actions(uow, user, area, count, now())
    )
    if found is None:
        return
    place, entries = found
    lines = [_("📜 <b>Latest actions: {place}</b>").format(place=escape(place.name))]
    lines += [_audit_line(entry, settings, i18n) for entry in entries]
    if not entries:
        lines.append(_("Nothing has been recorded yet."))
    await _send_in_parts(message, lines)


def _audit_line(entry: AuditEntry, settings: Settings, i18n: I18n) -> str:
    """When · who · what · where · details: codes and numbers only, nothing personal."""
    when = entry.at.astimezone(settings.zone).strftime("%d/%m %H:%M")
    locale = i18n.current_locale
    label = ACTION_LABELS.get(entry.action)
    what = _(label) if label else entry.action
    details = ", ".join(
        fill(i18n, msgid or "{value}", {"value": _shown_value(value)}, locale, settings.zone)
        for msgid, value in entry.shown_details()
    )
    parts = [when, f"👤 {entry.actor_id or '—'}", escape(what), entry.area_code or "", details]
    return " · ".join(part for part in parts if part)


def _shown_value(value: object) -> object:
    """Stored codes that have a name on screen (a deadline, a status), else the value as is;
    a year stays a plain number (no thousands separator)."""
    if isinstance(value, bool):
        return "✅" if value else "⏸"
    for kind in (Deadline, Status):
        if isinstance(value, str) and value in kind._value2member_map_:
            return kind(value)
    return str(value) if isinstance(value, int) else value


async def cmd_whois(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    i18n: I18n,
) -> None:
    area = " ".join(command_words(command.args)) or None
    found = await _or_refusal(message, i18n, settings, role_holders(uow, user, area, now()))
    if found is None:
        return
    place, holders = found
    if command.command == "heads":
        holders = [h for h in holders if h.role == Role.HAMLET_HEAD]
    lines = [_("👥 <b>Who holds which role: {place}</b>").format(place=escape(place.name))]
    lines += [_holder_line(holder) for holder in holders]
    if not holders:
        lines.append(_("Nobody holds a role here yet."))
    await _send_in_parts(message, lines)


def _holder_line(holder: RoleHolder) -> str:
    """The role, a link that opens a chat with the person, and where."""
    link = f'<a href="tg://user?id={holder.user_id}">{holder.user_id}</a>'
    return f"{_(ROLE_LABELS[holder.role])}: {link} · {escape(holder.area.name)}"


async def _send_in_parts(message: Message, lines: list[str]) -> None:
    """Lines in as few messages as fit Telegram's limit, never splitting a line."""
    part: list[str] = []
    for line in lines:
        if part and len("\n".join([*part, line])) > MESSAGE_LIMIT:
            await message.answer("\n".join(part))
            part = []
        part.append(line)
    await message.answer("\n".join(part))


async def _or_refusal(
    message: Message, i18n: I18n, settings: Settings, call: Awaitable[T]
) -> T | None:
    """The service's answer; or None once the user has been told why it was refused."""
    try:
        return await call
    except ServiceError as refused:
        params, locale = refused.params, i18n.current_locale
        await message.answer(fill(i18n, refused.msgid, params, locale, settings.zone))
        return None
