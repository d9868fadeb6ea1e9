"""Importing a commune's household roster in the service layer, on real storage: checked
without writing, applied all or nothing, duplicates held back, refused outside the officer's
commune, and read from the files offices save (Windows-1258 CSV, XLSX).

SQLite always, PostgreSQL too when HOCTAP_TEST_DATABASE_URL is set.
`python -m tests.test_roster_import` measures apply_roster on 100,000 rows (CSV and XLSX).
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from bot.domain import roster as r
from bot.domain.households import CODE_ALPHABET, CODE_LENGTH
from bot.domain.roster import RosterRow
from bot.domain.users import User
from bot.roster_files import MSG_UNREADABLE, RosterFileError
from bot.services import roster_import as ri
from bot.services import stats as st
from bot.services.errors import NotAllowed, ServiceError
from storage import households as storage_households
from storage.households import SqlHouseholdRepository
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    OFFICER_C1,
    OFFICER_C2,
    YEAR,
    ZONE,
    areas,  # noqa: F401  (fixture)
    audit,
    household,
    new_user,
    super_admin,
)
from tests.test_roster_files import windows_1258, xlsx

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
HEADER = ["Thôn", "Họ tên chủ hộ", "Điện thoại", "Số người"]
# Spreadsheet rows 2 to 9; C1's hamlets are H1 "Thôn Đoài" and H2 "Thôn Đông".
ROSTER = [
    HEADER,
    ["Thôn Đoài", "Nguyễn Văn Bình", "0912 000 101", "4"],
    ["Đông", "Trần Thị Hoa", "0912000102", "3"],  # the name without "Thôn"
    ["H1", "lê văn cường", "912000103", "5"],  # a code; Excel dropped the phone's 0
    ["Thôn Nam", "Phạm Văn Dũng", "0912000104", "2"],  # no such hamlet
    ["Thôn Đoài", "Hoàng Thị Em", "không có", "2"],  # no phone
    ["Thôn Đông", "Vũ Văn Giang", "0912000102", "4"],  # row 3's phone
    ["Thôn Đoài", "NGUYEN VAN AN", "0912000108", "4"],  # the stored An, without accents
    ["Thôn Đông", "Đỗ Thị Lan", "0912000001", "3"],  # the stored An's phone
]
# Rows 2 to 7: rows 5 to 7 are held back, likely duplicates.
VALID = [row for number, row in enumerate(ROSTER, start=1) if number not in (5, 6)]


def csv_bytes(rows: Sequence[Sequence[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode()


async def stored(uow: SqlUnitOfWork) -> list[tuple[Any, ...]]:
    """Every household as the database holds it, by id."""
    query = (
        "SELECT hamlet_code, head_name, name_key, phone, members_count, school_age_count, code "
        "FROM households ORDER BY id"
    )
    return [tuple(row) for row in await uow.session.execute(text(query))]


async def stored_an(uow: SqlUnitOfWork) -> int:
    return await household(uow, "Nguyễn Văn An", "+84912000001")


@pytest.fixture
async def officer(areas: SqlUnitOfWork) -> User:  # noqa: F811
    await stored_an(areas)
    return await new_user(areas, OFFICER_C1)


# --- check, then apply ---------------------------------------------------------------------


async def test_a_check_reports_every_row_and_stores_nothing(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    before = await stored(areas)

    plan = await ri.check_roster(areas, officer, "C1", csv_bytes(ROSTER), NOW)

    assert plan.counts == r.RosterCounts(rows=8, valid=6, invalid=2, duplicates=3, to_add=3)
    assert [(e.row, e.message_id) for e in plan.errors] == [
        (5, r.MSG_UNKNOWN_HAMLET),
        (6, "Please type a Vietnamese phone number, for example: 0912 345 678"),
    ]
    assert [(d.row, d.by, d.of_row, d.of_household) for d in plan.warnings] == [
        (7, r.DuplicateBy.PHONE, 3, None),
        (8, r.DuplicateBy.NAME, None, 1),
        (9, r.DuplicateBy.PHONE, None, 1),
    ]
    assert await stored(areas) == before


async def test_applying_writes_the_ready_rows_and_stats_count_them(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    report = await ri.apply_roster(areas, officer, "C1", csv_bytes(ROSTER), NOW, skip_invalid=True)

    assert (report.commune.name, report.imported, report.skipped) == ("Xã Đông Hòa", 3, 5)
    households = await stored(areas)
    assert [row[:6] for row in households[1:]] == [
        ("H1", "Nguyễn Văn Bình", "nguyen van binh", "+84912000101", 4, 0),
        ("H2", "Trần Thị Hoa", "tran thi hoa", "+84912000102", 3, 0),
        ("H1", "Lê Văn Cường", "le van cuong", "+84912000103", 5, 0),
    ]
    codes = [row[6] for row in households]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    stats = await st.area_stats(areas, officer, "C1", YEAR, NOW, ZONE)
    assert (stats.numbers.households, stats.numbers.registered) == (4, 0)
    assert {s.code: s.numbers.households for s in stats.below} == {"H1": 3, "H2": 1}
    [entry] = await audit(areas, "import")
    assert (entry["area"], entry["rows"], entry["skipped"]) == ("C1", 3, 5)
    assert (entry["actor_id"], entry["household_id"]) == (OFFICER_C1, None)


async def test_rows_with_errors_stop_the_import_unless_skipped(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    before = await stored(areas)

    with pytest.raises(ri.RosterRefused) as refused:
        await ri.apply_roster(areas, officer, "C1", csv_bytes(ROSTER), NOW)

    assert (refused.value.msgid, refused.value.params) == (ri.MSG_HAS_ERRORS, {"count": 2})
    assert refused.value.plan.counts.to_add == 3
    assert await stored(areas) == before
    assert await audit(areas, "import") == []


async def test_the_same_roster_twice_adds_nothing_the_second_time(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    data = csv_bytes(VALID)
    first = await ri.apply_roster(areas, officer, "C1", data, NOW)
    count = len(await stored(areas))

    with pytest.raises(ri.RosterRefused) as refused:
        await ri.apply_roster(areas, officer, "C1", data, NOW)

    assert first.imported == 3
    assert refused.value.msgid == ri.MSG_NOTHING_TO_IMPORT
    assert refused.value.plan.counts.duplicates == 6
    assert len(await stored(areas)) == count


@pytest.mark.parametrize(
    ("content", "msgid"),
    [
        pytest.param([["Họ tên", "SĐT"], ["An", "0912000101"]], r.MSG_MISSING_COLUMN[r.HAMLET]),
        pytest.param([HEADER], r.MSG_NO_ROWS),
    ],
)
async def test_a_file_without_usable_rows_says_why(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
    content: list[list[str]],
    msgid: str,
) -> None:
    with pytest.raises(ri.RosterRefused) as refused:
        await ri.apply_roster(areas, officer, "C1", csv_bytes(content), NOW, skip_invalid=True)
    assert refused.value.msgid == msgid


async def test_an_unreadable_file_is_a_clear_error(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    with pytest.raises(RosterFileError) as error:
        await ri.check_roster(areas, officer, "C1", b"\x00\x01\x02binary\xff" * 50, NOW)
    assert error.value.msgid == MSG_UNREADABLE


# --- duplicates the officer includes after all -----------------------------------------------


async def test_a_held_back_row_is_added_when_the_officer_includes_it(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    # Row 8 has An's name but its own phone; row 9 has An's phone, in another hamlet.
    report = await ri.apply_roster(areas, officer, "C1", csv_bytes(VALID), NOW, {6, 7})

    assert report.imported == 5
    names = [(row[0], row[1], row[3]) for row in await stored(areas)]
    assert ("H1", "Nguyen Van An", "+84912000108") in names
    assert ("H2", "Đỗ Thị Lan", "+84912000001") in names
    assert ("H2", "Vũ Văn Giang", "+84912000102") not in names  # row 5: not included


async def test_a_phone_the_hamlet_already_has_is_never_included(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    roster = [
        HEADER,
        ["Thôn Đoài", "Trần Văn Tư", "0912000001", "3"],  # An's phone, An's hamlet
        ["Thôn Đông", "Mai Văn Sáu", "0912000201", "3"],
        ["Thôn Đông", "Mai Thị Bảy", "0912000201", "2"],  # row 3's phone, same hamlet
    ]
    before = await stored(areas)

    with pytest.raises(ServiceError) as refused:
        await ri.apply_roster(areas, officer, "C1", csv_bytes(roster), NOW, {2, 4})

    assert (refused.value.msgid, refused.value.params) == (ri.MSG_PHONE_TAKEN, {"rows": "2, 4"})
    assert await stored(areas) == before


# --- all or nothing --------------------------------------------------------------------------


class SlippingHouseholds(SqlHouseholdRepository):
    """Storage that slips a row no database accepts (its hamlet does not exist) into the
    middle of the batches: the rows before it are already sent when it fails."""

    async def bulk_add(self, rows: Sequence[tuple[str, RosterRow]], now: datetime) -> int:
        middle = len(rows) // 2
        broken = ("BROKEN", replace(rows[middle][1], hamlet_code="NOWHERE"))
        return await super().bulk_add([*rows[:middle], broken, *rows[middle:]], now)


async def test_a_failure_half_way_writes_nothing(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(storage_households, "INSERT_BATCH", 10)
    roster = [HEADER, *generated(60)]
    before = await stored(areas)
    areas.households = SlippingHouseholds(areas.session)

    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await ri.apply_roster(areas, officer, "C1", csv_bytes(roster), NOW)

    assert await stored(areas) == before
    assert await audit(areas, "import") == []


# --- household codes --------------------------------------------------------------------------


async def test_stored_household_and_claim_codes_are_found_taken(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    first = await areas.households.get(1)
    assert first is not None
    await areas.households.set_proxy(first.id, "CLAIM2", OFFICER_C1, NOW)
    await stored_an(areas)  # a second household: fewer than 3 codes asked, more than 1

    # Fewer households than codes: all codes read at once; more: looked up in IN lists.
    many = await areas.households.codes_taken([first.code, "CLAIM2", "ZZZZZZ"])
    one = await areas.households.codes_taken(["CLAIM2"])

    assert (many, one) == ({first.code, "CLAIM2"}, {"CLAIM2"})


# --- who may import where --------------------------------------------------------------------


async def test_another_communes_officer_is_refused_and_it_is_audited(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    stranger = await new_user(areas, OFFICER_C2)
    before = await stored(areas)

    with pytest.raises(NotAllowed):
        await ri.apply_roster(areas, stranger, "C1", csv_bytes(VALID), NOW)
    with pytest.raises(NotAllowed):
        await ri.check_roster(areas, stranger, "C1", csv_bytes(VALID), NOW)

    assert await stored(areas) == before
    refusals = await audit(areas, "refused")
    assert [(e["actor_id"], e["attempted"]) for e in refusals] == [(OFFICER_C2, "import")] * 2


@pytest.mark.parametrize("code", ["H1", "P1"])
async def test_a_roster_goes_into_a_commune_only(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
    code: str,
) -> None:
    with pytest.raises(ServiceError) as refused:
        await ri.check_roster(areas, super_admin(), code, csv_bytes(VALID), NOW)
    assert refused.value.msgid == ri.MSG_NOT_A_COMMUNE


async def test_a_retired_hamlet_takes_no_households(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    await areas.areas.set_retired("H2", NOW)
    await areas.commit()

    plan = await ri.check_roster(areas, officer, "C1", csv_bytes(VALID), NOW)

    unknown = [e.row for e in plan.errors if e.message_id == r.MSG_UNKNOWN_HAMLET]
    assert unknown == [3, 5, 7]  # Thôn Đông's rows


# --- the files offices save ------------------------------------------------------------------


async def test_a_windows_1258_csv_with_semicolons_is_imported_with_its_accents(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    content = windows_1258(csv_bytes(VALID[:4], ";").decode()).encode("cp1258")

    report = await ri.apply_roster(areas, officer, "C1", content, NOW)

    assert report.imported == 3
    names = [row[1] for row in await stored(areas)]
    assert names[1:] == ["Nguyễn Văn Bình", "Trần Thị Hoa", "Lê Văn Cường"]


async def test_an_xlsx_with_a_title_and_numbers_is_imported(
    areas: SqlUnitOfWork,  # noqa: F811
    officer: User,
) -> None:
    content = xlsx(
        [
            ["UBND XÃ ĐÔNG HÒA"],
            ["DANH SÁCH HỘ GIA ĐÌNH"],
            ["STT", *HEADER],
            [1, "Thôn Đoài", "Nguyễn Văn Bình", 912000101, 4],  # typed as numbers
            [2, "H2", "Trần Thị Hoa", "0912 000 102", 3.0],
        ]
    )

    report = await ri.apply_roster(areas, officer, "C1", content, NOW)

    assert report.imported == 2
    assert [row[:5] for row in (await stored(areas))[1:]] == [
        ("H1", "Nguyễn Văn Bình", "nguyen van binh", "+84912000101", 4),
        ("H2", "Trần Thị Hoa", "tran thi hoa", "+84912000102", 3),
    ]


# --- scale -----------------------------------------------------------------------------------

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
WORDS = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Kim", "Gia")
NAMES = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long")


def generated(
    count: int, hamlets: Sequence[str] = ("Thôn Đoài", "Thôn Đông")
) -> Iterator[list[str]]:
    """`count` valid rows, no two alike by phone or by name: all of them get imported."""
    for number in range(count):
        words, digits = [], number
        for choices in (SURNAMES, WORDS, WORDS, NAMES, NAMES):
            digits, index = divmod(digits, len(choices))
            words.append(choices[index])
        yield [hamlets[number % len(hamlets)], " ".join(words), f"09{number:08d}", "4"]


def measure(count: int = 100_000) -> dict[str, float]:
    """Rows per second of apply_roster on an empty SQLite database (file built beforehand)."""
    rows = [HEADER, *generated(count)]
    files = {"csv": csv_bytes(rows), "xlsx": xlsx(rows)}
    return {kind: asyncio.run(_rate(data, count)) for kind, data in files.items()}


async def _rate(data: bytes, count: int) -> float:
    from bot.services.areas import import_areas
    from storage.db import create_engine, create_session_factory
    from storage.migrate import upgrade
    from tests.test_hamlet_services import AREAS

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            uow = SqlUnitOfWork(session)
            await import_areas(uow, AREAS)
            started = time.perf_counter()
            report = await ri.apply_roster(uow, super_admin(), "C1", data, NOW)
            elapsed = time.perf_counter() - started
        await engine.dispose()
    assert report.imported == count
    return count / elapsed


if __name__ == "__main__":
    for kind, rate in measure().items():
        print(f"apply_roster {kind}: {rate:,.0f} rows/s")
