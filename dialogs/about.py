"""Three short pages on what the movement is, why it matters and how it works."""

from __future__ import annotations

from aiogram.fsm.state import State
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Cancel, Column, SwitchTo

from bot.i18n import N_
from dialogs.states import AboutSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText

PAGES: list[tuple[State, str]] = [
    (
        AboutSG.what,
        N_(
            "📖 <b>What is a “Learning family”?</b> (1/3)\n"
            "A family where children go to school and study well, adults keep learning "
            "something new every year, and the home makes time and room for learning."
        ),
    ),
    (
        AboutSG.why,
        N_(
            "📖 <b>Why does it matter?</b> (2/3)\n"
            "Learning helps every member work better, earn more and live healthier. "
            "Your family's result also counts towards your hamlet and commune becoming "
            "a learning community."
        ),
    ),
    (
        AboutSG.how,
        N_(
            "📖 <b>How does it work?</b> (3/3)\n"
            "1. At the start of the year your family registers and pledges.\n"
            "2. At the end of the year you answer a short self-assessment.\n"
            "3. Your hamlet head checks it and the commune recognises the title."
        ),
    ),
]


def _page(index: int) -> Window:
    state, text = PAGES[index]
    navigation = []
    if index + 1 < len(PAGES):
        navigation.append(SwitchTo(Label("Next ▶️"), id="next", state=PAGES[index + 1][0]))
    if index > 0:
        navigation.append(SwitchTo(Label("◀️ Back"), id="back", state=PAGES[index - 1][0]))
    return Window(
        I18nFormat(text),
        Column(*navigation, Cancel(Label("🏠 Main menu"))),
        UnexpectedText(),
        state=state,
    )


def about_dialog() -> Dialog:
    return Dialog(*(_page(index) for index in range(len(PAGES))))
