"""Cutting people's text to fit a button or a message."""

from __future__ import annotations

BUTTON_MAX_CHARS = 30  # longer button texts are cut off on phones


def shorten(text: str, limit: int = BUTTON_MAX_CHARS) -> str:
    """At most `limit` characters, the last one "…" when cut (for a button)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(text: str, limit: int) -> str:
    """The first `limit` characters and "…" when longer (for a preview in a message)."""
    return text if len(text) <= limit else text[:limit] + "…"
