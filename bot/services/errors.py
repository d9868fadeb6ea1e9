"""Errors services raise; handlers turn them into localized messages."""


class ServiceError(Exception):
    """A refused or impossible action; `msgid` is an English catalog id with placeholders."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


class NotAllowed(ServiceError):
    """The actor's roles or scope do not cover this action."""
