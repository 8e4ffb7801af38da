"""`python -m bot papers` as an operator uses it: every unit's problem list as one PDF, one
unit's, the bureau's and a unit's year-end summary as docx, an unknown unit refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from bot.cli import main
from tests.test_cli_export import seeded_config


def _text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    # pypdf reads the embedded CFF font's 2-byte codes as 1-byte ones: a NUL before each glyph
    return re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in reader.pages))


def test_papers_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = seeded_config(tmp_path)
    capsys.readouterr()

    every = tmp_path / "lists.pdf"
    assert main(["papers", "list", "--out", str(every), "--config", str(config)]) == 0
    assert "lists.pdf (2 unit(s))" in capsys.readouterr().out
    text = _text(every)
    assert "单位：城关第一中学" in text and "单位：城关第二小学" in text
    assert all(f"问题{n}" in text for n in (1, 2, 3)) and "王主任" in text
    assert not (tmp_path / "lists.pdf.part").exists()

    one = tmp_path / "sch002.pdf"
    args = ["papers", "list", "--unit", "SCH002", "--out", str(one), "--config", str(config)]
    assert main(args) == 0
    assert "城关第一中学" not in _text(one) and "城关第二小学" in _text(one)

    bureau = tmp_path / "summary.docx"
    assert main(["papers", "summary", "--out", str(bureau), "--config", str(config)]) == 0
    assert "items 4, verified 2, cases 3" in capsys.readouterr().out
    paragraphs = [p.text for p in Document(str(bureau)).paragraphs]
    assert "问题清单共 4 项" in paragraphs and "共受理案件 3 件" in paragraphs
    unit = tmp_path / "sch001.docx"
    args = ["papers", "summary", "--unit", "SCH001", "--out", str(unit)]
    assert main([*args, "--config", str(config)]) == 0
    paragraphs = [p.text for p in Document(str(unit)).paragraphs]
    assert "问题清单共 3 项" in paragraphs and "共受理案件 2 件" in paragraphs
    assert any(p.startswith("城关第一中学，截至") for p in paragraphs)

    missing = ["papers", "list", "--unit", "NOPE", "--out", str(one), "--config", str(config)]
    assert main(missing) == 1
    assert "no unit with code 'NOPE'" in capsys.readouterr().err
