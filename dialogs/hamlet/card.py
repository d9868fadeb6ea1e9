"""One household as its hamlet head sees it: details, this year's standing, history."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column
from aiogram_dialog.widgets.text import Format

from bot.domain.households import HOUSEHOLD_SUBJECT
from bot.domain.registrations import Registration
from bot.domain.status import Status
from bot.i18n import N_
from bot.services.groups import clan_asking, confirm_clan_for
from bot.services.hamlets import GIA_DINH, Card, household_card
from dialogs.hamlet.common import BackTo, Note, pop_note
from dialogs.states import AssessmentSG, HamletSG
from dialogs.summaries import STATUS_STEPS, TITLE_NAMES, Writer, writer_for
from dialogs.widgets import (
    Label,
    UnexpectedText,
    acting_user,
    attempt,
    notifier,
    now,
    this_year,
    uow_of,
)

LOADED_CARD = "hamlet_card"  # middleware data: the card loaded by this update's handler


async def load_card(manager: DialogManager, household_id: int) -> Card:
    """The household's card when the head may see it (else NotAllowed, written down)."""
    loaded: Card | None = manager.middleware_data.get(LOADED_CARD)
    if loaded is not None and loaded.household.id == household_id:
        return loaded
    card = await household_card(
        manager.middleware_data["uow"], acting_user(manager), household_id, now()
    )
    manager.middleware_data[LOADED_CARD] = card
    return card


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    card = await load_card(dialog_manager, int(dialog_manager.dialog_data["household"]))
    year = this_year(dialog_manager)
    current = card.current(GIA_DINH, year)
    dialog_manager.dialog_data["registration"] = current.id if current else None
    status = current.status if current else None
    asking = await clan_asking(dialog_manager.middleware_data["uow"], card.household.id)
    return {
        "text": card_text(writer_for(dialog_manager), card, year),
        "to_verify": status == Status.SELF_ASSESSED,
        "to_fill_in": current is not None and current.can_answer,
        # A family without Telegram cannot tap "yes" to the clan asking it: its head may.
        "clan": asking.name if asking is not None and not card.accounts else "",
        **pop_note(dialog_manager),
    }


def card_text(lines: Writer, card: Card, year: int) -> str:
    household = card.household
    lines.add(N_("🏡 Household of <b>{name}</b>"), name=household.head_name or "")
    lines.add(N_("📞 Phone: {phone}"), phone=household.phone or "")
    lines.add(
        N_("Members: {members}, of whom school-age children: {children}"),
        members=household.members_count,
        children=household.school_age_count,
    )
    if household.claim_code:
        lines.add(N_("🔑 Claim code, not used yet: <b>{code}</b>"), code=household.claim_code)
    if household.consent_at is not None:
        lines.add(N_("🗣 Consent given aloud, recorded on {at}"), at=household.consent_at)
    lines.add(N_("📱 Telegram accounts linked: {count}"), count=card.accounts)
    lines.lines.append("")
    current = card.current(GIA_DINH, year)
    if current is None:
        lines.add(N_("Not registered for {year} yet."), year=str(year))
    else:
        lines.add(N_("This year ({year}): <b>{status}</b>"), year=str(year), status=current.status)
    history = [r for r in card.registrations if r.subject == HOUSEHOLD_SUBJECT]
    for registration in sorted(history, key=lambda r: (-r.year, r.title)):
        _history(lines, registration)
    return lines.text()


def _history(lines: Writer, registration: Registration) -> None:
    lines.lines.append("")
    title = lines.i18n.gettext(TITLE_NAMES[registration.title], locale=lines.locale)
    lines.add(N_("<b>{title} {year}</b>"), title=title, year=str(registration.year))
    if registration.pledged_on is not None:
        lines.add(N_("🤝 Pledged at a hamlet meeting: {day}"), day=registration.pledged_on)
    for status, msgid in STATUS_STEPS:
        at = registration.reached_at(status)
        if at is not None:
            lines.add(msgid, at=at)
    if registration.total is not None and registration.status != Status.REGISTERED:
        verdict = N_("passes") if registration.passed else N_("does not pass")
        lines.add(
            N_("Score: {total} points, {verdict}"),
            total=registration.total,
            verdict=lines.i18n.gettext(verdict, locale=lines.locale),
        )
    comment = registration.last_comment()
    if comment and registration.status == Status.RETURNED:
        lines.add(N_("Comment: {comment}"), comment=comment)


async def on_fill_in(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    registration = manager.dialog_data.get("registration")
    if registration:
        await manager.start(AssessmentSG.question, data={"registration": int(registration)})


async def on_confirm_clan(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    household_id = int(manager.dialog_data["household"])
    confirm = confirm_clan_for(
        uow_of(manager), acting_user(manager), household_id, now(), notifier(manager)
    )
    if await attempt(manager, callback, confirm):
        manager.middleware_data.pop(LOADED_CARD, None)


async def on_check(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data["verify_back"] = "card"
    await manager.switch_to(HamletSG.verify_card)


def card_window() -> Window:
    return Window(
        Note(),
        Format("{text}"),
        Column(
            Button(
                Label("🔍 Check the self-assessment"),
                id="check",
                on_click=on_check,
                when="to_verify",
            ),
            Button(
                Label("📝 Fill in for the family"),
                id="fill_in",
                on_click=on_fill_in,
                when="to_fill_in",
            ),
            Button(
                Label("👥 The family says it is in {clan}"),
                id="clan_yes",
                on_click=on_confirm_clan,
                when="clan",
            ),
            BackTo(HamletSG.households),
        ),
        UnexpectedText(),
        state=HamletSG.card,
        getter=get_card,
    )
