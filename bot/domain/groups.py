"""Groups that hold a title of their own: a clan (dòng họ) of the commune's households, a unit
(đơn vị: an agency, school, cooperative or firm the commune manages), and the hamlet itself
as a learning community (cộng đồng học tập cấp thôn).

A group's registration has no household: its `subject` names the group ("clan:12",
"unit:3", "hamlet:H01"), and its `area_code` places it (the commune of a clan or unit, the
hamlet itself) for scope checks, deadlines and criteria.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.criteria_model import Title
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.text import normalize_text


class GroupKind(StrEnum):
    CLAN = "clan"
    UNIT = "unit"
    HAMLET = "hamlet"


# The title each kind of group can hold; a household's titles are the family's and citizens'.
GROUP_TITLE: dict[GroupKind, Title] = {
    GroupKind.CLAN: Title.DONG_HO,
    GroupKind.UNIT: Title.DON_VI,
    GroupKind.HAMLET: Title.CONG_DONG,
}


class UnitKind(StrEnum):
    AGENCY = "agency"
    SCHOOL = "school"
    COOPERATIVE = "cooperative"
    FIRM = "firm"
    OTHER = "other"


UNIT_KIND_LABELS = {
    UnitKind.AGENCY: N_("Agency or office"),
    UnitKind.SCHOOL: N_("School"),
    UnitKind.COOPERATIVE: N_("Cooperative"),
    UnitKind.FIRM: N_("Firm or workshop"),
    UnitKind.OTHER: N_("Other"),
}


@dataclass(frozen=True)
class Clan:
    """A lineage branch registered by one of its people; families join it by confirming."""

    id: int
    code: str
    name: str
    commune_code: str
    representative_id: int

    @property
    def subject(self) -> str:
        return group_subject(GroupKind.CLAN, str(self.id))


@dataclass(frozen=True)
class ClanMember:
    """A household asked to be in a clan; it counts once it confirmed."""

    clan_id: int
    household_id: int
    confirmed: bool


@dataclass(frozen=True)
class Unit:
    """An agency, school, cooperative or firm; the commune confirms it is real."""

    id: int
    code: str
    name: str
    kind: str
    staff_count: int
    commune_code: str
    representative_id: int
    confirmed: bool

    @property
    def subject(self) -> str:
        return group_subject(GroupKind.UNIT, str(self.id))


@dataclass(frozen=True)
class GroupRef:
    """What a registration's subject names when it is a group."""

    kind: GroupKind
    key: str  # the clan's or unit's id, the hamlet's code

    @property
    def number(self) -> int | None:
        return int(self.key) if self.key.isdigit() else None


def group_subject(kind: GroupKind, key: str) -> str:
    return f"{kind.value}:{key}"


def hamlet_subject(hamlet_code: str) -> str:
    return group_subject(GroupKind.HAMLET, hamlet_code)


def group_of(subject: str) -> GroupRef | None:
    """The group a subject names, or None for a household's or a member's subject."""
    kind, _, key = subject.partition(":")
    try:
        group = GroupKind(kind)
    except ValueError:
        return None
    return GroupRef(group, key) if key else None


GROUP_NAME_MIN, CLAN_NAME_MAX, UNIT_NAME_MAX = 2, 80, 120
MSG_GROUP_NAME_LENGTH = N_("A name has {minimum} to {maximum} characters. Please type it again")
MSG_GROUP_NAME_CHARACTERS = N_(
    "Please use letters, digits, spaces and - . , ( ) / only, for example: Họ Nguyễn Văn - chi 2"
)
_GROUP_NAME = re.compile(r"[\w .,()/'-]+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'"})


def parse_group_name(text: str, *, maximum: int = CLAN_NAME_MAX) -> str:
    """A clan's or unit's name as typed, tidied: one space between words, NFC."""
    name = unicodedata.normalize("NFC", normalize_text(text).translate(_DASHES))
    if not GROUP_NAME_MIN <= len(name) <= maximum:
        raise InputError(MSG_GROUP_NAME_LENGTH, {"minimum": GROUP_NAME_MIN, "maximum": maximum})
    if not _GROUP_NAME.fullmatch(name) or not any(char.isalpha() for char in name):
        raise InputError(MSG_GROUP_NAME_CHARACTERS)
    return name


STAFF_MIN, STAFF_MAX = 1, 10_000
