"""Three short pages on what the movement is, why it matters and how it works."""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Cancel, Column, SwitchTo

from dialogs.states import AboutSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText


def about_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "📖 <b>What is a “Learning family”?</b> (1/3)\n"
                "A family where children go to school and study well, adults keep learning "
                "something new every year, and the home makes time and room for learning."
            ),
            Column(
                SwitchTo(Label("Next ▶️"), id="to_why", state=AboutSG.why),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=AboutSG.what,
        ),
        Window(
            I18nFormat(
                "📖 <b>Why does it matter?</b> (2/3)\n"
                "Learning helps every member work better, earn more and live healthier. "
                "Your family's result also counts towards your hamlet and commune becoming "
                "a learning community."
            ),
            Column(
                SwitchTo(Label("Next ▶️"), id="to_how", state=AboutSG.how),
                SwitchTo(Label("◀️ Back"), id="back_what", state=AboutSG.what),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=AboutSG.why,
        ),
        Window(
            I18nFormat(
                "📖 <b>How does it work?</b> (3/3)\n"
                "1. At the start of the year your family registers and pledges.\n"
                "2. At the end of the year you answer a short self-assessment.\n"
                "3. Your hamlet head checks it and the commune recognises the title."
            ),
            Column(
                SwitchTo(Label("◀️ Back"), id="back_why", state=AboutSG.why),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=AboutSG.how,
        ),
    )
