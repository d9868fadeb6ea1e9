"""The commune's year as a scripted `hoctap console` session, in Vietnamese: after the hamlet
workflow (an invited head registers a family, which claims its household, self-assesses and
is confirmed), the officer imports a roster, sets the year's target and a deadline, reads
/stats and its chart, exports the Excel list, recognises the family by decision, and reads
the audit log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.test_console_hamlet import VIETNAMESE, run_hamlet_workflow, sitting

YEAR = date.today().year


ROSTER = (
    "Thôn,Họ tên chủ hộ,Điện thoại,Số người\n"
    "Thôn Đông,Trần Văn Bảy,0913 000 001,4\n"
    "Thôn Đoài,Phạm Thị Tám,0913 000 002,3\n"
    "Thôn Không Có,Lê Chín,0913 000 003,2\n"
)


def officer_runs_the_year(roster: Path) -> list[str]:
    return [
        "@user 1001 Officer",
        "@lang vi",
        "/start",
        "> 🏛 Quản lý xã",
        "> Xã Đông Hòa",
        "> 📥 Nhập danh sách hộ",
        f"@file {roster}",
        "> ✅ Nhập 2 dòng hợp lệ, bỏ qua phần còn lại",
        "> ⬅️ Quay lại",
        "> 🎯 Chỉ tiêu",
        "> Xã Đông Hòa: 70%, theo chỉ tiêu quốc gia",
        "80",
        "> ⬅️ Quay lại",
        "> 📅 Mốc thời gian",
        "> Hạn cuối tự đánh giá: chưa đặt",
        f"31/12/{YEAR}",
        "> ⬅️ Quay lại",
        "> 📊 Số liệu của xã",
        "> 📈 Biểu đồ",
        "> 📤 Xuất danh sách (Excel)",
        "> ⬅️ Quay lại",
        "> 🏅 Công nhận các hộ",
        "> ☑️ Chọn tất cả",
        "> 🏅 Công nhận các hộ đã chọn",
        "125/QĐ-UBND",
        "> 📅 Hôm nay",
        "> ✅ Đồng ý công nhận",
        "/audit",
    ]


def test_the_commune_year_in_vietnamese(tmp_path: Path) -> None:
    run_hamlet_workflow(tmp_path, VIETNAMESE)

    roster = tmp_path / "danh-sach.csv"
    roster.write_text(ROSTER, encoding="utf-8")

    out = sitting(tmp_path, officer_runs_the_year(roster), "--as-admin")

    assert "❌ Dòng có lỗi: 1" in out
    assert "Dòng 4, cột Thôn “Thôn Không Có”" in out
    assert "✅ Đã nhập 2 hộ vào Xã Đông Hòa." in out

    assert "Xã Đông Hòa: 80%" in out
    assert f"Hạn cuối tự đánh giá: 31 tháng 12, {YEAR}" in out
    assert "🏠 Số hộ: 3" in out  # the family and the roster's two
    assert "✅ Trưởng thôn đã xác nhận: 1 (33%)" in out
    assert "🎯 Còn thiếu 3 hộ được công nhận để đạt 80%." in out
    assert "1. Thôn Đoài: 📝 0% · 🏅 0% · còn thiếu 1 hộ đăng ký" in out
    assert "[🖼 photo]" in out  # the chart
    assert f"[📎 xa-dong-hoa-{YEAR}.xlsx]" in out
    assert "Lê Thị Cúc · Thôn Đông" in out
    assert "🏅 Đã công nhận: 1 hộ. Các gia đình đã được báo." in out
    assert "theo quyết định số 125/QĐ-UBND" in out  # what the family is told
    assert "📜 Các thao tác gần đây: Tỉnh Minh Họa (dữ liệu thử)" in out
    assert (
        f"· 👤 1001 · đã công nhận các hộ · DEMO-01 · năm {YEAR}, 1 hộ, quyết định 125/QĐ-UBND"
        in out
    )
    assert f"· 👤 1001 · đã đặt chỉ tiêu · DEMO-01 · năm {YEAR}, chỉ tiêu 80%" in out
    assert "· 👤 2002 · đã đăng ký giúp một gia đình ·" in out
    assert "Lê Thị Cúc" not in out.split("📜")[-1]  # the audit names nobody
