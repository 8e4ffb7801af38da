"""Complaint receipts: the complainant's only key to their complaint.

A receipt is 80 bits from `secrets`, written in Crockford base32 as four groups of four
(`7KQ2-M9XD-4HPA-TR3W`). It is never stored: the database keeps a short non-secret lookup key
(HMAC-SHA256 with the server-side pepper, 8 bytes, so a lookup needs no scan) and a slow hash
(Argon2id over HMAC(pepper, receipt), with its own random salt) that checks it. Without the
pepper, a stolen database gives neither the receipts nor a cheap way to test guesses.
Pure functions; hashing is CPU work, so callers run it in a thread.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
RECEIPT_BITS = 80
RECEIPT_CHARS = RECEIPT_BITS // 5  # 16
GROUP = 4
LOOKUP_BYTES = 8
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.·‐‑‒–—－]+")
# Receipt-shaped runs inside free text: four groups of four (separators optional) made of
# ASCII or full-width letters and digits, not glued to other letters or digits.
_CH = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
_SEP = r"[ \t\-‐‑–—－]?"
_IN_TEXT = re.compile(
    rf"(?<![{_CH}])[{_CH}]{{4}}(?:{_SEP}[{_CH}]{{4}}){{3}}(?![{_CH}])",
)


def new_receipt() -> str:
    """A fresh receipt, grouped for reading aloud."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_CHARS))
    return format_receipt(raw)


def format_receipt(canonical: str) -> str:
    return "-".join(canonical[i : i + GROUP] for i in range(0, len(canonical), GROUP))


def normalise(text: str) -> str | None:
    """The canonical 16 characters of a typed receipt, or None when it cannot be one.

    Case, spaces and dashes do not matter, full-width characters count as their ASCII twins,
    and I/L read as 1, O as 0 (Crockford's rule for misread characters).
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    compact = _SEPARATORS.sub("", folded).translate(_CONFUSABLE)
    if len(compact) != RECEIPT_CHARS or any(c not in ALPHABET for c in compact):
        return None
    return compact


def lookup_key(pepper: bytes, canonical: str) -> str:
    """The non-secret index of a receipt: finds its row without revealing the receipt."""
    digest = hmac.new(pepper, b"lookup:" + canonical.encode(), hashlib.sha256).digest()
    return digest[:LOOKUP_BYTES].hex()


@dataclass(frozen=True)
class HashParams:
    """Argon2id cost; production: time_cost 3, memory 65536 KiB, parallelism 4 (RFC 9106)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


def _hasher(params: HashParams) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


def _peppered(pepper: bytes, canonical: str) -> bytes:
    return hmac.new(pepper, b"receipt:" + canonical.encode(), hashlib.sha256).digest()


def hash_receipt(pepper: bytes, canonical: str, params: HashParams) -> str:
    """The slow salted hash stored for a receipt (Argon2id's encoded form: params and salt)."""
    return _hasher(params).hash(_peppered(pepper, canonical))


def verify_receipt(pepper: bytes, canonical: str, stored: str) -> bool:
    """True when `canonical` is the receipt behind `stored` (params are read from it)."""
    try:
        return _hasher(HashParams()).verify(stored, _peppered(pepper, canonical))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def find_in_text(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are receipts (so they can be removed before storing)."""
    spans: list[tuple[int, int]] = []
    for match in _IN_TEXT.finditer(text):
        chunk = match.group(0)
        if normalise(chunk) is None:
            continue
        grouped = any(not c.isalnum() for c in chunk)
        if grouped or any(c.isdigit() for c in unicodedata.normalize("NFKC", chunk)):
            spans.append(match.span())
    return spans


def redact(text: str, replacement: str) -> tuple[str, int]:
    """`text` with every receipt replaced, and how many there were."""
    spans = find_in_text(text)
    for start, end in reversed(spans):
        text = text[:start] + replacement + text[end:]
    return text, len(spans)
