"""The hotline's pure rules: staff pseudonyms, the self-identification check, duplicate
fingerprints, ratings and retention (the throttles' rules: `domain.hotline.throttle`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.hotline.receipts import ALPHABET, HashParams
from domain.hotline.throttle import ThrottlePolicy

PSEUDONYM_PREFIX = "C-"
PSEUDONYM_CHARS = 4
MIN_NAME_CHARS = 2


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


def new_pseudonym() -> str:
    """A staff-facing name for a complaint (`C-7F3K`), random, unrelated to the receipt."""
    return PSEUDONYM_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(PSEUDONYM_CHARS))


def is_pseudonym(text: str) -> bool:
    return re.fullmatch(rf"C-[{ALPHABET}]{{4,8}}", text) is not None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def self_mentions(text: str, names: Iterable[str | None]) -> list[str]:
    """The sender's own names (first, last, username) that appear in `text`, ignoring case."""
    folded = _fold(text)
    found: list[str] = []
    for name in names:
        if not name:
            continue
        probe = _fold(name.strip().lstrip("@"))
        if len(probe) >= MIN_NAME_CHARS and probe in folded and name not in found:
            found.append(name)
    return found


def fingerprint(key: bytes, text: str, day: date) -> str:
    """A keyed hash of the normalised text and the day: finds duplicates, reveals nothing."""
    canonical = "".join(_fold(text).split())  # spacing never makes a new complaint
    message = f"{day.isoformat()}\n{canonical}".encode()
    return hmac.new(key, b"dup:" + message, hashlib.sha256).hexdigest()


def purge_cutoff(today: date, retention_days: int) -> date:
    """Closed complaints whose closing day is before this day are purged."""
    return today - timedelta(days=retention_days)


@dataclass(frozen=True)
class UnitChoice:
    id: int
    code: str
    name: str


def match_units(query: str, units: Iterable[UnitChoice], limit: int = 8) -> list[UnitChoice]:
    """Units whose name or code contains the query (ignoring case and width), best first."""
    probe = _fold(query.strip())
    if not probe:
        return []
    hits = [u for u in units if probe in _fold(u.name) or probe == _fold(u.code)]
    hits.sort(key=lambda u: (not _fold(u.name).startswith(probe), len(u.name), u.code))
    return hits[:limit]


@dataclass(frozen=True)
class HotlinePolicy:
    """The hotline's settings as handlers and storage use them."""

    pepper: bytes = field(repr=False)
    hash_params: HashParams
    max_per_day: int
    retention_days: int
    max_evidence_files: int
    max_file_bytes: int
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)


def _push_key(pepper: bytes) -> bytes:
    return hmac.new(pepper, b"hotline push link v1", hashlib.sha256).digest()


def seal_chat(pepper: bytes, case_id: int, chat_id: int) -> bytes:
    """The chat id encrypted (AES-256-GCM, key from the pepper, bound to the complaint)."""
    nonce = secrets.token_bytes(12)
    aad = f"complaint:{case_id}".encode()
    return nonce + AESGCM(_push_key(pepper)).encrypt(nonce, str(chat_id).encode(), aad)


def unseal_chat(pepper: bytes, case_id: int, sealed: bytes) -> int | None:
    """The chat id back, or None when the link does not open with this pepper."""
    try:
        plain = AESGCM(_push_key(pepper)).decrypt(
            sealed[:12], sealed[12:], f"complaint:{case_id}".encode()
        )
        return int(plain.decode())
    except (InvalidTag, ValueError):
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """The text without control and direction-changing characters, trimmed."""
    return _CONTROL.sub("", text).strip()
