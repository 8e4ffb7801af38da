"""Cutting people's text to fit a button. The cut itself has one home,
`handlers.ui.limits.clip` (UTF-16 code units, the ellipsis inside the budget); a message's
preview calls it directly, a button through `shorten` with the buttons' budget."""

from __future__ import annotations

from handlers.ui.limits import clip

BUTTON_MAX_CHARS = 30  # longer button texts are cut off on phones


def shorten(text: str, limit: int = BUTTON_MAX_CHARS) -> str:
    """At most `limit` UTF-16 units, the last one "…" when cut (for a button)."""
    return clip(text, limit)
