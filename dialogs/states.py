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


class HamletSG(StatesGroup):
    """The hamlet head's menu and its screens."""

    menu = State()
    households = State()
    search = State()
    card = State()
    pledges = State()
    pledge_date = State()
    verify = State()
    verify_card = State()
    return_comment = State()
    numbers = State()
    remind = State()
    family_link = State()


class ProxySG(StatesGroup):
    """A hamlet head registers a family without a smartphone."""

    consent = State()
    name = State()
    phone = State()
    members = State()
    school_age = State()
    summary = State()
    done = State()


class OfficerSG(StatesGroup):
    """The commune officer's hamlet heads and invitations."""

    menu = State()
    invite_hamlet = State()
    invite_done = State()
    invites = State()
    heads = State()


class InviteSG(StatesGroup):
    """Opening an invitation link: confirm becoming the hamlet's head."""

    confirm = State()
    done = State()


class StatsSG(StatesGroup):
    """/stats: an area's numbers, and the areas below it from the furthest behind."""

    show = State()


class TargetsSG(StatesGroup):
    """/targets: each area's target for a year, set or inherited."""

    list = State()
    edit = State()


class DeadlinesSG(StatesGroup):
    """/deadlines: the year's registration, self-assessment and verification dates."""

    list = State()
    edit = State()


class RecognizeSG(StatesGroup):
    """/recognize: households proposed by hamlet heads, recognised by one decision."""

    list = State()
    number = State()
    day = State()
    confirm = State()
    decline = State()


class HamletsSG(StatesGroup):
    """/hamlets: the commune's hamlets added, renamed, merged, retired or restored."""

    list = State()
    card = State()
    add = State()
    code = State()  # the code of the hamlet being added, typed instead of made up
    rename = State()
    merge = State()
    confirm_merge = State()
    retire = State()


class ImportSG(StatesGroup):
    """/import: a roster file of households, checked, then applied on confirmation."""

    wait_file = State()
    report = State()
    done = State()


class BroadcastSG(StatesGroup):
    """/broadcast: the group, for families a status, the text, a preview with the audience
    size, then confirmation."""

    group = State()
    status = State()
    text = State()
    confirm = State()


class RemindersSG(StatesGroup):
    """/reminders: the commune's reminder rules; one to switch on or off, or to change its
    day offset and hour."""

    list = State()
    rule = State()
    offset = State()
    hour = State()


class GroupReviewSG(StatesGroup):
    """The commune's clans, units and hamlets: review and decide."""

    list = State()
    card = State()
    comment = State()
    number = State()  # recognition: the decision's number, then its day, then confirm
    day = State()
    confirm = State()


class GroupsSG(StatesGroup):
    """👥 Clans and units: the family's clan, the groups the user represents, and a member's
    learning-citizen self-assessment counted for a unit."""

    menu = State()
    leave = State()
    clan = State()
    unit = State()
    member = State()
    unit_code = State()
    counted = State()


class ClanSG(StatesGroup):
    """Registering a learning clan: its name, its families found by name, then confirmation."""

    name = State()
    families = State()
    summary = State()
    done = State()


class UnitSG(StatesGroup):
    """Registering a learning unit: its name, its kind, how many staff, then confirmation."""

    name = State()
    kind = State()
    staff = State()
    summary = State()
    done = State()
