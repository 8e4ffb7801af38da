"""A complaint's files lose their metadata (domain.hotline.evidence): a JPEG with GPS EXIF, a
PDF with an author and XMP, a Word file's document properties; other types and files that do
not parse as their type are refused."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pypdf import PdfReader, PdfWriter

from domain.cases.reports import DEFAULT_ALLOWED_MIME
from domain.hotline import evidence

AUTHOR = "Zhang Sanfeng"
DOCX = evidence.OOXML and next(iter(evidence.OOXML))


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0110] = "Model X"
    exif[0x0132] = "2027:03:10 08:15:00"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 7.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf_with_author() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": "Word for Mac"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_author() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "docProps/core.xml",
            f"<cp:coreProperties><dc:creator>{AUTHOR}</dc:creator></cp:coreProperties>",
        )
        z.writestr("word/document.xml", "<w:document>正文</w:document>")
    return out.getvalue()


def test_gps_and_camera_are_removed_from_a_jpeg() -> None:
    original = jpeg_with_gps()
    assert evidence.metadata_found(evidence.JPEG, original) == ["GPS", "camera", "time"]
    clean = evidence.strip(evidence.JPEG, original)
    assert isinstance(clean, bytes) and b"PhoneMaker" not in clean
    assert evidence.metadata_found(evidence.JPEG, clean) == []
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (40, 30) and not image.getexif()


def test_the_author_is_removed_from_a_pdf() -> None:
    original = pdf_with_author()
    assert "author" in evidence.metadata_found(evidence.PDF, original)
    clean = evidence.strip(evidence.PDF, original)
    assert isinstance(clean, bytes) and AUTHOR.encode() not in clean
    assert len(PdfReader(io.BytesIO(clean)).pages) == 1
    assert evidence.metadata_found(evidence.PDF, clean) == []


def test_document_properties_are_removed_from_a_word_file() -> None:
    original = docx_with_author()
    assert evidence.metadata_found(DOCX, original) == ["author"]
    clean = evidence.strip(DOCX, original)
    assert isinstance(clean, bytes)
    with zipfile.ZipFile(io.BytesIO(clean)) as z:
        assert AUTHOR.encode() not in z.read("docProps/core.xml")
        assert z.read("word/document.xml") == "<w:document>正文</w:document>".encode()


def test_other_types_and_disguised_or_broken_files_are_refused() -> None:
    allowed = DEFAULT_ALLOWED_MIME
    assert evidence.type_allowed(allowed, "application/pdf", "report.pdf")
    assert not evidence.type_allowed(allowed, "application/x-msdownload", "evil.exe")
    assert not evidence.type_allowed(allowed, "application/pdf", "evil.exe")  # disguised
    assert not evidence.type_allowed(allowed, "application/zip", "x.zip")
    assert evidence.strip(evidence.PDF, b"MZ\x90\x00 not a pdf") is evidence.Refused.UNREADABLE
    assert evidence.strip(evidence.JPEG, b"not a picture") is evidence.Refused.UNREADABLE
    assert evidence.strip("application/zip", b"PK") is evidence.Refused.TYPE
