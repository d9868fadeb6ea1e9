"""Every dialog's states, in one place."""

from aiogram.fsm.state import State, StatesGroup


class MainSG(StatesGroup):
    menu = State()


class LanguageSG(StatesGroup):
    choose = State()


class AreaSG(StatesGroup):
    resume = State()
    province = State()
    commune = State()
    hamlet = State()
    confirm = State()


class AboutSG(StatesGroup):
    what = State()
    why = State()
    how = State()
