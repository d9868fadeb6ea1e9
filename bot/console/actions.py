"""The console's script language: one action per line (see the README)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SendText:
    text: str


@dataclass(frozen=True)
class Click:
    label: str


@dataclass(frozen=True)
class ShareContact:
    phone: str


@dataclass(frozen=True)
class SwitchUser:
    user_id: int
    name: str | None


@dataclass(frozen=True)
class SetLanguage:
    code: str


@dataclass(frozen=True)
class Restart:
    pass


@dataclass(frozen=True)
class SendFile:
    path: str


@dataclass(frozen=True)
class Deliver:
    """Send what waits in the outbox (reminders, broadcasts), up to `limit` messages."""

    limit: int | None = None


@dataclass(frozen=True)
class Remind:
    """Run the reminder rules as the scheduler would at `at` (default: now)."""

    at: datetime | None = None


@dataclass(frozen=True)
class Invalid:
    reason: str


Action = (
    SendText
    | Click
    | ShareContact
    | SendFile
    | SwitchUser
    | SetLanguage
    | Restart
    | Deliver
    | Remind
    | Invalid
)


def parse_line(line: str) -> Action | None:
    """One script line as an action; None for blank lines and `#` comments."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith(">"):
        return Click(stripped[1:].strip())
    if stripped.startswith("@"):
        return _parse_directive(stripped)
    return SendText(stripped)


def _parse_directive(line: str) -> Action:
    name, _, rest = line.partition(" ")
    rest = rest.strip()
    if name == "@contact" and re.fullmatch(r"\+?\d{6,15}", rest):
        return ShareContact(rest)
    if name == "@user":
        user_id, _, user_name = rest.partition(" ")
        if user_id.isdigit():
            return SwitchUser(int(user_id), user_name.strip() or None)
    if name == "@lang" and rest:
        return SetLanguage(rest)
    if name == "@file" and rest:
        return SendFile(rest)
    if name == "@restart" and not rest:
        return Restart()
    if name == "@deliver" and (not rest or rest.isdigit()):
        return Deliver(int(rest) if rest else None)
    if name == "@remind":
        return _remind(rest, line)
    return Invalid(f"cannot understand {line!r}")


def _remind(rest: str, line: str) -> Action:
    """`@remind` or `@remind 2026-10-18 08:00` (local time of the bot's zone)."""
    if not rest:
        return Remind()
    try:
        return Remind(datetime.fromisoformat(rest))
    except ValueError:
        return Invalid(f"cannot understand {line!r}: give a time like 2026-10-18 08:00")


def _leading_symbols_stripped(label: str) -> str:
    return re.sub(r"^[^\w]+", "", label).strip()


def find_button(label: str, candidates: list[tuple[str, Any]]) -> tuple[Any, str | None]:
    """The button whose text is `label`, else the one it is a unique prefix of.

    Candidates are (visible text, button) from the most recent message first. Returns
    (button, None) or (None, why-not). A prefix may also skip a label's leading emoji.
    """
    wanted = label.strip()
    if not wanted:
        return None, "say which button: > Label"
    for text, button in candidates:
        if text.strip() == wanted:
            return button, None
    found: dict[str, Any] = {}
    for text, button in candidates:  # newest first: keep the newest of equal labels
        if text.strip().startswith(wanted) or _leading_symbols_stripped(text).startswith(wanted):
            found.setdefault(text, button)
    if len(found) == 1:
        return next(iter(found.values())), None
    if not found:
        return None, f"no button {wanted!r}"
    return None, f"{wanted!r} matches several buttons: " + ", ".join(sorted(found))
