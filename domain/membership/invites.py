"""Invite tokens: how they look, how they are checked, how they are stored.

A token travels in a Telegram deep link (`/start <token>`), so it must fit Telegram's start
payload: at most 64 characters of A-Z a-z 0-9 _ -. Only its SHA-256 is stored, so a copy of the
database cannot be used to join a unit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum

START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TOKEN_BYTES = 24  # 192 bits; token_urlsafe gives 32 characters from the payload alphabet


class InviteRefusal(StrEnum):
    """Why an invite could not be used."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"


def new_token() -> str:
    """A fresh random invite token that is a valid start payload."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_valid_payload(text: str) -> bool:
    """Whether `text` could be a Telegram deep-link start payload at all."""
    return bool(START_PAYLOAD.match(text))


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def refusal(
    *, now: datetime, expires_at: datetime, uses: int, max_uses: int, revoked: bool
) -> InviteRefusal | None:
    """Why a known invite cannot be used now, or None when it can."""
    if revoked:
        return InviteRefusal.REVOKED
    if now >= expires_at:
        return InviteRefusal.EXPIRED
    if uses >= max_uses:
        return InviteRefusal.USED_UP
    return None


def deep_link(bot_username: str, token: str) -> str:
    """The t.me link that opens the bot with the token as start payload."""
    return f"https://t.me/{bot_username}?start={token}"
