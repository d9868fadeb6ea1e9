"""The main menu: the family's starting point, with what fits where the family stands."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, Start

from bot.domain.areas import place_label
from bot.domain.criteria_model import Title
from bot.domain.users import Role, holds_role
from bot.services.areas import home_area_path
from bot.services.hamlets import hamlets_of
from bot.services.households import has_consent, overview
from dialogs.states import (
    AboutSG,
    AreaSG,
    AssessmentSG,
    ConsentSG,
    GroupsSG,
    HamletSG,
    HouseholdSG,
    LanguageSG,
    LinkSG,
    MainSG,
    OfficerSG,
    PledgeSG,
    RegistrationSG,
    StatusSG,
)
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    current_user_id,
    this_year,
)


async def get_menu(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    user_id = current_user_id(dialog_manager)
    user = acting_user(dialog_manager)
    found = await overview(uow, user_id)
    current = found.current(Title.GIA_DINH.value, this_year(dialog_manager)) if found else None
    dialog_manager.dialog_data["_registration"] = current.id if current else None
    path = await home_area_path(uow, user_id)
    return {
        "has_area": bool(path),
        "place": place_label(path),
        "household": found is not None,
        "no_household": found is None,
        "registered": current is not None,
        "to_pledge": found is not None and current is None,
        "year": this_year(dialog_manager),
        "is_head": bool(hamlets_of(user)),
        "is_officer": holds_role(user, (Role.COMMUNE_OFFICER,)),
        "consented": user.consent_version is not None,
    }


async def _start_with_consent(callback: CallbackQuery, manager: DialogManager, then: str) -> None:
    """Personal data is asked only after consent: show the notice first when needed."""
    if await has_consent(manager.middleware_data["uow"], callback.from_user.id):
        await manager.start(RegistrationSG.place if then == "register" else LinkSG.code)
        return
    await manager.start(ConsentSG.explain, data={"then": then})


async def on_register(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await _start_with_consent(callback, manager, "register")


async def on_link(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await _start_with_consent(callback, manager, "link")


async def on_assess(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    registration = manager.dialog_data.get("_registration")
    if registration:
        await manager.start(AssessmentSG.question, data={"registration": registration})


def menu_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🏠 <b>Main menu</b>\n"
                "Hello! I help your family take part in the “Learning family” movement "
                "of your commune.\nWhat would you like to do?"
            ),
            I18nFormat("📍 Your place: {place}", when="has_area"),
            Column(
                Button(
                    Label("📝 Register my family"),
                    id="register",
                    on_click=on_register,
                    when="no_household",
                ),
                Button(
                    Label("🔗 I have a household code"),
                    id="link",
                    on_click=on_link,
                    when="no_household",
                ),
                Button(
                    Label("📋 Self-assessment"), id="assess", on_click=on_assess, when="registered"
                ),
                Start(
                    Label("🤝 Pledge for {year}"),
                    id="pledge",
                    state=PledgeSG.choose,
                    when="to_pledge",
                ),
                Start(
                    Label("🏡 My household"),
                    id="household",
                    state=HouseholdSG.overview,
                    when="household",
                ),
                Start(Label("📊 My status"), id="status", state=StatusSG.show, when="household"),
                Start(
                    Label("👥 Clans and units"), id="groups", state=GroupsSG.menu, when="consented"
                ),
                Start(Label("🏘 My hamlet"), id="hamlet", state=HamletSG.menu, when="is_head"),
                Start(
                    Label("🏛 Commune administration"),
                    id="officer",
                    state=OfficerSG.menu,
                    when="is_officer",
                ),
                Start(
                    Label("📍 My commune and hamlet"),
                    id="area",
                    state=AreaSG.province,
                    when="no_household",
                ),
                Start(Label("📖 About the movement"), id="about", state=AboutSG.what),
                Start(Label("🌐 Language"), id="language", state=LanguageSG.choose),
            ),
            UnexpectedText(),
            state=MainSG.menu,
            getter=get_menu,
        )
    )
