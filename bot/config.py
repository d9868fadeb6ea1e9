"""Settings from the environment and `.env` (pydantic-settings).

A bad or missing value becomes one `ConfigError` line that names the variable and says what
is expected, so a commune's IT clerk can fix it without reading a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.outbox import QuietHours, parse_quiet_hours

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/hoctap.db"
SUPPORTED_LOCALES = ("vi", "en")
TELEGRAM_RATE = 30  # messages a second, for the whole bot

_EXPECTED = {
    "BOT_TOKEN": "the token from @BotFather, like 123456:ABC-DEF...",
    "DATABASE_URL": "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db",
    "REDIS_URL": "redis://host:6379/0",
    "ADMIN_IDS": "Telegram user ids separated by commas, like 12345,67890",
    "DEFAULT_LOCALE": "vi or en",
    "TIMEZONE": "an IANA time zone such as Asia/Ho_Chi_Minh",
    "TELEGRAM_API_BASE": "the base URL of a Bot API server, like http://127.0.0.1:8081",
    "WEBHOOK_URL": "the public https URL Telegram posts updates to",
    "WEBHOOK_SECRET": "1-256 characters from A-Z, a-z, 0-9, _ and -",
    "WEBHOOK_HOST": "the address the webhook server listens on, like 0.0.0.0",
    "WEBHOOK_PORT": "a port number from 1 to 65535",
    "WEBHOOK_PATH": "a path starting with /, like /telegram",
    "SEND_RATE": (
        "messages per second for reminders and broadcasts, from 1 to 30 (more only for a "
        "Bot API server on this machine, as the benchmarks use)"
    ),
    "QUIET_HOURS": "local hours when bulk messages wait, like 21:00-07:00, or off",
}


def _on_this_machine(url: str | None) -> bool:
    return url is not None and urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


class ConfigError(Exception):
    """A settings problem, already phrased as one line for the operator."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    telegram_api_base: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = Field(default="/telegram", pattern=r"^/")
    send_rate: float = Field(default=25.0, ge=1)
    quiet_hours: str = "21:00-07:00"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("unknown time zone") from error
        return value

    @field_validator("send_rate")
    @classmethod
    def _within_telegrams_limit(cls, value: float, info: ValidationInfo) -> float:
        # Telegram takes about 30 messages a second from a bot in all. Only a Bot API server
        # on this machine, a stand-in as the benchmarks use, may be sent more: measuring what
        # the workers can process needs Telegram's pace out of the way.
        if value > TELEGRAM_RATE and not _on_this_machine(info.data.get("telegram_api_base")):
            raise ValueError("above Telegram's limit")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)  # ValueError for anything else
        return value

    @property
    def quiet(self) -> QuietHours:
        return parse_quiet_hours(self.quiet_hours)

    @field_validator("database_url")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("unsupported database driver")
        return value

    @field_validator(
        "redis_url",
        "telegram_api_base",
        "webhook_url",
        "webhook_secret",
        "bot_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None

    def effective_webhook_secret(self) -> str:
        """The configured secret, else one derived from the token (same for every worker)."""
        if self.webhook_secret:
            return self.webhook_secret
        token = (self.token or "").encode()
        return hmac.new(token, b"hoctap-webhook", hashlib.sha256).hexdigest()

    def sqlite_path(self) -> Path | None:
        """The database file when the database is SQLite, else None."""
        if not self.database_url.startswith("sqlite"):
            return None
        return Path(self.database_url.split(":///", 1)[1])


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning the first validation problem into a one-line ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        expected = _EXPECTED.get(name, first["msg"])
        raise ConfigError(f"{name} is not valid: expected {expected}.") from None
