"""Complaint texts at rest: a data key per complaint (AES-256-GCM), wrapped by a key-encryption
key (KEK) that comes from the server's configuration, never from the database.

AES-GCM rather than Fernet: a Fernet token carries the instant it was made in clear (its
first bytes are a timestamp), and a complaint must keep no instant (docs/anonymity.md). GCM
also takes associated data: every ciphertext is bound to its complaint and its column, so a
ciphertext copied to another row does not open. Nonces are 96 random bits; a data key seals a
few dozen texts in its life, far below GCM's limit for random nonces.

Pure functions; the keys' storage and the shredding live in `storage.cases.sealing`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sealed:v1:"
NONCE_BYTES = 12
KEY_BYTES = 32


class Unreadable(Exception):
    """A sealed text or a wrapped key that does not open with the keys at hand."""


@dataclass(frozen=True)
class Kek:
    """A key-encryption key and its short public id (stored beside each wrapped key)."""

    key_id: str
    key: bytes = field(repr=False)


def kek_from_secret(secret: str | bytes, *, label: bytes = b"hotline data keys v1") -> Kek:
    """The KEK derived (HKDF-SHA256) from a configured secret; its id names it in the keyring."""
    material = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label).derive(material)
    key_id = hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:12]
    return Kek(key_id=key_id, key=key)


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _key_aad(case_id: int, kek: Kek) -> bytes:
    return f"data key:{case_id}:{kek.key_id}".encode()


def wrap(kek: Kek, case_id: int, data_key: bytes) -> bytes:
    """The data key sealed under the KEK, bound to its complaint and to the KEK's id."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(kek.key).encrypt(nonce, data_key, _key_aad(case_id, kek))


def unwrap(kek: Kek, case_id: int, wrapped: bytes) -> bytes:
    try:
        return AESGCM(kek.key).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _key_aad(case_id, kek)
        )
    except (InvalidTag, ValueError) as error:
        raise Unreadable("the data key does not open with this key-encryption key") from error


def is_sealed(value: str | None) -> bool:
    return value is not None and value.startswith(PREFIX)


def _aad(case_id: int, column: str) -> bytes:
    return f"complaint:{case_id}:{column}".encode()


def seal(data_key: bytes, case_id: int, column: str, text: str) -> str:
    """`text` as a printable ciphertext for a text column (`sealed:v1:` + base64url)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, text.encode(), _aad(case_id, column))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def open_sealed(data_key: bytes, case_id: int, column: str, value: str) -> str:
    """The text back; `Unreadable` when it was not sealed with this key for this column."""
    if not is_sealed(value):
        raise Unreadable("not a sealed text")
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX) :].encode("ascii"))
        plain = AESGCM(data_key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(case_id, column)
        )
    except (InvalidTag, ValueError) as error:
        raise Unreadable("the text does not open with this data key") from error
    return plain.decode()


def seal_bytes(data_key: bytes, case_id: int, column: str, data: bytes) -> bytes:
    """Bytes sealed the same way (the bureau's copy of an evidence file): nonce + ciphertext."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, data, _aad(case_id, column))


def open_bytes(data_key: bytes, case_id: int, column: str, sealed: bytes) -> bytes:
    try:
        return AESGCM(data_key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(case_id, column)
        )
    except (InvalidTag, ValueError) as error:
        raise Unreadable("the data does not open with this data key") from error
