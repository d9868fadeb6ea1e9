"""Reminder rules firing in a scripted `hoctap console` session, in Vietnamese: the officer
sets the self-assessment deadline, a family registers, and `@remind` moves the clock to the
mornings the shipped rules name: the family is reminded 14 days before, once, and
`@deliver` sends it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.test_console_hamlet import sitting
from tests.test_console_household import REGISTRATION

YEAR = date.today().year


def test_reminders_fire_in_the_console(tmp_path: Path) -> None:
    officer = [
        "@lang vi",
        "/start",
        "> 🏛 Quản lý xã",
        "> Xã Đông Hòa",
        "> 📅 Mốc thời gian",
        "> Hạn cuối tự đánh giá: chưa đặt",
        f"31/12/{YEAR}",
        "> ⬅️ Quay lại",
        "> ⏰ Nhắc nhở",
    ]
    listed = sitting(tmp_path, officer, "--as-admin")
    assert "⏰ Nhắc nhở của Xã Đông Hòa" in listed

    sitting(tmp_path, ["@user 3001 Mai", "@lang vi", *REGISTRATION[:-2]])

    before = sitting(tmp_path, [f"@remind {YEAR}-12-17 08:00", "@deliver"])
    assert "— 0 reminder(s) queued in the outbox —" in before

    due = sitting(
        tmp_path,
        [
            f"@remind {YEAR}-12-18 08:00",
            f"@remind {YEAR}-12-18 09:00",  # the same occurrence: not again
            "@deliver",
        ],
    )
    assert "— 1 reminder(s) queued in the outbox —" in due
    assert "— 0 reminder(s) queued in the outbox —" in due
    assert "Nguyễn Thị Mai: hạn tự đánh giá năm" in due
    assert "Còn 14 ngày, tính cả hôm nay." in due
    assert "— 1 message(s) sent from the outbox —" in due
