"""The texts of /status and /mydata, shared by the commands and the menu's windows."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager

from bot.domain.areas import place_label
from bot.domain.households import COMMITMENTS
from bot.domain.registrations import Registration
from bot.domain.status import Status
from bot.i18n import N_, TITLE_NAMES, fill
from bot.services.households import Overview
from bot.services.privacy import StoredData

# What each status adds to the registration's story, with the date it happened.
STATUS_STEPS = [
    (Status.REGISTERED, N_("📝 Registered: {at}")),
    (Status.SELF_ASSESSED, N_("📋 Self-assessment submitted: {at}")),
    (Status.RETURNED, N_("↩️ Returned by the hamlet head: {at}")),
    (Status.VERIFIED, N_("✅ Confirmed by the hamlet head and proposed to the commune: {at}")),
    (Status.RECOGNISED, N_("🏅 Recognised by the commune: {at}")),
    (Status.NOT_RECOGNISED, N_("Not recognised by the commune: {at}")),
]


class Writer:
    """Translates and fills lines for one user's language and time zone."""

    def __init__(self, i18n: I18n, locale: str, tz: Any) -> None:
        self.i18n, self.locale, self.tz = i18n, locale, tz
        self.lines: list[str] = []

    def add(self, msgid: str, **params: Any) -> None:
        self.lines.append(fill(self.i18n, msgid, params, self.locale, self.tz))

    def text(self) -> str:
        return "\n".join(self.lines)


MSG_NOT_REGISTERED = N_(
    "Your family is not registered yet. Press /start and choose “Register my family”."
)


def writer_for(manager: DialogManager) -> Writer:
    """Lines translated, filled and escaped for the user of this update: shown with Format,
    not I18nFormat."""
    data = manager.middleware_data
    return Writer(data["i18n"], data["i18n"].current_locale, data["settings"].zone)


def status_text(writer: Writer, overview: Overview | None, year: int) -> str:
    if overview is None:
        writer.add(MSG_NOT_REGISTERED)
        return writer.text()
    household, names = overview.household, {m.id: m.name or "" for m in overview.members}
    writer.add(N_("📊 <b>Where your family stands</b>"))
    writer.add(
        N_("🏡 Household of {name} · code {code}"),
        name=household.head_name or "",
        code=household.code,
    )
    this_year = [r for r in overview.registrations if r.year == year]
    if not any(r.member_id is None for r in this_year):
        writer.add(N_("Not registered for {year} yet."), year=str(year))
    for registration in this_year:
        _registration_story(writer, registration, names)
    return writer.text()


def _registration_story(writer: Writer, registration: Registration, names: dict[int, str]) -> None:
    writer.lines.append("")
    title = writer.i18n.gettext(TITLE_NAMES[registration.title], locale=writer.locale)
    if registration.member_id is None:
        writer.add(N_("<b>{title} {year}</b>"), title=title, year=str(registration.year))
    else:
        writer.add(
            N_("<b>{title} {year}</b>: {name}"),
            title=title,
            year=str(registration.year),
            name=names.get(registration.member_id, ""),
        )
    writer.add(N_("Now: {status}"), status=registration.status)
    if registration.commitments:
        writer.add(N_("🤝 Pledge: {count} commitment(s)"), count=len(registration.commitments))
    for status, msgid in STATUS_STEPS:
        at = registration.reached_at(status)
        if at is not None:
            writer.add(msgid, at=at)
    if registration.total is not None and registration.status != Status.REGISTERED:
        verdict = N_("passes") if registration.passed else N_("does not pass")
        writer.add(
            N_("Score: {total} points, {verdict}"),
            total=registration.total,
            verdict=writer.i18n.gettext(verdict, locale=writer.locale),
        )
    elif registration.status == Status.REGISTERED:
        writer.add(
            N_("Self-assessment: {answered} answer(s) so far, not submitted"),
            answered=len(registration.answers),
        )
    comment = registration.last_comment()
    if comment and registration.status == Status.RETURNED:
        writer.add(N_("Comment: {comment}"), comment=comment)


def stored_data_text(writer: Writer, data: StoredData) -> str:
    writer.add(N_("🔎 <b>Everything the bot keeps about you</b>"))
    writer.add(N_("Language: {language}"), language=data.language or "-")
    if data.consent_at is not None:
        writer.add(
            N_("Consent to the data notice version {version}: {at}"),
            version=data.consent_version or 0,
            at=data.consent_at,
        )
    else:
        writer.add(N_("Consent: not given"))
    if data.place:
        writer.add(N_("Place: {place}"), place=place_label(data.place))
    household = data.household
    if household is None:
        writer.add(N_("No household is linked to this Telegram account."))
        return writer.text()
    writer.add(N_("Head of household: {name}"), name=household.head_name or "")
    writer.add(N_("Phone: {phone}"), phone=household.phone or "")
    writer.add(
        N_("Members: {members}, of whom school-age children: {children}"),
        members=household.members_count,
        children=household.school_age_count,
    )
    writer.add(
        N_("Household code: {code}; Telegram accounts linked: {accounts}"),
        code=household.code,
        accounts=data.linked_accounts,
    )
    for member in data.members:
        writer.add(
            N_("• Member: {name}, born {year}"),
            name=member.name or "",
            year=str(member.birth_year or ""),
        )
    for registration in data.registrations:
        title = writer.i18n.gettext(TITLE_NAMES[registration.title], locale=writer.locale)
        pledged = ", ".join(
            writer.i18n.gettext(COMMITMENTS[key], locale=writer.locale)
            for key in registration.commitments
            if key in COMMITMENTS
        )
        writer.add(
            N_("• {title} {year}: {status}; answers given: {answers}"),
            title=title,
            year=str(registration.year),
            status=registration.status,
            answers=len(registration.answers),
        )
        if pledged:
            writer.add(N_("  Pledge: {pledge}"), pledge=pledged)
    writer.add(N_("To erase it, send /forget."))
    return writer.text()
