"""The staff thread end to end: internal notes (every handler reads them; never the reporter,
never an export), an internal file, a file sent to the reporter as a reply (limits of the
report conversation), a question the reporter answers, and an explicit status change."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from domain.cases.reports import ReportDraft
from domain.desk.rules import Actor
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from handlers.context import SERVICES_KEY, Services
from simulator import SimUser
from simulator.api.methods_messages import store_photo
from storage.cases import reports
from storage.desk import actions as desk
from storage.membership import members, units
from storage.models import AuditEvent, Case, Evidence
from storage.stats import exports
from tests.e2e.conftest import Harness
from tests.e2e.hotline_support import answer_of, forge_press

SECTIONS = [
    UnitRow("RSG", "人事股", UnitKind.SECTION, "EDU"),
    UnitRow("DDS", "督导室", UnitKind.SECTION, "EDU"),
]
PANEL = "📝 内部备注、附件、跟进"


async def add_sections(harness: Harness) -> None:
    await units.import_units(
        harness.db, list(enumerate(SECTIONS, start=10)), now=harness.clock.now()
    )


async def accepted_report(harness: Harness, teacher: SimUser, owner: SimUser) -> tuple[int, str]:
    """A teacher's report about SCH001, accepted by `owner` (storage; the inbox tests drive it)."""
    who = await members.by_telegram_id(harness.db, teacher.id)
    boss = await members.by_telegram_id(harness.db, owner.id)
    school = await units.by_code(harness.db, "SCH001")
    assert who is not None and who.member.id is not None and boss is not None
    assert school is not None
    svc: Services = harness.app.bot_data[SERVICES_KEY]
    now = harness.clock.now()
    draft = ReportDraft(
        svc.settings.campaign.categories[0].key, school.id, "食堂卫生差。", None, [], False
    )
    filed = await reports.submit_report(
        harness.db,
        author_member_id=who.member.id,
        draft=draft,
        year=2027,
        today=now.date(),
        now=now,
    )
    async with harness.db.session() as session:
        case_id = (await session.exec(select(Case.id).where(Case.number == filed.number))).one()
    assert case_id is not None
    actor = Actor(Role.CASE_OFFICER, boss.member.id, boss.member.unit_id)
    await desk.accept(harness.db, case_id, actor, today=now.date(), now=now)
    return case_id, filed.number


async def open_panel(harness: Harness, user: SimUser, case_id: int) -> str:
    await harness.sim.send_command(user, "/inbox")
    await harness.sim.next_message(user)
    chat = harness.sim.state.chat(user.id)
    await forge_press(harness.sim, user, chat, f"desk:v1:p:{case_id}")
    return (await harness.sim.next_message(user)).text


async def reply_with(harness: Harness, user: SimUser, prompt: Any, content: dict[str, Any]) -> None:
    """`user` answers `prompt` with a photo or document (the driver's sends take no reply)."""
    await harness.sim._user_says(user, None, content, prompt)


def photo(harness: Harness, caption: str) -> dict[str, Any]:
    return {"photo": store_photo(harness.sim.state, b"jpeg", (800, 600)), "caption": caption}


def document(harness: Harness, name: str, mime: str) -> dict[str, Any]:
    stored = harness.sim.state.register_file(
        b"%PDF-1.4", "document", mime_type=mime, file_name=name
    )
    doc = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": name,
        "mime_type": mime,
        "file_size": stored.size,
    }
    return {"document": doc}


async def test_notes_files_question_and_status(harness: Harness) -> None:
    await add_sections(harness)
    teacher, owner = harness.sim.add_user("周老师"), harness.sim.add_user("人事股刘干事")
    other = harness.sim.add_user("督导室王干事")
    await harness.register(teacher)
    await harness.register(owner, Role.CASE_OFFICER, "RSG")
    await harness.register(other, Role.CASE_OFFICER, "DDS")
    case_id, number = await accepted_report(harness, teacher, owner)
    # The card in /inbox carries the thread's button.
    await harness.sim.send_command(owner, "/inbox")
    await harness.sim.next_message(owner)
    label = next(
        b for row in harness.sim.bot_messages(owner)[-1].buttons for b in row if number in b
    )
    await harness.sim.press_button(owner, label)
    card = await harness.sim.next_message(owner)
    assert [PANEL] in card.buttons
    await harness.sim.press_button(owner, PANEL)
    panel = await harness.sim.next_message(owner)
    assert number in panel.text and "暂无备注" in panel.text
    # A note, then an internal file.
    await harness.sim.press_button(owner, "添加内部备注")
    prompt = await harness.sim.next_message(owner)
    await harness.sim.send_text(owner, "举报人系<b>食堂</b>员工，注意保护。", reply_to=prompt)
    assert "已为" in (await harness.sim.next_message(owner)).text
    await harness.sim.press_button(owner, "添加附件（仅内部）")
    prompt = await harness.sim.next_message(owner)
    await reply_with(
        harness, owner, prompt, document(harness, "run.exe", "application/x-msdownload")
    )
    assert "不接受" in (await harness.sim.next_message(owner)).text
    await reply_with(harness, owner, prompt, document(harness, "检查记录.pdf", "application/pdf"))
    assert "仅工作人员可见" in (await harness.sim.next_message(owner)).text
    # Another section's handler reads both (private_notes is off).
    seen = await open_panel(harness, other, case_id)
    assert "举报人系&lt;b&gt;食堂" in seen or "举报人系<b>食堂" in seen
    assert "📎 1 个文件" in seen
    await harness.sim.press_button(other, "查看附件")
    resent = await harness.sim.next_message(other)
    assert resent.raw.get("document") is not None and number in resent.text
    # A file to the reporter, as a reply.
    await harness.sim.press_button(owner, "发送文件给反映人")
    prompt = await harness.sim.next_message(owner)
    await reply_with(harness, owner, prompt, photo(harness, "整改前后对比照片。"))
    assert "已保存并发送给反映人" in (await harness.sim.next_message(owner)).text
    got = await harness.sim.next_message(teacher)
    assert got.raw.get("photo") and number in got.text and "整改前后对比照片。" in got.text
    # A question; the reporter answers it.
    await harness.sim.press_button(owner, "向反映人提问")
    prompt = await harness.sim.next_message(owner)
    await harness.sim.send_text(owner, "请问具体是哪个食堂？", reply_to=prompt)
    assert "等待反映人回复" in (await harness.sim.next_message(owner)).text
    question = await harness.sim.next_message(teacher)
    assert question.text.startswith("❓") and "哪个食堂" in question.text
    assert "等待反映人回复" in await open_panel(harness, owner, case_id)
    await harness.sim.send_text(teacher, "东区食堂。", reply_to=question)
    assert "转交" in (await harness.sim.next_message(teacher)).text
    assert "东区食堂。" in (await harness.sim.next_message(owner)).text
    await harness.sim.send_text(teacher, "再答一次。", reply_to=question)
    assert "已结束" in (await harness.sim.next_message(teacher)).text
    # An explicit status change: the answered case is reopened (in progress).
    await open_panel(harness, owner, case_id)
    await harness.sim.press_button(owner, "更改状态")
    await harness.sim.next_message(owner)
    await harness.sim.press_button(owner, "办理中")
    assert "办理中" in (await harness.sim.next_message(owner)).text
    assert "办理中" in (await harness.sim.next_message(teacher)).text
    # The reporter never got a note; exports hold no note; everything audited.
    told = " ".join(m.text for m in harness.sim.bot_messages(teacher))
    assert "食堂</b>员工" not in told and "食堂&lt;b&gt;员工" not in told and "检查记录" not in told
    rows = [r async for batch in exports.case_rows(harness.db) for r in batch]
    assert rows and "员工" not in repr(rows)
    async with harness.db.session() as session:
        actions = set((await session.exec(select(AuditEvent.action))).all())
        files = (await session.exec(select(Evidence))).all()
    assert {"desk.note", "desk.file", "desk.ask", "desk.answered", "desk.status"} <= actions
    assert len(files) == 2 and all(f.case_id is None and f.message_id for f in files)
    # The other handler is not the owner: no reporter-facing buttons, refused if forged.
    chat = harness.sim.state.chat(other.id)
    refused = await answer_of(
        harness.sim, await forge_press(harness.sim, other, chat, f"desk:v1:q:{case_id}.0")
    )
    assert refused is not None and "责任承办人" in refused
