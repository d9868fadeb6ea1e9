"""The hamlet as a learning community, as a scripted `hoctap console` session in Vietnamese:
after the hamlet workflow (one family confirmed), the head self-assesses the hamlet, answering
only what the bot cannot count, and the commune verifies it and recognises it by a decision
(its number and day), which the head is told."""

from __future__ import annotations

from pathlib import Path

from tests.test_console_groups import recognises_by_decision, told_recognised
from tests.test_console_hamlet import VIETNAMESE, run_hamlet_workflow, sitting


def head_assesses_the_hamlet() -> list[str]:
    return [
        "@user 2002 Hoa",
        "@lang vi",
        "/start",
        "> 🏘 Thôn của tôi",
        "> 🏘 Thôn học tập: tự đánh giá",
        "> Từ 4 buổi trở lên",
        "> Có",
        "> Có",
        "> 📤 Gửi lên xã",
    ]


def commune_recognises_it() -> list[str]:
    return [
        "@user 1001 Officer",
        "@lang vi",
        "/start",
        "> 🏛 Quản lý xã",
        "> Xã Đông Hòa",
        "> 👥 Dòng họ, đơn vị, thôn",
        "> 🏘 Thôn Đông",
        "> ✅ Xác nhận và đề nghị",
        *recognises_by_decision(),
    ]


def test_a_hamlet_goes_from_self_assessment_to_recognition_in_vietnamese(tmp_path: Path) -> None:
    run_hamlet_workflow(tmp_path, VIETNAMESE)

    assessed = sitting(tmp_path, head_assesses_the_hamlet())
    assert "Câu 1/3" in assessed
    assert "Số liệu bot đã tính" in assessed
    # One household on the roster, registered and confirmed by the head: 1 of 1.
    assert "1/1" in assessed
    assert "Tổng điểm: 100/100" in assessed
    assert "Kết quả này đạt chuẩn «Cộng đồng học tập»." in assessed

    recognised = sitting(tmp_path, commune_recognises_it(), "--as-admin")
    assert "Danh hiệu: Cộng đồng học tập" in recognised
    assert "Xong: đã báo cho Thôn Đông." in recognised
    assert "🏘 Thôn Đông · đã tự đánh giá, đang chờ xã xem" in recognised  # the commune's list
    assert told_recognised("Thôn Đông", "Cộng đồng học tập") in recognised
    assert "Danh hiệu: Cộng đồng học tập · 🏅 đã được công nhận" in recognised
