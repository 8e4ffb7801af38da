"""A complaint's files, handled the way GlobaLeaks handles a whistleblower's: only the types
reports accept, and what the file says about its author removed before staff receive it.

- JPEG and PNG sent as files: re-encoded from their pixels (Pillow), after turning them upright
  by their EXIF orientation, so EXIF (camera, time, GPS), XMP, IPTC, ICC and text chunks go.
  (Pictures sent as *photos* are re-encoded by Telegram, which drops their metadata.)
- PDF (pypdf): the pages are copied into a new document; the info dictionary (author,
  creator, dates) and XMP metadata, also per page, are left behind. An encrypted PDF cannot be
  rewritten: it is refused.
- Word, Excel, PowerPoint (OOXML, a zip): `docProps/core.xml`, `app.xml` and `custom.xml` are
  replaced by empty ones. Authors of comments and tracked changes inside the document itself
  are not touched (said in docs/anonymity.md).
- Anything else, or a file that does not parse as its type: refused, with the reason.

Pure functions on bytes; the handler downloads and uploads.
"""

from __future__ import annotations

import io
import mimetypes
import zipfile
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf", **OOXML}
_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
    b'properties"/>'
)
_EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-'
    b'properties"/>'
)
_OOXML_PROPS = {
    "docProps/core.xml": _EMPTY_CORE,
    "docProps/app.xml": _EMPTY_APP,
    "docProps/custom.xml": _EMPTY_CUSTOM,
}


class Refused(StrEnum):
    TYPE = "type"  # not a type complaints accept
    UNREADABLE = "unreadable"  # does not parse as its type (or is encrypted)


def type_allowed(allowed_mime: tuple[str, ...], mime: str | None, file_name: str | None) -> bool:
    """Both the declared type and the type the file's name says must be allowed and strippable
    (`evil.exe` declared as a PDF is refused)."""
    declared = (mime or "").lower()
    if declared not in allowed_mime or declared not in EXTENSIONS:
        return False
    by_name = mimetypes.guess_type(file_name or "")[0] if file_name else None
    return by_name is None or by_name.lower() == declared


def strip(mime: str, data: bytes) -> bytes | Refused:
    """The file without its metadata, or why it cannot be kept."""
    kind = mime.lower()
    try:
        if kind in (JPEG, PNG):
            return _image(data, "JPEG" if kind == JPEG else "PNG")
        if kind == PDF:
            return _pdf(data)
        if kind in OOXML:
            return _ooxml(data)
    except (UnidentifiedImageError, OSError, PdfReadError, zipfile.BadZipFile, ValueError):
        return Refused.UNREADABLE
    return Refused.TYPE


def _image(data: bytes, fmt: str) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened) or opened
        mode = "RGB" if fmt == "JPEG" else ("RGBA" if "A" in upright.getbands() else "RGB")
        pixels = upright.convert(mode)
        clean = Image.new(mode, pixels.size)
        clean.paste(pixels)  # pixels only: nothing of `info` comes along
    out = io.BytesIO()
    clean.save(out, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return out.getvalue()


def _pdf(data: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("an encrypted PDF cannot be rewritten")
    writer = PdfWriter()
    for page in reader.pages:
        added = writer.add_page(page)
        for key in ("/Metadata", "/PieceInfo"):
            if key in added:
                del added[NameObject(key)]
    writer.add_metadata({"/Producer": ""})  # pypdf would name itself; say nothing
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _ooxml(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        if "[Content_Types].xml" not in source.namelist():
            raise ValueError("not an Office Open XML file")
        for info in source.infolist():
            body = _OOXML_PROPS.get(info.filename) or source.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)  # zip entries keep no author's clock either
    return out.getvalue()


def metadata_found(mime: str | None, data: bytes) -> list[str]:
    """What identifying metadata a file carries (for staff: a report's files are passed on
    as sent, and staff are told): e.g. `GPS`, `camera`, `author`."""
    kind = (mime or "").lower()
    found: list[str] = []
    try:
        if kind in (JPEG, PNG):
            with Image.open(io.BytesIO(data)) as image:
                exif = image.getexif()
                if exif.get_ifd(0x8825):
                    found.append("GPS")
                if exif.get(0x010F) or exif.get(0x0110):
                    found.append("camera")
                if exif.get(0x0132) or exif.get_ifd(0x8769).get(0x9003):
                    found.append("time")
        elif kind == PDF:
            info = PdfReader(io.BytesIO(data)).metadata
            if info is not None and info.get("/Author"):
                found.append("author")
            if info is not None and (info.get("/Creator") or info.get("/Producer")):
                found.append("software")
        elif kind in OOXML:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                core = (
                    archive.read("docProps/core.xml")
                    if "docProps/core.xml" in (archive.namelist())
                    else b""
                )
            if b"creator>" in core or b"lastModifiedBy>" in core:
                found.append("author")
    except (UnidentifiedImageError, OSError, PdfReadError, zipfile.BadZipFile, ValueError):
        return found
    return found
