"""The hamlet workflow as scripted `hoctap console` sessions, in Vietnamese and in English, on
one database: the commune invites a hamlet head, who registers a family without a smartphone;
the family claims its household with the code, self-assesses, and the head confirms it.

The invitation token and the claim code are random, so the script runs in four sittings and
each takes what the previous one printed, as the people would pass it on by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_console import run_console
from tests.test_console_household import best_answers_script


@dataclass(frozen=True)
class Words:
    """What each person taps and reads, in one language."""

    locale: str
    hamlet_heads: str
    invite: str
    accept: str
    my_hamlet: str
    register_family: str
    today: str
    confirm_registration: str
    have_code: str
    agree: str
    self_assess: str
    submit: str
    check: str
    confirm: str
    back: str
    numbers: str
    invited: str
    appointed: str
    head_line: str
    phone_line: str
    code_intro: str
    claimed: str
    total: str
    submitted: str
    confirmed: str
    family_told: str
    confirmed_count: str


VIETNAMESE = Words(
    locale="vi",
    hamlet_heads="🏛 Quản lý xã",
    invite="✉️ Mời trưởng thôn",
    accept="✅ Vâng, tôi nhận",
    my_hamlet="🏘 Thôn của tôi",
    register_family="📝 Đăng ký giúp một gia đình",
    today="📅 Hôm nay",
    confirm_registration="✅ Đồng ý đăng ký",
    have_code="🔗 Tôi có mã hộ",
    agree="✅ Tôi đồng ý",
    self_assess="📋 Tự đánh giá",
    submit="📤 Gửi trưởng thôn",
    check="✅ Xác nhận tự đánh giá (1)",
    confirm="✅ Xác nhận",
    back="⬅️ Quay lại",
    numbers="📊 Số liệu của thôn",
    invited="✉️ Lời mời làm trưởng thôn Thôn Đông",
    appointed="✅ Bạn đã là trưởng thôn Thôn Đông.",
    head_line="👤 Chủ hộ: Lê Thị Cúc",
    phone_line="📱 Điện thoại: +84987111222",
    code_intro="Mã nhận hộ của gia đình:",
    claimed="theo dõi được hộ gia đình Lê Thị Cúc",
    total="Tổng điểm: 100/100",
    submitted="Đã gửi bản tự đánh giá",
    confirmed="✅ Đã xác nhận: Lê Thị Cúc. Gia đình đã được báo.",
    family_told="Trưởng thôn đã xác nhận bản tự đánh giá",
    confirmed_count="✅ Trưởng thôn đã xác nhận: 1",
)

ENGLISH = Words(
    locale="en",
    hamlet_heads="🏛 Commune administration",
    invite="✉️ Invite a hamlet head",
    accept="✅ Yes, I accept",
    my_hamlet="🏘 My hamlet",
    register_family="📝 Register a family",
    today="📅 Today",
    confirm_registration="✅ Confirm and register",
    have_code="🔗 I have a household code",
    agree="✅ I agree",
    self_assess="📋 Self-assessment",
    submit="📤 Submit",
    check="✅ Check self-assessments (1)",
    confirm="✅ Confirm",
    back="⬅️ Back",
    numbers="📊 My hamlet in numbers",
    invited="✉️ Invitation to become head of Thôn Đông",
    appointed="✅ You are now head of Thôn Đông.",
    head_line="👤 Head of household: Lê Thị Cúc",
    phone_line="📱 Phone: +84987111222",
    code_intro="Their claim code:",
    claimed="this phone now follows the household of Lê Thị Cúc",
    total="Total: 100/100",
    submitted="Self-assessment submitted",
    confirmed="✅ Confirmed: Lê Thị Cúc. The family has been told.",
    family_told="Your hamlet head confirmed your self-assessment",
    confirmed_count="✅ Confirmed by the hamlet head: 1",
)


def officer_invites(w: Words) -> list[str]:
    return [
        f"@lang {w.locale}",
        "/start",
        f"> {w.hamlet_heads}",
        "> Xã Đông Hòa",
        f"> {w.invite}",
        "> Thôn Đông",
    ]


def head_accepts_and_registers(w: Words, token: str) -> list[str]:
    return [
        "@user 2002 Hoa",
        f"@lang {w.locale}",
        f"/start {token}",
        f"> {w.accept}",
        "/start",
        f"> {w.my_hamlet}",
        f"> {w.register_family}",
        f"> {w.today}",
        "lê thị cúc",
        "0987 111 222",
        "> 4",
        "> 2",
        f"> {w.confirm_registration}",
    ]


def family_claims_and_assesses(w: Words, code: str) -> list[str]:
    return [
        "@user 3003 Cuc",
        f"@lang {w.locale}",
        "/start",
        f"> {w.have_code}",
        f"> {w.agree}",
        code,
        "/start",
        f"> {w.self_assess}",
        *best_answers_script(w.locale),
        f"> {w.submit}",
    ]


def head_verifies(w: Words) -> list[str]:
    return [
        "@user 2002 Hoa",
        f"@lang {w.locale}",
        "/start",
        f"> {w.my_hamlet}",
        f"> {w.check}",
        "> 📋 Lê Thị Cúc",
        f"> {w.confirm}",
        f"> {w.back}",
        f"> {w.numbers}",
    ]


def sitting(folder: Path, lines: list[str], *options: str) -> str:
    session = run_console(folder, "\n".join(lines) + "\n", *options)
    assert session.returncode == 0
    assert session.problems == [], session.stdout[-3000:]
    return session.stdout


@pytest.mark.parametrize("w", [VIETNAMESE, ENGLISH], ids=["vi", "en"])
def test_the_hamlet_workflow_in_both_languages(tmp_path: Path, w: Words) -> None:
    run_hamlet_workflow(tmp_path, w)


def run_hamlet_workflow(tmp_path: Path, w: Words) -> None:
    """The four sittings, each checked; the database is left with one confirmed family."""
    invited = sitting(tmp_path, officer_invites(w), "--as-admin")
    assert w.invited in invited
    assert "[🖼 photo]" in invited  # the QR code to print
    token = re.findall(r"start=(inv_[A-Za-z0-9_-]+)", invited)[-1]

    registered = sitting(tmp_path, head_accepts_and_registers(w, token))
    assert w.appointed in registered
    assert w.head_line in registered
    assert w.phone_line in registered
    code = re.search(re.escape(w.code_intro) + r"\s+((?:[A-Z0-9] ){5}[A-Z0-9])", registered)
    assert code is not None

    assessed = sitting(tmp_path, family_claims_and_assesses(w, code.group(1)))
    assert w.claimed in assessed
    assert w.total in assessed
    assert w.submitted in assessed

    verified = sitting(tmp_path, head_verifies(w))
    assert w.confirmed in verified
    assert w.family_told in verified  # what the family is told
    assert w.confirmed_count in verified
