"""Clans and units as scripted `hoctap console` sessions, in Vietnamese: a family registers and
self-assesses, registers its clan with another family found by name (typed without accents),
that family says yes, and the clan self-assesses to a pass; a unit is registered, one of its
staff counts their learning-citizen self-assessment for it by its code, and the unit
self-assesses to a pass. The commune's part comes after, elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from bot.criteria_files import shipped_criteria
from bot.domain.criteria_model import Kind
from bot.domain.facts import asked
from bot.services.criteria import parsed_criteria
from tests.test_console import run_console
from tests.test_console_household import REGISTRATION, best_answers_script

GROUPS = "> 👥 Dòng họ, đơn vị học tập"
SUBMIT = "> 📤 Gửi trưởng thôn"  # a family's or a citizen's self-assessment
SUBMIT_GROUP = "> 📤 Gửi lên xã"  # a clan's or a unit's


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


def test_a_family_registers_its_clan_with_a_family_found_by_name_and_it_passes(
    tmp_path: Path,
) -> None:
    script = [
        "@user 1002 Bình",
        *registration("nguyễn văn bình", "0987 111 222", "Thôn Đông"),
        "@user 1001",
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
        "@user 1001",
        "/start",
        GROUPS,
        "> 👥 Họ Nguyễn",
        "> 📋 Tự đánh giá",
        *best_answers("dong_ho"),
        SUBMIT_GROUP,
    ]
    session = run_console(tmp_path, "\n".join(script) + "\n")
    assert session.returncode == 0
    assert session.problems == []
    out = session.stdout
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


def test_a_unit_is_registered_its_staff_count_for_it_and_it_passes(tmp_path: Path) -> None:
    first = run_console(
        tmp_path,
        "\n".join(
            [
                *REGISTRATION[:-1],
                GROUPS,
                "> 🏫 Đăng ký đơn vị",
                "Trường Tiểu học Đông Hòa",
                "> Trường học",
                "1",
                "> ✅ Đăng ký",
            ]
        )
        + "\n",
    )
    assert first.problems == []
    assert "👥 Số cán bộ, nhân viên: 1" in first.stdout
    [code] = re.findall(r"Mã đơn vị: ([A-Z0-9]{6})", first.stdout)
    assert "Xã sẽ xác nhận đơn vị." in first.stdout

    script = [
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
    second = run_console(tmp_path, "\n".join(script) + "\n")
    assert second.returncode == 0
    assert second.problems == []
    out = second.stdout
    assert "được tính cho Trường Tiểu học Đông Hòa" in out
    assert "Kết quả này đạt chuẩn «Công dân học tập»." in out
    assert f"Mã đơn vị: {code}" in out
    assert "Câu 1/4" in out  # 2a, the staff who are learning citizens, is counted
    assert "Tổng điểm: 100/100" in out
    assert "Kết quả này đạt chuẩn «Đơn vị học tập»." in out
    assert "Đã gửi bản tự đánh giá" in out
