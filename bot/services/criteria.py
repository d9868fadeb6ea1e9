"""Use cases on criteria sets: check a file, load it for an area, find the set in force."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache

from bot.domain.criteria import (
    CriteriaSet,
    Problem,
    StoredCriteriaSet,
    choose_criteria_set,
    parse_criteria_set,
)
from bot.domain.messages import N_
from bot.services.areas import area_path
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork


class CriteriaRejected(ServiceError):
    """The file has problems; `problems` lists every one with its path in the file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(N_("The criteria file has {count} problem(s)."), count=len(problems))
        self.problems = problems


def check_criteria(text: str) -> list[Problem]:
    """Every problem of a criteria file; empty when it can be loaded."""
    return parse_criteria_set(text)[1]


async def load_criteria(
    uow: UnitOfWork, text: str, area_code: str | None, from_year: int, now: datetime
) -> StoredCriteriaSet:
    """Put a set in force for an area from a year. Earlier sets stay as they were, so an
    assessment made with one keeps being scored with it."""
    criteria, problems = parse_criteria_set(text)
    if criteria is None or problems:
        raise CriteriaRejected(problems)
    if area_code is not None and await uow.areas.get(area_code) is None:
        raise ServiceError("Unknown area code {code}.", code=area_code)
    stored = StoredCriteriaSet(0, criteria.title, criteria.version, area_code, from_year)
    if any(_same_slot(stored, other) for other in await uow.criteria.for_title(stored.title)):
        raise ServiceError(
            "Version {version} is already in force there from {year}: give the file a new "
            "version.",
            version=stored.version,
            year=from_year,
        )
    saved = await uow.criteria.add(stored, text, now)
    await uow.commit()
    return saved


def _same_slot(one: StoredCriteriaSet, other: StoredCriteriaSet) -> bool:
    return (one.version, one.area_code, one.from_year) == (
        other.version,
        other.area_code,
        other.from_year,
    )


async def criteria_in_force(
    uow: UnitOfWork, area_code: str, title: str, year: int, shipped: Mapping[str, str]
) -> tuple[int | None, CriteriaSet]:
    """The set for `title` in `year` at an area: the most specific loaded one, else the
    shipped default. Returns its stored id (None for a shipped default) and the set."""
    codes = [area.code for area in await area_path(uow, area_code)]
    chosen = choose_criteria_set(await uow.criteria.for_title(title), codes, title, year)
    text = await uow.criteria.text_of(chosen.id) if chosen else shipped[title]
    return (chosen.id if chosen else None), parsed_criteria(text or "")


async def criteria_with_id(
    uow: UnitOfWork,
    set_id: int | None,
    area_code: str,
    title: str,
    year: int,
    shipped: Mapping[str, str],
    now: datetime,
) -> tuple[int, CriteriaSet]:
    """The set an assessment is made with: the one it already uses (`set_id`), else the set
    in force, a shipped default being stored then so that the assessment can keep it."""
    if set_id is not None:
        return set_id, parsed_criteria(await uow.criteria.text_of(set_id) or "")
    found_id, criteria = await criteria_in_force(uow, area_code, title, year, shipped)
    if found_id is None:
        found_id = await uow.criteria.keep_shipped(title, criteria.version, shipped[title], now)
    return found_id, criteria


@lru_cache(maxsize=64)
def parsed_criteria(text: str) -> CriteriaSet:
    """Parse a stored or shipped set; sets are frozen, so one parse serves every update."""
    criteria, problems = parse_criteria_set(text)
    if criteria is None or problems:  # loaded files were checked; this means a broken ship
        raise CriteriaRejected(problems)
    return criteria
