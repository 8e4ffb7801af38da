"""Errors that storage operations raise for the callers to translate."""

from __future__ import annotations


class NotFoundError(LookupError):
    """The named row does not exist."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!r} not found")
        self.what = what
        self.key = key
