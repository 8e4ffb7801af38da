"""Internal notes on a case, for desk staff only: a `CaseMessage` with direction "internal",
the section it was written in (for `[desk] private_notes`), and an optional file as an
`Evidence` row tied to the note (not to the case: case evidence is what the reporter filed and
others see). The staff thread: notes the reader may read, desk files, and the exchanges with
the reporter. Complaint rows get random ids and dates only, like the rest of a complaint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from domain.audit import AuditAction, AuditSubject
from domain.desk.followup import may_read_note, may_write_note, note_section
from domain.desk.rules import CaseFacts
from domain.membership.roles import Role
from storage import audit
from storage.cases import sealing
from storage.cases.messages import add_message
from storage.db import Database
from storage.models import Case, CaseMessage, CaseWait, Evidence, Member, NoteSection, Unit
from storage.models.base import anonymous_row_id

KINDS = ("report", "complaint")
INTERNAL = "internal"


@dataclass(frozen=True)
class FileRef:
    kind: str  # photo | document
    file_id: str
    mime_type: str | None
    size: int | None


@dataclass(frozen=True)
class CaseHead:
    case_id: int
    kind: str
    number: str
    facts: CaseFacts
    waiting_since: date | None


@dataclass(frozen=True)
class ThreadLine:
    direction: str  # internal | to_author | from_author
    body: str
    author_name: str | None
    sent_on: date
    sent_at: datetime | None
    files: tuple[FileRef, ...]


@dataclass(frozen=True)
class Reader:
    """Who reads the thread, and whether section notes are private."""

    role: Role | None
    unit_id: int | None
    private: bool


async def case_head(db: Database, case_id: int) -> CaseHead | None:
    """A report or complaint as the follow-ups need it; None when there is none."""
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.id is None or case.kind not in KINDS:
            return None
        wait = await session.get(CaseWait, case_id)
    return CaseHead(
        case.id,
        case.kind,
        case.number,
        CaseFacts(case.status, case.unit_id, case.owner_member_id),
        wait.since if wait is not None else None,
    )


async def add_note(
    db: Database,
    case_id: int,
    *,
    role: Role | None,
    member_id: int | None,
    body: str,
    file: FileRef | None,
    today: date,
    now: datetime,
) -> CaseHead | None:
    """Add an internal note (with a file, if given); None when the case is gone or the
    writer is not desk staff."""
    if not may_write_note(role):
        return None
    async with db.session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.id is None or case.kind not in KINDS:
            return None
        anonymous = case.kind == "complaint"
        section: int | None = None
        if member_id is not None:
            member = await session.get(Member, member_id)
            unit = await session.get(Unit, member.unit_id) if member is not None else None
            if unit is not None:
                section = note_section(role, unit.id, unit.kind)
        note = await add_message(
            session,
            case_id=case.id,
            direction=INTERNAL,
            body=body,
            sent_on=today,
            anonymous=anonymous,
            sent_at=now,
            staff_member_id=member_id,
        )
        await session.flush()
        assert note.id is not None
        if section is not None:
            session.add(NoteSection(message_id=note.id, section_unit_id=section))
        if file is not None:
            row = evidence_for(note.id, file, today, anonymous)
            row.telegram_file_id = await sealing.seal_for(
                session, case.id, sealing.FILE_ID, file.file_id
            )
            session.add(row)
        audit.record(
            session,
            at=now,
            action=AuditAction.DESK_FILE if file is not None else AuditAction.DESK_NOTE,
            subject_type=AuditSubject(case.kind),
            subject_id=case.number if anonymous else case.id,
            actor_member_id=member_id,
            actor_kind="member" if member_id is not None else "admin",
            to_value=INTERNAL,
        )
        await session.commit()
        head = CaseHead(
            case.id, case.kind, case.number, CaseFacts(case.status, case.unit_id, None), None
        )
    return head


def evidence_for(message_id: int, file: FileRef, today: date, anonymous: bool) -> Evidence:
    """A desk file, tied to its message only."""
    return Evidence(
        id=anonymous_row_id() if anonymous else None,
        message_id=message_id,
        kind=file.kind,
        telegram_file_id=file.file_id,
        mime_type=file.mime_type,
        size=file.size,
        added_on=today,
    )


async def thread(db: Database, case_id: int, reader: Reader) -> Sequence[ThreadLine]:
    """The case's messages in order, internal notes only where `reader` may read them."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(CaseMessage, Member, NoteSection)
                .outerjoin(Member, col(Member.id) == col(CaseMessage.staff_member_id))
                .outerjoin(NoteSection, col(NoteSection.message_id) == col(CaseMessage.id))
                .where(CaseMessage.case_id == case_id)
                .order_by(col(CaseMessage.seq))
            )
        ).all()
        ids = [m.id for m, _a, _s in rows if m.id is not None]
        files = (
            await session.exec(
                select(Evidence)
                .where(col(Evidence.message_id).in_(ids))
                .order_by(col(Evidence.added_on), col(Evidence.id))
            )
        ).all()
        words = await sealing.opener(session, [case_id])
    by_message: dict[int, list[FileRef]] = {}
    for f in files:
        file_id = words.text(case_id, sealing.FILE_ID, f.telegram_file_id)
        ref = FileRef(f.kind, file_id, f.mime_type, f.size)
        by_message.setdefault(f.message_id or 0, []).append(ref)
    lines: list[ThreadLine] = []
    for message, author, section in rows:
        if message.direction == INTERNAL and not may_read_note(
            reader.role,
            reader.unit_id,
            section.section_unit_id if section is not None else None,
            private=reader.private,
        ):
            continue
        lines.append(
            ThreadLine(
                message.direction,
                words.text(case_id, sealing.MESSAGE, message.body),
                author.display_name if author is not None else None,
                message.sent_on,
                message.sent_at,
                tuple(by_message.get(message.id or 0, ())),
            )
        )
    return lines
