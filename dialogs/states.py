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


class ConsentSG(StatesGroup):
    explain = State()
    declined = State()


class RegistrationSG(StatesGroup):
    resume = State()
    place = State()
    name = State()
    phone = State()
    duplicate = State()
    members = State()
    school_age = State()
    pledge = State()
    summary = State()
    done = State()


class LinkSG(StatesGroup):
    code = State()
    done = State()


class HouseholdSG(StatesGroup):
    overview = State()
    member_name = State()
    member_year = State()
    citizen = State()


class AssessmentSG(StatesGroup):
    question = State()
    ratio_part = State()
    review = State()
    submitted = State()
    closed = State()


class StatusSG(StatesGroup):
    show = State()


class ForgetSG(StatesGroup):
    confirm = State()
    done = State()


class PledgeSG(StatesGroup):
    choose = State()
