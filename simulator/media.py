"""Media helpers: image size sniffing, photo size ladders, file identifiers."""

from __future__ import annotations

import mimetypes
import secrets
import struct

PHOTO_LADDER = (90, 320, 800, 1280)
MAX_PHOTO_SIDE = 2560
FILE_ID_PREFIX = {"document": "BQACAgIAAxkBAAI", "photo": "AgACAgIAAxkBAAI"}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of a PNG, JPEG, GIF, WebP or BMP image; ``None`` otherwise."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
        if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
            return _webp_size(data)
        if data.startswith(b"BM") and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return abs(int(width)), abs(int(height))
    except struct.error:
        return None
    return None


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram keeps of a photo, smallest first (like its s/m/x/y ladder)."""
    longest = max(width, height, 1)
    sizes: list[tuple[int, int]] = []
    for side in PHOTO_LADDER:
        if side < longest:
            scale = side / longest
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    scale = min(1.0, MAX_PHOTO_SIDE / longest)
    sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    return sizes


def new_file_id(kind: str) -> str:
    """A fresh opaque ``file_id`` shaped like Telegram's."""
    return FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAAI") + secrets.token_urlsafe(36)


def new_unique_id() -> str:
    """A fresh ``file_unique_id``."""
    return "AQAD" + secrets.token_urlsafe(9)


def guess_mime(filename: str | None, declared: str | None) -> str:
    """The declared MIME type, or one guessed from the file name."""
    if declared and declared != "application/octet-stream":
        return declared
    guessed = mimetypes.guess_type(filename or "")[0]
    return guessed or declared or "application/octet-stream"


def extension_for(mime: str, filename: str | None) -> str:
    """A file extension (with dot) for the stored ``file_path``."""
    if filename and "." in filename:
        return "." + filename.rsplit(".", 1)[1][:10]
    return mimetypes.guess_extension(mime) or ""
