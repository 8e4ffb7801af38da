"""Cases from other channels than the chat (举报专线、举报信箱、来信、来访、12345 转办、审计),
registered by a case officer: from then on the same case as one filed in the chat (the same
clocks, desk, loop and cards).

A named one is a report with no member as its author: the person's name and contact details
live in its intake row, read only by staff in a private chat. An anonymous one is a complaint
filed as the hotline files one (`storage.cases.complaints.file_complaint`), with a receipt the
officer reads out or posts back; its intake row holds the channel, the day and the officer,
never anything of the person (docs/anonymity.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.audit import AuditAction
from domain.cases import reports as rules
from domain.cases.accountability import Channel
from domain.cases.lifecycle import CaseStatus
from domain.hotline.rules import HotlinePolicy
from storage.cases import complaints
from storage.cases import numbers as case_numbers
from storage.cases.complaints import EvidenceFile, NewComplaint
from storage.cases.reports import KIND as REPORT
from storage.db import Database
from storage.models import Case, CaseIntake, Evidence


@dataclass(frozen=True)
class Received:
    """What came in, as the officer registers it (nothing of the person)."""

    channel: Channel
    received_on: date
    category_key: str
    unit_id: int | None
    description: str
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True)
class Contact:
    """A named person's name and how to reach them (staff only)."""

    name: str
    details: str


@dataclass(frozen=True)
class Intake:
    """Where a case came from, for staff; `contact` only for a named one."""

    channel: str
    received_on: date
    contact: Contact | None


async def register_named(
    db: Database,
    received: Received,
    contact: Contact,
    *,
    officer_member_id: int,
    now: datetime,
) -> tuple[int, str]:
    """File a named case as a report numbered in the year it was received, with its intake
    row and evidence, audited as the officer's `case.intake`; (case id, number)."""
    year = received.received_on.year
    case_id, number = await case_numbers.file_case(
        db,
        prefix=rules.number_prefix(year),
        number=lambda sequence: rules.report_number(year, sequence),
        case=lambda number: Case(
            kind=REPORT,
            number=number,
            category_key=received.category_key,
            unit_id=received.unit_id,
            status=CaseStatus.RECEIVED.value,
            description=received.description,
            opened_on=received.received_on,
            opened_at=now,
        ),
        rows=lambda case_id: [
            CaseIntake(
                case_id=case_id,
                channel=received.channel.value,
                received_on=received.received_on,
                registered_by_member_id=officer_member_id,
                contact_name=contact.name,
                contact_details=contact.details,
            ),
            *(
                Evidence(
                    case_id=case_id,
                    kind=item.kind,
                    telegram_file_id=item.file_id,
                    mime_type=item.mime_type,
                    size=item.size,
                    added_on=received.received_on,
                )
                for item in received.evidence
            ),
        ],
        action=AuditAction.CASE_INTAKE,
        actor_member_id=officer_member_id,
        now=now,
    )
    return case_id, number


async def register_anonymous(
    db: Database,
    received: Received,
    *,
    officer_member_id: int | None,
    receipt: str,
    policy: HotlinePolicy,
) -> complaints.Filed:
    """File an anonymous case as a complaint with `receipt` (shown once, to the officer, who
    passes it on); opened on the day it was received. Nothing of the person is taken."""
    return await complaints.file_complaint(
        db,
        NewComplaint(
            category_key=received.category_key,
            unit_id=received.unit_id,
            description=received.description,
            evidence=received.evidence,
            channel=received.channel.value,
            registered_by=officer_member_id,
        ),
        receipt=receipt,
        policy=policy,
        today=received.received_on,
    )


async def intake_of(db: Database, case_id: int) -> Intake | None:
    """Where case `case_id` came from when not through the chat (None: the chat)."""
    async with db.session() as session:
        row = await session.get(CaseIntake, case_id)
    if row is None:
        return None
    contact = (
        Contact(row.contact_name, row.contact_details or "")
        if row.contact_name is not None
        else None
    )
    return Intake(row.channel, row.received_on, contact)
