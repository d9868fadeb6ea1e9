"""Consent first: what is stored and why, in plain words, before anything personal is asked."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column

from bot.domain.households import CONSENT_VERSION
from bot.services.households import record_consent
from dialogs.states import ConsentSG, LinkSG, RegistrationSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, now

# Where agreeing leads: the journey the user had chosen in the menu.
NEXT = {"register": RegistrationSG.place, "link": LinkSG.code}


async def get_consent(**_: Any) -> dict[str, Any]:
    return {"version": CONSENT_VERSION}


async def on_agree(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await record_consent(manager.middleware_data["uow"], callback.from_user.id, now())
    given: Any = manager.start_data
    start_data = dict(given or {})
    then = NEXT[str(start_data.pop("then", "register"))]
    # Replace the notice by the first question instead of flashing the menu in between.
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await manager.start(then, data=start_data, show_mode=ShowMode.EDIT)


def consent_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🔒 <b>Before we start: your data</b> (notice version {version})\n\n"
                "To register your family, the bot keeps:\n"
                "• the name of the head of household and a phone number;\n"
                "• your hamlet, the number of members and of school-age children;\n"
                "• your pledge and your self-assessment answers.\n\n"
                "Why: so that your hamlet head and the commune's Study Promotion Association "
                "can confirm and recognise the “Learning family” title. Nobody else sees it. "
                "No ID card number is ever asked.\n\n"
                "You can see everything kept with /mydata and erase it with /forget.\n"
                "Do you agree?"
            ),
            Column(
                Button(Label("✅ I agree"), id="agree", on_click=on_agree),
                Button(
                    Label("❌ No, thank you"),
                    id="decline",
                    on_click=lambda _c, _b, m: m.switch_to(ConsentSG.declined),
                ),
            ),
            UnexpectedText(),
            state=ConsentSG.explain,
            getter=get_consent,
        ),
        Window(
            I18nFormat(
                "All right: nothing about your family was stored.\n"
                "If you change your mind, press /start and choose “Register my family”."
            ),
            Cancel(Label("🏠 Main menu")),
            UnexpectedText(),
            state=ConsentSG.declined,
        ),
    )
