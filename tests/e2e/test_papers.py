"""The office's papers through the simulator: the signed problem list (PDF) that the unit head
gets right after signing and on request, and staff for every unit from /export; the year-end
summary (docx) from /export, its figures checked against the database; people without rights
and forged buttons get nothing."""

from __future__ import annotations

import io
import re
from collections import Counter

from docx import Document
from pypdf import PdfReader
from sqlmodel import select

from domain.membership.roles import Role
from storage.ledger import queries as ledger_queries
from storage.membership import units
from storage.models import Case, LedgerItem
from tests.e2e.conftest import Harness
from tests.e2e.ledger_steps import answer_of, forge_press, people, press, seed_items
from tests.stats_seed import seed


def _file(harness: Harness, document: dict[str, object] | None) -> bytes:
    assert document is not None
    return harness.sim.state.files[str(document["file_id"])].data


# Drawing a PDF or the summary's charts is CPU work; on a loaded machine it takes seconds.
FILE_SECONDS = 30.0


def flat(text: str) -> str:
    """Text without the breaks of the table's wrapped cells. fpdf2 embeds the CFF font with
    its CMap as a stream (2-byte codes, `<0000> <FFFF>`), which pypdf reads as 1-byte codes:
    each character comes back after a NUL (code 0, mapped to U+0000), dropped here."""
    return re.sub(r"[\s\x00]+", "", text)


def pdf_text(data: bytes) -> str:
    """Every page's text, flattened."""
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return flat("".join(page.extract_text() for page in reader.pages))


async def test_head_gets_the_signed_list_after_signing_and_on_request(harness: Harness) -> None:
    sim = harness.sim
    head, teacher, _handler = await people(harness)
    # 60 items: the list runs over several pages
    await seed_items(harness, "SCH001", 60, text="食堂账目不公开，家长多次反映问题")
    unit = await units.by_code(harness.db, "SCH001")
    assert unit is not None and unit.id is not None
    await harness.ask(head, "/ledger")
    await press(harness, head, "✍ 签字确认")
    await sim.wait_edit(head)
    await press(harness, head, "确认签字")
    assert "已签字确认：第 1 版" in (await sim.wait_edit(head)).text
    sent = await sim.next_message(head, timeout=FILE_SECONDS)
    assert sent.document is not None
    assert sent.document["file_name"].startswith("problem-list-SCH001-")
    assert sent.text == "问题整改清单，请打印后由主要负责人签字并加盖公章。"
    data = _file(harness, sent.document)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    # the header row is repeated on every page
    assert all("序号问题整改措施整改时限责任人" in flat(p.extract_text()) for p in reader.pages)
    text = pdf_text(data)
    assert "问题整改清单" in text and "单位：城关第一中学" in text
    for n in range(1, 61):
        assert f"食堂账目不公开，家长多次反映问题{n}" in text
    assert text.count("措施") >= 60 and "2027年5月1日" in text and "王主任" in text
    assert "签字确认：第1版" in text and "共60项" in text and "确认人：校长SCH001" in text
    assert "单位主要负责人（签字）" in text and "单位（盖章）" in text and "年__月__日" in text

    # on request, from the list's print button
    await harness.ask(head, "/ledger")
    await press(harness, head, "🖨 打印问题整改清单（PDF）")
    again = await sim.next_message(head, timeout=FILE_SECONDS)
    assert again.document is not None
    assert "签字确认：第1版" in pdf_text(_file(harness, again.document))

    # a teacher forging the print button gets nothing
    await harness.ask(teacher, "/ledger")
    query = await forge_press(harness, teacher, f"ledger:v1:pdf:{unit.id}")
    assert await answer_of(harness, query) == "此按钮已失效。"


async def test_staff_export_every_units_list_in_one_file(harness: Harness) -> None:
    s1, s2 = await units.by_code(harness.db, "SCH001"), await units.by_code(harness.db, "SCH002")
    assert s1 and s2 and s1.id and s2.id
    await seed(harness.db, s1.id, s2.id)
    async with harness.db.session() as session:
        items = (await session.exec(select(LedgerItem))).all()
        case_item = next(i for i in items if i.source_case_id is not None)
        case_item.requirement = "十日内书面回复"
        session.add(case_item)
        await session.commit()
    handler, head = harness.sim.add_user("承办人"), harness.sim.add_user("校长")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    await harness.register(head, Role.UNIT_HEAD, "SCH002")
    await harness.ask(handler, "/export")
    await press(harness, handler, "问题整改清单 · PDF")
    sent = await harness.sim.next_message(handler, timeout=FILE_SECONDS)
    assert sent.document is not None and sent.document["file_name"].startswith("problem-list-all-")
    data = _file(harness, sent.document)
    text = pdf_text(data)
    lists = await ledger_queries.problem_lists(harness.db, None)
    assert [p.unit.code for p in lists] == ["SCH001", "SCH002"]
    for plist in lists:
        assert "单位：" + plist.unit.name in text
        for line in plist.lines:
            assert flat(line.description) in text and flat(line.measure or "") in text
    assert "整改要求：十日内书面回复" in text
    assert "2027年3月20日" in text and "王主任" in text
    assert text.count("尚未在机器人中签字确认") == 2
    # each unit starts on a page of its own
    reader = PdfReader(io.BytesIO(data))
    assert sum("单位：城关第二小学" in flat(p.extract_text()) for p in reader.pages) == 1

    # a unit head's /export gives their own unit's list only; a forged value is refused
    await harness.ask(head, "/export")
    await press(harness, head, "问题整改清单 · PDF")
    own = await harness.sim.next_message(head, timeout=FILE_SECONDS)
    assert own.document is not None
    own_text = pdf_text(_file(harness, own.document))
    assert "城关第二小学" in own_text and "城关第一中学" not in own_text
    query = await forge_press(harness, head, f"papers:v1:pdf:{s1.id}")
    assert await answer_of(harness, query) == "此按钮已失效。"


async def test_the_summary_docx_figures_match_the_database(harness: Harness) -> None:
    s1, s2 = await units.by_code(harness.db, "SCH001"), await units.by_code(harness.db, "SCH002")
    assert s1 and s2 and s1.id and s2.id
    await seed(harness.db, s1.id, s2.id)
    handler = harness.sim.add_user("承办人")
    member = harness.sim.add_user("老师")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    await harness.register(member, Role.MEMBER, "SCH001")
    await harness.ask(handler, "/export")
    await press(harness, handler, "年度总结 · Word")
    sent = await harness.sim.next_message(handler, timeout=FILE_SECONDS)
    assert sent.document is not None
    assert sent.document["file_name"] == "summary-bureau-20270310.docx"
    doc = Document(io.BytesIO(_file(harness, sent.document)))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]

    async with harness.db.session() as session:
        items = (await session.exec(select(LedgerItem))).all()
        cases = (await session.exec(select(Case))).all()
        kinds = {c.id: c.kind for c in cases}
    assert f"问题清单共 {len(items)} 项" in paragraphs
    verified = [i for i in items if i.status == "verified"]
    assert any(p.startswith(f"已验收销号 {len(verified)} 项") for p in paragraphs)
    assert f"共受理案件 {len(cases)} 件" in paragraphs
    sources = Counter(kinds.get(i.source_case_id, "self") for i in items)
    source_table = next(t for t in tables if t[0] == ["问题来源", "数量"])
    assert {row[0]: int(row[1]) for row in source_table[1:]} == {
        {"complaint": "投诉", "self": "自查"}.get(k, k): n for k, n in sources.items()
    }
    channel_table = next(t for t in tables if t[0] == ["受理渠道", "数量"])
    assert sum(int(row[1]) for row in channel_table[1:]) == len(cases)
    category_table = next(t for t in tables if t[0] == ["问题类别", "数量"])
    assert sum(int(row[1]) for row in category_table[1:]) == len(items)
    assert any("总结初稿" in p or "工作总结（初稿）" in p for p in paragraphs)
    assert "存在的问题和下一步打算" in " ".join(paragraphs)
    assert len(doc.inline_shapes) >= 1  # the charts

    # a member has no /export, and a forged summary button is refused
    await harness.ask(member, "/ledger")
    query = await forge_press(harness, member, "papers:v1:docx:0")
    assert await answer_of(harness, query) == "此按钮已失效。"  # a press: the neutral answer
