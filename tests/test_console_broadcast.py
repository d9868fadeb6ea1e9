"""Broadcasts as a scripted `hoctap console` session, in Vietnamese: after the hamlet
workflow (one family, one hamlet head), the officer writes to the families; the message
waits in the outbox until `@deliver`, and the progress message turns into the report. A
second broadcast is cancelled before it goes, and a family that sent /stop is left out."""

from __future__ import annotations

from pathlib import Path

from tests.test_console_hamlet import VIETNAMESE, run_hamlet_workflow, sitting


def officer_writes(text: str) -> list[str]:
    return [
        "@user 1001 Officer",
        "@lang vi",
        "/start",
        "> 🏛 Quản lý xã",
        "> Xã Đông Hòa",
        "> 📢 Gửi tin nhắn chung",
        "> 👨‍👩‍👧 Hộ gia đình",
        "> 🏠 Tất cả các hộ",
        text,
        "> ✅ Gửi ngay · số người nhận: 1",
    ]


def test_a_broadcast_in_the_console(tmp_path: Path) -> None:
    run_hamlet_workflow(tmp_path, VIETNAMESE)

    sent = sitting(
        tmp_path, [*officer_writes("Họp <thôn> tối nay & mang sổ"), "@deliver"], "--as-admin"
    )
    assert "📢 Tin nhắn từ Xã Đông Hòa:\n\nHọp <thôn> tối nay & mang sổ" in sent
    assert "— 1 message(s) sent from the outbox —" in sent
    after = sent.split("Họp <thôn> tối nay & mang sổ", 2)[2]  # the preview, then the family
    assert "✅ Đã gửi xong.\nĐã gửi: 1/1" in after

    cancelled = sitting(
        tmp_path,
        [*officer_writes("Tin thứ hai"), "> ⏹ Hủy đợt gửi tin", "@deliver"],
        "--as-admin",
    )
    assert "⏹ Đã hủy đợt gửi tin.\nĐã gửi trước khi hủy: 0/1\nKhông gửi: 1" in cancelled
    assert "— 0 message(s) sent from the outbox —" in cancelled
    assert "Tin thứ hai\n" not in cancelled.split("⏹ Đã hủy", 1)[1]

    stopped = sitting(tmp_path, ["@user 3003 Cuc", "@lang vi", "/stop"])
    assert "🔕 Đã tắt nhắc nhở và thông báo." in stopped
    nobody = sitting(tmp_path, officer_writes("Tin thứ ba")[:-1], "--as-admin")
    assert "😔 Hiện không ai trong nhóm" in nobody
