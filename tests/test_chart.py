"""/chart: a PNG a phone can read and Telegram accepts as a photo; sent to an officer by
command or from the /stats window, refused to everyone else and outside the commune; a large
province cut to the furthest behind, as the caption says; matplotlib not loaded at start-up."""

from __future__ import annotations

import struct
import subprocess
import sys
from typing import Any

import pytest
from aiogram.methods import SendPhoto
from aiogram.types import User

from bot.reports.chart import chart_png
from bot.services.charts import MAX_BARS
from tests.conftest import ROOT
from tests.support import audit_entries, load_areas
from tests.test_commune_dialogs import FAMILY, HEAD, OFFICER, chat  # noqa: F401  (fixture)
from tests.test_household_dialogs import Family

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Bot API sendPhoto: at most 10 MB,
PHOTO_MAX_SIDES = 10_000  # width + height at most 10000,
PHOTO_MAX_RATIO = 20  # and one side at most 20 times the other
ADMIN = User(id=777, is_bot=False, first_name="Admin", language_code="en")  # in ADMIN_IDS


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def draw(bars: int) -> bytes:
    names = [f"Xã Số {i} Đông Hòa Thượng" for i in range(bars)]
    return chart_png(
        "Tỉnh Thử, 2026",
        names,
        [("Đã đăng ký", [i * 3 % 101 for i in range(bars)]), ("Được công nhận", [0] * bars)],
        target=70,
        target_label="Chỉ tiêu: 70%",
        axis_label="% số hộ",
    )


@pytest.mark.parametrize("bars", [1, 3, MAX_BARS])
def test_the_chart_is_a_png_telegram_takes_as_a_photo(bars: int) -> None:
    png = draw(bars)

    assert png.startswith(PNG_SIGNATURE)
    assert len(png) < PHOTO_MAX_BYTES
    width, height = size_of(png)
    assert width == 1080
    assert width + height <= PHOTO_MAX_SIDES
    assert max(width, height) / min(width, height) <= PHOTO_MAX_RATIO


def test_the_picture_grows_with_the_bars_and_stays_within_telegrams_sharp_size() -> None:
    _, few = size_of(draw(3))
    _, many = size_of(draw(MAX_BARS))
    assert many > few
    assert many <= 2560  # Telegram's largest photo size: taller would be shrunk, blurring names


def test_starting_the_bot_loads_neither_matplotlib_nor_openpyxl() -> None:
    code = (
        "import sys, bot.app, bot.__main__; "
        "print(sorted({'matplotlib', 'openpyxl'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def photos(chat: Family) -> list[SendPhoto]:  # noqa: F811
    return [call for call in chat.session.calls if isinstance(call, SendPhoto)]


async def test_an_officer_gets_the_communes_chart_as_a_photo(chat: Family) -> None:  # noqa: F811
    await chat.client.send("/chart")

    [sent] = photos(chat)
    photo: Any = sent.photo
    assert photo.data.startswith(PNG_SIGNATURE)
    assert photo.filename.startswith("xa-dong-hoa-")
    caption = sent.caption or ""
    assert caption.startswith("📈 Xã Đông Hòa, ")
    assert "the share registered and recognised in each area" in caption
    assert "🏷 Title: Learning family" in caption
    assert "furthest behind" not in caption  # three hamlets: all shown


async def test_the_stats_window_charts_the_area_on_screen(chat: Family) -> None:  # noqa: F811
    await chat.send("/stats")
    again = await chat.click("📈 Chart")

    [sent] = photos(chat)
    assert (sent.caption or "").startswith("📈 Xã Đông Hòa, ")
    assert "📊 <b>Xã Đông Hòa," in (again.text or "")  # the window comes back below it


@pytest.mark.parametrize("who", [HEAD, FAMILY])
async def test_everyone_else_is_told_the_chart_is_for_officers(
    chat: Family,  # noqa: F811
    who: User,
) -> None:
    chat.as_user(who)
    assert await chat.command("/chart") == "This command is for commune officers."
    assert not photos(chat)


@pytest.mark.parametrize("command", ["/chart C2", "/chart P 2026", "/chart NOPE"])
async def test_an_officer_is_refused_another_communes_chart(
    chat: Family,  # noqa: F811
    command: str,
) -> None:
    answer = await chat.command(command)

    assert answer == "This area is outside the ones you look after."
    assert not photos(chat)
    refused = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (OFFICER.id, "chart")


async def test_a_large_province_shows_its_furthest_behind_and_says_so(
    chat: Family,  # noqa: F811
) -> None:
    communes = "\n".join(f"BIG{i:03d},Xã Số {i},commune,BIG" for i in range(MAX_BARS + 5))
    await load_areas(
        chat.session_factory, f"code,name,level,parent_code\nBIG,Tỉnh Lớn,province,\n{communes}\n"
    )
    chat.as_user(ADMIN)
    await chat.client.send("/chart BIG")

    [sent] = photos(chat)
    caption = sent.caption or ""
    assert f"Only the {MAX_BARS} furthest behind of {MAX_BARS + 5} are shown." in caption
    _, height = size_of(sent.photo.data)  # type: ignore[union-attr]
    assert height <= 2560
