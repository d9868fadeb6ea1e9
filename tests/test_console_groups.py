"""Clans and units from registration to recognition, as scripted `hoctap console` sessions in
Vietnamese: a family registers and self-assesses, registers its clan with another family found
by name (typed without accents), that family says yes, and the clan self-assesses to a pass; a
unit is registered, one of its staff counts their learning-citizen self-assessment for it by
its code, and the unit self-assesses to a pass. Then the commune verifies and recognises each
by a decision, its number typed and its day today (a unit once it confirmed the unit is real),
and the representative is told at each step, the decision's number and day included."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.criteria_files import shipped_criteria
from bot.domain.criteria_model import Kind
from bot.domain.facts import asked
from bot.i18n import day
from bot.services.criteria import parsed_criteria
from tests.test_console_hamlet import sitting
from tests.test_console_household import REGISTRATION, best_answers_script

GROUPS = "> 👥 Dòng họ, đơn vị học tập"
SUBMIT = "> 📤 Gửi trưởng thôn"  # a family's or a citizen's self-assessment
SUBMIT_GROUP = "> 📤 Gửi lên xã"  # a clan's or a unit's
YEAR = date.today().year
REPRESENTATIVE = "@user 1003 Mai"  # 1001 is the commune officer (--as-admin)
DECISION = "37/QĐ-UBND"
# Household wording a group's status must not take: the commune, not a hamlet head, checks it.
HOUSEHOLD_WORDING = ("chờ trưởng thôn xác nhận", "trưởng thôn đã xác nhận")


def best_answers(title: str) -> list[str]:
    """The taps that answer what the bot asks of a shipped set with its best choices."""
    lines: list[str] = []
    for indicator in asked(parsed_criteria(shipped_criteria()[title])):
        if indicator.kind == Kind.YES_NO:
            lines.append("> Có")
        elif indicator.kind == Kind.RATIO:
            lines += ["> 2", "> 2"]
        else:
            options = indicator.scoring.options  # type: ignore[union-attr]
            lines.append("> " + max(options, key=lambda o: o.points).label("vi"))
    return lines


def registration(name: str, phone: str, hamlet: str) -> list[str]:
    """The household journey's registration, for another family, up to the main menu."""
    swap = {"nguyễn thị mai": name, "0912 345 678": phone, "> Thôn Đoài": f"> {hamlet}"}
    return [swap.get(line, line) for line in REGISTRATION[:-1]]


def clan_registers_and_self_assesses() -> list[str]:
    return [
        "@user 1002 Bình",
        *registration("nguyễn văn bình", "0987 111 222", "Thôn Đông"),
        REPRESENTATIVE,
        *REGISTRATION,
        *best_answers_script(),
        SUBMIT,
        "> 🏠 Menu chính",
        GROUPS,
        "> ➕ Đăng ký dòng họ",
        "Họ Nguyễn",
        "nguyen van binh",
        "> ⬜ Nguyễn Văn Bình · Thôn Đông",
        "> ▶️ Tiếp",
        "> ✅ Đăng ký",
        "@user 1002 Bình",
        "/start",
        GROUPS,
        "> ✅ Có, gia đình tôi thuộc Họ Nguyễn",
        REPRESENTATIVE,
        "/start",
        GROUPS,
        "> 👥 Họ Nguyễn",
        "> 📋 Tự đánh giá",
        *best_answers("dong_ho"),
        SUBMIT_GROUP,
    ]


def commune_opens(group: str) -> list[str]:
    """The commune officer opens the group's card in the commune's review."""
    return [
        "@user 1001 Officer",
        "@lang vi",
        "/start",
        "> 🏛 Quản lý xã",
        "> Xã Đông Hòa",
        "> 👥 Dòng họ, đơn vị, thôn",
        f"> {group}",
    ]


def representative_looks(group: str) -> list[str]:
    return [REPRESENTATIVE, "/start", GROUPS, f"> {group}"]


def recognises_by_decision() -> list[str]:
    """On the group's card: recognise, by decision 37/QĐ-UBND of today."""
    return ["> 🏅 Công nhận", DECISION, "> 📅 Hôm nay", "> ✅ Đồng ý công nhận"]


def today_in_vietnamese() -> str:
    return day(datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date(), "vi")


def told_recognised(name: str, title: str) -> str:
    """What the representative is told, then the officer's confirmation."""
    return (
        f"🎉 Chúc mừng! Theo quyết định số {DECISION} ngày {today_in_vietnamese()}, xã đã công "
        f"nhận {name} đạt danh hiệu «{title}» năm {YEAR}.\nXong: đã báo cho {name}."
    )


def test_a_clan_goes_from_registration_to_recognition_in_vietnamese(tmp_path: Path) -> None:
    out = sitting(tmp_path, clan_registers_and_self_assesses())
    assert "Số gia đình: 2" in out  # Mai's own family and Bình's
    assert "✅ Họ Nguyễn đã đăng ký Dòng họ học tập năm" in out
    assert "Số gia đình được hỏi xác nhận: 1." in out
    assert "Họ Nguyễn đã đăng ký «Dòng họ học tập» và ghi tên gia đình bạn" in out
    assert "✅ Cảm ơn bạn: gia đình bạn đã thuộc Họ Nguyễn." in out
    assert "Gia đình: 2 đã xác nhận trong 2 gia đình có tên" in out
    assert "Câu 1/4" in out
    assert "Số liệu bot đã tính" in out
    # Half the families are learning (20), children at school (15), the rest yes (45).
    assert "Tổng điểm: 80/100" in out
    assert "Kết quả này đạt chuẩn «Dòng họ học tập»." in out
    assert "Khi mọi thứ đã đúng, hãy gửi lên xã." in out
    assert "Đã gửi bản tự đánh giá" in out

    recognised = sitting(
        tmp_path,
        [
            *commune_opens("👪 Họ Nguyễn"),
            "> ✅ Xác nhận và đề nghị",
            *recognises_by_decision(),
            *representative_looks("👥 Họ Nguyễn"),
        ],
        "--as-admin",
    )
    assert "Danh hiệu: Dòng họ học tập" in recognised
    assert "Tự đánh giá: 80 điểm, đạt chuẩn." in recognised
    # What the representative is told, then the officer's confirmation, at each step.
    assert (
        "✅ Xã đã xem phần tự đánh giá của Họ Nguyễn và đưa vào danh sách đề nghị công nhận.\n"
        "Xong: đã báo cho Họ Nguyễn." in recognised
    )
    assert "👪 Họ Nguyễn · đã tự đánh giá, đang chờ xã xem" in recognised  # the list
    assert (
        "Danh hiệu: Dòng họ học tập · xã đã xem, đưa vào danh sách đề nghị công nhận" in recognised
    )
    assert not any(wording in recognised for wording in HOUSEHOLD_WORDING)
    assert "📄 Số quyết định là gì?" in recognised
    assert (
        "🏅 Công nhận 👪 Họ Nguyễn đạt danh hiệu «Dòng họ học tập» theo quyết định số "
        f"{DECISION} ngày {today_in_vietnamese()}? Họ Nguyễn sẽ được báo tin." in recognised
    )
    assert told_recognised("Họ Nguyễn", "Dòng họ học tập") in recognised
    assert "Danh hiệu: Dòng họ học tập · 🏅 đã được công nhận" in recognised
    assert (
        f"📄 Được công nhận theo quyết định số {DECISION} ngày {today_in_vietnamese()}"
        in recognised
    )
    assert "👥 Họ Nguyễn · Dòng họ học tập" in recognised  # the representative's card
    assert f"📋 Năm {YEAR}: 🏅 đã được công nhận" in recognised


def unit_registers() -> list[str]:
    return [
        REPRESENTATIVE,
        *REGISTRATION[:-1],
        GROUPS,
        "> 🏫 Đăng ký đơn vị",
        "Trường Tiểu học Đông Hòa",
        "> Trường học",
        "1",
        "> ✅ Đăng ký",
    ]


def staff_counts_and_unit_self_assesses(code: str) -> list[str]:
    return [
        REPRESENTATIVE,
        "/start",
        "> 🏡 Gia đình tôi",
        "> ➕ Thêm thành viên",
        "nguyễn thị mai",
        "1980",
        "> 🏠 Menu chính",
        GROUPS,
        "> 🔢 Tính Công dân học tập cho đơn vị",
        "> Nguyễn Thị Mai (1980)",
        code.lower(),
        "> 📋 Tự đánh giá Công dân học tập",
        *best_answers("cong_dan"),
        SUBMIT,
        "> 🏠 Menu chính",
        "> ◀️ Quay lại",
        "> 🏫 Trường Tiểu học Đông Hòa",
        "> 📋 Tự đánh giá",
        *best_answers("don_vi"),
        SUBMIT_GROUP,
    ]


def test_a_unit_goes_from_registration_to_recognition_in_vietnamese(tmp_path: Path) -> None:
    registered = sitting(tmp_path, unit_registers())
    assert "👥 Số cán bộ, nhân viên: 1" in registered
    [code] = re.findall(r"Mã đơn vị: ([A-Z0-9]{6})", registered)
    assert "Xã sẽ xác nhận đơn vị." in registered

    out = sitting(tmp_path, staff_counts_and_unit_self_assesses(code))
    assert "được tính cho Trường Tiểu học Đông Hòa" in out
    assert "Kết quả này đạt chuẩn «Công dân học tập»." in out
    assert f"Mã đơn vị: {code}" in out
    assert "⏳ Xã chưa xác nhận đơn vị." in out
    assert "Câu 1/4" in out  # 2a, the staff who are learning citizens, is counted
    assert "Tổng điểm: 100/100" in out
    assert "Kết quả này đạt chuẩn «Đơn vị học tập»." in out
    assert "Đã gửi bản tự đánh giá" in out

    recognised = sitting(
        tmp_path,
        [
            *commune_opens("🏫 Trường Tiểu học Đông Hòa"),
            "> ✅ Xác nhận và đề nghị",
            "> 🏫 Xác nhận đơn vị có thật",
            *recognises_by_decision(),
            *representative_looks("🏫 Trường Tiểu học Đông Hòa"),
        ],
        "--as-admin",
    )
    assert "Danh hiệu: Đơn vị học tập" in recognised
    assert "Tự đánh giá: 100 điểm, đạt chuẩn." in recognised
    assert "🏫 Xã chưa xác nhận đơn vị này." in recognised
    assert (
        "✅ Xã đã xem phần tự đánh giá của Trường Tiểu học Đông Hòa và đưa vào danh sách đề "
        "nghị công nhận.\nXong: đã báo cho Trường Tiểu học Đông Hòa." in recognised
    )
    # Proposed, but not to be recognised until the commune confirmed the unit is real.
    assert "[🏫 Xác nhận đơn vị có thật]\n[❌ Không công nhận (ghi lý do)]" in recognised
    assert "Đã xác nhận đơn vị.\n" in recognised
    # The representative is told the unit is confirmed, then the officer sees it done.
    assert (
        "🏫 Xã đã xác nhận Trường Tiểu học Đông Hòa là đơn vị có thật. Sau khi xã xem phần tự "
        "đánh giá, đơn vị có thể được công nhận «Đơn vị học tập».\n" in recognised
    )
    assert told_recognised("Trường Tiểu học Đông Hòa", "Đơn vị học tập") in recognised
    assert "Danh hiệu: Đơn vị học tập · 🏅 đã được công nhận" in recognised
    assert not any(wording in recognised for wording in HOUSEHOLD_WORDING)
    # The representative's card.
    assert "✅ Xã đã xác nhận đơn vị." in recognised
    assert f"📋 Năm {YEAR}: 🏅 đã được công nhận" in recognised
