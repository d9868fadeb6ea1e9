"""The gettext marker usable everywhere, including code that must not import aiogram."""


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a msgid for extraction; it is translated later, where it is shown."""
    return msgid
