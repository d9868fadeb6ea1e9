"""Settings from the environment and `.env`: one-line errors, parsing, the webhook secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, Settings, load_settings

VARIABLES = (
    "BOT_TOKEN",
    "DATABASE_URL",
    "REDIS_URL",
    "ADMIN_IDS",
    "DEFAULT_LOCALE",
    "TIMEZONE",
    "TELEGRAM_API_BASE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "WEBHOOK_PATH",
)
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the developer's shell or the project's own `.env`."""
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


BAD_VALUES = [
    ("TIMEZONE", "Mars/Olympus"),
    ("TIMEZONE", "UTC+7"),
    ("TIMEZONE", "../../etc/passwd"),
    ("ADMIN_IDS", "12345,abc"),
    ("ADMIN_IDS", "1.5"),
    ("WEBHOOK_PORT", "http"),
    ("WEBHOOK_PORT", "0"),
    ("WEBHOOK_PORT", "65536"),
    ("DEFAULT_LOCALE", "fr"),
    ("DATABASE_URL", "mysql://root@localhost/hoctap"),
    ("DATABASE_URL", "sqlite:///data/hoctap.db"),
    ("DATABASE_URL", "postgresql://postgres@localhost/hoctap"),
    ("WEBHOOK_SECRET", "my secret"),
    ("WEBHOOK_SECRET", "x" * 257),
    ("WEBHOOK_PATH", "telegram"),
    ("SEND_RATE", "0"),
    ("SEND_RATE", "31"),  # over Telegram's limit for the whole bot
]


@pytest.mark.parametrize(
    ("name", "value"), BAD_VALUES, ids=[f"{n}={v[:20]}" for n, v in BAD_VALUES]
)
def test_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError) as raised:
        load_settings()

    message = str(raised.value)
    assert message.startswith(f"{name} is not valid")
    assert "\n" not in message
    assert raised.value.__suppress_context__, "the operator sees no pydantic traceback"


def test_bad_value_in_dotenv_is_reported_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("WEBHOOK_PORT=eighty\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"^WEBHOOK_PORT is not valid"):
        load_settings()


GOOD_VALUES = [
    ("ADMIN_IDS", "1, 2;3", "admin_ids", frozenset({1, 2, 3})),
    ("ADMIN_IDS", "12345", "admin_ids", frozenset({12345})),
    ("ADMIN_IDS", "", "admin_ids", frozenset()),
    ("BOT_TOKEN", "   ", "bot_token", None),
    ("DEFAULT_LOCALE", "en", "default_locale", "en"),
    ("TIMEZONE", "Asia/Bangkok", "timezone", "Asia/Bangkok"),
    ("WEBHOOK_PORT", "8443", "webhook_port", 8443),
    ("WEBHOOK_PATH", "/hook/abc", "webhook_path", "/hook/abc"),
    ("WEBHOOK_SECRET", "s3cret_Value-1", "webhook_secret", "s3cret_Value-1"),
    (
        "DATABASE_URL",
        "postgresql+asyncpg://bot@db/hoctap",
        "database_url",
        "postgresql+asyncpg://bot@db/hoctap",
    ),
]


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    GOOD_VALUES,
    ids=[f"{n}={v!r}" for n, v, _, _ in GOOD_VALUES],
)
def test_good_value_parses(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(name, value)

    assert getattr(load_settings(), field) == expected


@pytest.mark.parametrize(
    ("base", "allowed"),
    [
        ("http://127.0.0.1:8081", True),
        ("http://localhost:8081", True),
        ("https://api.telegram.org", False),
        ("http://10.0.0.5:8081", False),  # a Bot API server elsewhere still talks to Telegram
    ],
)
def test_a_send_rate_over_telegrams_limit_only_for_a_bot_api_server_on_this_machine(
    monkeypatch: pytest.MonkeyPatch, base: str, allowed: bool
) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE", base)
    monkeypatch.setenv("SEND_RATE", "1000")
    if allowed:
        assert load_settings().send_rate == 1000
    else:
        with pytest.raises(ConfigError, match=r"^SEND_RATE is not valid"):
            load_settings()


# A blank line like `REDIS_URL=` in `.env` means "not set" for every optional value.
BLANK_IS_UNSET = [
    pytest.param("BOT_TOKEN", id="BOT_TOKEN"),
    pytest.param("REDIS_URL", id="REDIS_URL"),
    pytest.param("TELEGRAM_API_BASE", id="TELEGRAM_API_BASE"),
    pytest.param("WEBHOOK_URL", id="WEBHOOK_URL"),
    pytest.param("WEBHOOK_SECRET", id="WEBHOOK_SECRET"),
]


@pytest.mark.parametrize("name", BLANK_IS_UNSET)
def test_blank_optional_value_is_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, " ")

    assert getattr(load_settings(), name.lower()) is None


def test_defaults_need_no_environment() -> None:
    settings = load_settings()

    assert settings.token is None
    assert settings.admin_ids == frozenset()
    assert (settings.default_locale, settings.timezone) == ("vi", "Asia/Ho_Chi_Minh")
    assert settings.database_url == DEFAULT_DATABASE_URL


def test_default_database_is_a_sqlite_file_under_data() -> None:
    path = load_settings().sqlite_path()

    assert path is not None
    assert path.parent == Path("data")
    assert path.suffix == ".db"


def test_postgresql_has_no_sqlite_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/hoctap")

    assert load_settings().sqlite_path() is None


def test_dotenv_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TOKEN}\nADMIN_IDS=7;8\nDEFAULT_LOCALE=en\nTIMEZONE=Asia/Bangkok\n",
        encoding="utf-8",
    )

    settings = load_settings()

    assert settings.token == TOKEN
    assert settings.admin_ids == frozenset({7, 8})
    assert (settings.default_locale, settings.timezone) == ("en", "Asia/Bangkok")


def test_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_LOCALE=en\n", encoding="utf-8")
    monkeypatch.setenv("DEFAULT_LOCALE", "vi")

    assert load_settings().default_locale == "vi"


def test_derived_webhook_secret_is_stable_per_token() -> None:
    first = load_settings(bot_token=TOKEN).effective_webhook_secret()
    second = load_settings(bot_token=TOKEN).effective_webhook_secret()
    other = load_settings(bot_token="987654321:ZZZ-other").effective_webhook_secret()

    assert first == second
    assert first != other
    assert TOKEN not in first


@pytest.mark.parametrize("token", [TOKEN, None], ids=["token", "no-token"])
def test_derived_webhook_secret_is_valid_for_telegram(token: str | None) -> None:
    secret = load_settings(bot_token=token).effective_webhook_secret()

    assert TELEGRAM_SECRET.fullmatch(secret)


def test_configured_webhook_secret_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", "chosen-by-admin")

    assert load_settings(bot_token=TOKEN).effective_webhook_secret() == "chosen-by-admin"


def test_token_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)

    settings = load_settings()

    assert settings.token == TOKEN
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)


def test_load_settings_returns_settings() -> None:
    assert isinstance(load_settings(), Settings)
