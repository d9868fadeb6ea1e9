"""The hamlet workflow as scripted `hoctap console` sessions, in Vietnamese, on one database:
the commune invites a hamlet head, who registers a family without a smartphone; the family
claims its household with the code, self-assesses, and the head confirms it.

The invitation token and the claim code are random, so the script runs in four sittings and
each takes what the previous one printed, as the people would pass it on by hand."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_console import run_console
from tests.test_console_household import best_answers_script

OFFICER_INVITES = [
    "/start",
    "> 🏛 Trưởng thôn",
    "> Xã Đông Hòa",
    "> ✉️ Mời trưởng thôn",
    "> Thôn Đông",
]


def head_accepts_and_registers(token: str) -> list[str]:
    return [
        "@user 2002 Hoa",
        f"/start {token}",
        "> ✅ Vâng, tôi nhận",
        "/start",
        "> 🏘 Thôn của tôi",
        "> 📝 Đăng ký giúp một gia đình",
        "> 📅 Hôm nay",
        "lê thị cúc",
        "0987 111 222",
        "> 4",
        "> 2",
        "> ✅ Đồng ý đăng ký",
    ]


def family_claims_and_assesses(code: str) -> list[str]:
    return [
        "@user 3003 Cuc",
        "/start",
        "> 🔗 Tôi có mã hộ",
        "> ✅ Tôi đồng ý",
        code,
        "/start",
        "> 📋 Tự đánh giá",
        *best_answers_script(),
        "> 📤 Gửi trưởng thôn",
    ]


HEAD_VERIFIES = [
    "@user 2002 Hoa",
    "/start",
    "> 🏘 Thôn của tôi",
    "> ✅ Xác nhận tự đánh giá (1)",
    "> 📋 Lê Thị Cúc",
    "> ✅ Xác nhận",
    "> ⬅️ Quay lại",
    "> 📊 Số liệu của thôn",
]


def sitting(folder: Path, lines: list[str], *options: str) -> str:
    session = run_console(folder, "\n".join(lines) + "\n", *options)
    assert session.returncode == 0
    assert session.problems == [], session.stdout[-3000:]
    return session.stdout


def test_the_hamlet_workflow_in_vietnamese(tmp_path: Path) -> None:
    invited = sitting(tmp_path, OFFICER_INVITES, "--as-admin")
    assert "✉️ Lời mời làm trưởng thôn Thôn Đông" in invited
    assert "[🖼 photo]" in invited  # the QR code to print
    token = re.findall(r"start=(inv_[A-Za-z0-9_-]+)", invited)[-1]

    registered = sitting(tmp_path, head_accepts_and_registers(token))
    assert "✅ Bạn đã là trưởng thôn Thôn Đông." in registered
    assert "👤 Chủ hộ: Lê Thị Cúc" in registered
    assert "📱 Điện thoại: +84987111222" in registered
    code = re.search(r"Mã nhận hộ của gia đình:\s+((?:[A-Z0-9] ){5}[A-Z0-9])", registered)
    assert code is not None

    assessed = sitting(tmp_path, family_claims_and_assesses(code.group(1)))
    assert "theo dõi được hộ gia đình Lê Thị Cúc" in assessed
    assert "Tổng điểm: 100/100" in assessed
    assert "Đã gửi bản tự đánh giá" in assessed

    verified = sitting(tmp_path, HEAD_VERIFIES)
    assert "✅ Đã xác nhận: Lê Thị Cúc. Gia đình đã được báo." in verified
    assert "Trưởng thôn đã xác nhận bản tự đánh giá" in verified  # what the family is told
    assert "✅ Trưởng thôn đã xác nhận: 1" in verified
