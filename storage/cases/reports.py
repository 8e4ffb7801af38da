"""Named reports: filing one atomically (case, author, evidence, audit event), the author's
list, a report as a given viewer may see it, and status changes made by staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction
from domain.cases import reports as rules
from domain.cases.lifecycle import CaseAction, CaseStatus
from domain.cases.outcome import Outcome
from domain.cases.reports import ReportDraft, ReportViewer
from domain.desk.rules import Refusal
from domain.membership.roles import Role
from storage.cases import numbers as case_numbers
from storage.cases.transitions import Step, move_case
from storage.db import Database
from storage.models import Case, Evidence, Member, ReportAuthor, Unit

KIND = "report"


@dataclass(frozen=True)
class Filed:
    case_id: int
    number: str


@dataclass(frozen=True)
class OwnReport:
    """One line of the author's list."""

    case_id: int
    number: str
    category_key: str
    unit_name: str
    status: str
    opened_on: date


@dataclass(frozen=True)
class OwnPage:
    items: tuple[OwnReport, ...]
    total: int


@dataclass(frozen=True)
class EvidenceView:
    kind: str
    telegram_file_id: str
    mime_type: str | None
    size: int | None
    caption: str | None  # None unless the viewer is staff


@dataclass(frozen=True)
class ReportView:
    """A report as one viewer may see it: `reporter_name` is None when hidden from them."""

    case_id: int
    number: str
    category_key: str
    unit_id: int | None
    unit_name: str | None
    status: str
    description: str
    occurred: str | None
    opened_on: date
    confidential: bool
    reporter_name: str | None
    evidence: tuple[EvidenceView, ...]
    withheld_documents: int = 0  # kept from this viewer: a file's metadata may name the reporter


@dataclass(frozen=True)
class StatusChange:
    """What `set_status` did; `changed` is False when the move was refused or stale."""

    changed: bool
    case_id: int
    number: str
    from_status: str
    to_status: str
    reporter_telegram_id: int | None
    reporter_language: str | None


async def search_units(db: Database, text: str, *, limit: int = 8) -> Sequence[Unit]:
    """Units whose code or name contains `text` (case-insensitive), exact code first."""
    needle = text.strip()
    if not needle:
        return ()
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Unit)
                .where(
                    or_(
                        col(Unit.code).ilike(pattern, escape="\\"),
                        col(Unit.name).ilike(pattern, escape="\\"),
                    )
                )
                .order_by(col(Unit.code))
                .limit(limit)
            )
        ).all()
    return sorted(rows, key=lambda u: u.code.lower() != needle.lower())


async def submit_report(
    db: Database,
    *,
    author_member_id: int,
    draft: ReportDraft,
    year: int,
    today: date,
    now: datetime,
) -> Filed:
    """File the draft as one report in one transaction and return its number.

    The number is the next of `year`'s counter, taken in the same transaction
    (storage/cases/numbers.py).
    """
    if draft.missing():
        raise ValueError(f"incomplete draft: {', '.join(draft.missing())}")
    category, description = draft.category_key, draft.description
    assert category is not None and description is not None
    case_id, number = await case_numbers.file_case(
        db,
        prefix=rules.number_prefix(year),
        number=lambda sequence: rules.report_number(year, sequence),
        case=lambda number: Case(
            kind=KIND,
            number=number,
            category_key=category,
            unit_id=draft.unit_id,
            status=CaseStatus.RECEIVED.value,
            description=description,
            occurred=draft.occurred,
            opened_on=today,
            opened_at=now,
        ),
        rows=lambda case_id: [
            ReportAuthor(
                case_id=case_id, member_id=author_member_id, confidential=bool(draft.confidential)
            ),
            *(
                Evidence(
                    case_id=case_id,
                    kind=item.kind,
                    telegram_file_id=item.file_id,
                    mime_type=item.mime_type,
                    size=item.size,
                    caption=item.caption,
                    added_on=today,
                )
                for item in draft.evidence
            ),
        ],
        action=AuditAction.REPORT_FILED,
        actor_member_id=author_member_id,
        now=now,
    )
    return Filed(case_id=case_id, number=number)


async def list_by_author(
    db: Database, member_id: int, *, offset: int = 0, limit: int = 5
) -> OwnPage:
    """The member's own reports, newest first, one page of them and the total."""
    async with db.session() as session:
        base = (
            select(Case, Unit)
            .join(ReportAuthor, col(ReportAuthor.case_id) == col(Case.id))
            .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
            .where(ReportAuthor.member_id == member_id)
            .where(Case.kind == KIND)
        )
        total = (
            await session.exec(
                select(func.count())
                .select_from(ReportAuthor)
                .join(Case, col(Case.id) == col(ReportAuthor.case_id))
                .where(ReportAuthor.member_id == member_id)
                .where(Case.kind == KIND)
            )
        ).one()
        rows = (
            await session.exec(
                base.order_by(col(Case.opened_at).desc(), col(Case.id).desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
    items = tuple(
        OwnReport(
            case_id=case.id or 0,
            number=case.number,
            category_key=case.category_key,
            unit_name=unit.name if unit else "",
            status=case.status,
            opened_on=case.opened_on,
        )
        for case, unit in rows
    )
    return OwnPage(items=items, total=int(total))


async def view_for(db: Database, case_id: int, viewer: ReportViewer) -> ReportView | None:
    """The report as `viewer` may see it; None when they may not see it at all.

    The reporter's name is filled in only where `domain.cases.reports.may_see_reporter` allows it,
    evidence captions only for staff, documents only for the author and staff: this is the one
    place a report leaves storage for someone other than its author.
    """
    async with db.session() as session:
        row = (
            await session.exec(
                select(Case, ReportAuthor, Member)
                .join(ReportAuthor, col(ReportAuthor.case_id) == col(Case.id))
                .join(Member, col(Member.id) == col(ReportAuthor.member_id))
                .where(Case.id == case_id)
                .where(Case.kind == KIND)
            )
        ).first()
        if row is None:
            return None
        case, author, member = row
        if not rules.may_view_report(
            viewer.role, viewer.unit_id, viewer.member_id, case.unit_id, author.member_id
        ):
            return None
        unit = await session.get(Unit, case.unit_id) if case.unit_id is not None else None
        files = (
            await session.exec(
                select(Evidence).where(Evidence.case_id == case_id).order_by(col(Evidence.id))
            )
        ).all()
    show_name = rules.may_see_reporter(
        viewer.role,
        viewer.unit_id,
        viewer.member_id,
        case.unit_id,
        author.confidential,
        author.member_id,
    )
    staff = rules.may_see_evidence_details(viewer.role)
    documents = rules.may_see_document_evidence(viewer.role, viewer.member_id, author.member_id)
    shown = [f for f in files if documents or f.kind != "document"]
    return ReportView(
        case_id=case_id,
        number=case.number,
        category_key=case.category_key,
        unit_id=case.unit_id,
        unit_name=unit.name if unit else None,
        status=case.status,
        description=case.description,
        occurred=case.occurred,
        opened_on=case.opened_on,
        confidential=author.confidential,
        reporter_name=member.display_name if show_name else None,
        evidence=tuple(
            EvidenceView(
                kind=f.kind,
                telegram_file_id=f.telegram_file_id,
                mime_type=f.mime_type,
                size=f.size,
                caption=f.caption if staff else None,
            )
            for f in shown
        ),
        withheld_documents=len(files) - len(shown),
    )


async def number_of(db: Database, case_id: int) -> str | None:
    async with db.session() as session:
        case = await session.get(Case, case_id)
        return case.number if case is not None and case.kind == KIND else None


async def author_of(session: AsyncSession, case_id: int) -> Member | None:
    """The member who filed case `case_id` (a named report, or a finding recorded with one)."""
    return (
        await session.exec(
            select(Member)
            .join(ReportAuthor, col(ReportAuthor.member_id) == col(Member.id))
            .where(ReportAuthor.case_id == case_id)
        )
    ).first()


async def set_status(
    db: Database,
    *,
    case_id: int,
    to: CaseStatus,
    actor_member_id: int | None,
    actor_role: Role | None,
    today: date,
    now: datetime,
    reason: str | None = None,
) -> StatusChange | None:
    """Move a report to `to` if the actor may and the move is valid; None for no such report.

    The move goes through `storage.cases.transitions` (two staff acting at once cannot both
    move it). The result names the reporter so that the caller can tell them.
    """
    async with db.session() as session:
        member = await author_of(session, case_id)
        case = await session.get(Case, case_id)
    if member is None or case is None or case.kind != KIND:
        return None

    async def check(_session: AsyncSession, _case: Case) -> Refusal | None:
        return None if rules.may_change_status(actor_role) else Refusal.NOT_STAFF

    values: dict[str, object] = {}
    if to is CaseStatus.ACCEPTED:
        values["acknowledged_on"] = today
    elif to is CaseStatus.ANSWERED:
        values["answered_on"] = today
    elif to is CaseStatus.CLOSED:
        values["closed_on"] = today
        if reason is not None:
            values["closing_summary"] = reason
    elif to is CaseStatus.REJECTED:
        values["closed_on"] = today
        values["rejection_reason"] = reason
    step: Step[Refusal, None] = Step((KIND,), AuditAction.REPORT_STATUS, to, values, check)
    moved = await move_case(db, case_id, CaseAction.SET, actor_member_id, step, now=now)
    found = moved.case or case
    return StatusChange(
        changed=moved.outcome is Outcome.OK,
        case_id=case_id,
        number=found.number,
        from_status=moved.before or found.status,
        to_status=to.value,
        reporter_telegram_id=member.telegram_user_id,
        reporter_language=member.language,
    )
