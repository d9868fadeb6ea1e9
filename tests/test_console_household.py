"""The household journey as a scripted `hoctap console` session, in Vietnamese: a family
registers and self-assesses to a pass, with nothing but taps and a few typed answers."""

from __future__ import annotations

import time
from pathlib import Path

from bot.criteria_files import shipped_criteria
from bot.domain.criteria_model import Kind
from bot.services.criteria import parsed_criteria
from tests.test_console import run_console


def best_answers_script(locale: str = "vi") -> list[str]:
    """The taps that answer every question of the shipped GĐHT set with its best choice."""
    lines: list[str] = []
    for indicator in parsed_criteria(shipped_criteria()["gia_dinh"]).indicators():
        if indicator.kind == Kind.YES_NO:
            lines.append("> Có" if locale == "vi" else "> Yes")
        elif indicator.kind == Kind.RATIO:
            lines += ["> 2", "> 2"]
        else:
            options = indicator.scoring.options  # type: ignore[union-attr]
            lines.append("> " + max(options, key=lambda o: o.points).label(locale))
    return lines


REGISTRATION = [
    "/start",
    "> 📝 Đăng ký gia đình",
    "> ✅ Tôi đồng ý",
    "> 📍 Chọn xã, thôn",
    "> Xã Đông Hòa",
    "> Thôn Đoài",
    "> ✅ Đúng, lưu lại",
    "nguyễn thị mai",
    "0912 345 678",
    "> 4",
    "> 2",
    "> Trẻ em trong độ tuổi đi học đều được đến trường",
    "> ▶️ Tiếp",
    "> ✅ Đồng ý đăng ký",
    "> 🏠 Menu chính",
    "> 📋 Tự đánh giá",
]


def test_a_family_registers_and_self_assesses_to_a_pass_in_vietnamese(tmp_path: Path) -> None:
    script = [*REGISTRATION, *best_answers_script(), "> 📤 Gửi trưởng thôn", "/status"]
    started = time.monotonic()
    session = run_console(tmp_path, "\n".join(script) + "\n")
    assert session.returncode == 0
    assert session.problems == []
    out = session.stdout
    assert "Chủ hộ: Nguyễn Thị Mai" in out
    assert "+84912345678" in out
    assert "Câu 1/" in out
    assert "Tổng điểm: 100/100" in out
    assert "Kết quả này đạt chuẩn «Gia đình học tập»." in out
    assert "Đã gửi bản tự đánh giá" in out
    assert "Kết quả: 100 điểm, đạt" in out
    # The whole journey, every tap included, takes the bot well under two minutes.
    assert len(script) < 45
    assert time.monotonic() - started < 120
