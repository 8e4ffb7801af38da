"""Reports in storage: filed atomically with a yearly number (also under concurrency), the
author's list, a report as each viewer may see it, status moves, unit search."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.cases.lifecycle import CaseStatus
from domain.cases.reports import EvidenceItem, ReportDraft, ReportViewer
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from storage import audit
from storage.cases import reports
from storage.db import Database
from storage.membership import invites, units
from storage.models import Case, Member

NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)
TODAY = date(2027, 3, 10)
UNITS = [
    (2, UnitRow("EDU", "县教文广新体局", UnitKind.BUREAU, None)),
    (3, UnitRow("SCH001", "城关第一中学", UnitKind.SCHOOL, "EDU")),
    (4, UnitRow("SCH002", "城关第二小学", UnitKind.SCHOOL, "EDU")),
    (5, UnitRow("SCH_3", "100%学校", UnitKind.SCHOOL, "EDU")),
]


@dataclass
class People:
    author: Member
    head: Member
    other_head: Member
    handler: Member
    school: int
    other_school: int


async def join(db: Database, code: str, role: Role, user_id: int, name: str) -> Member:
    made = await invites.create_invite(
        db,
        unit_code=code,
        role=role,
        max_uses=1,
        ttl=timedelta(days=1),
        now=NOW,
        created_by="cli",
    )
    result = await invites.redeem(
        db, token=made.token, telegram_user_id=user_id, display_name=name, language=None, now=NOW
    )
    assert result.member is not None
    return result.member


@pytest.fixture
async def people(db: Database) -> People:
    await units.import_units(db, UNITS, now=NOW)
    school, other = await units.by_code(db, "SCH001"), await units.by_code(db, "SCH002")
    assert school is not None and school.id and other is not None and other.id
    return People(
        author=await join(db, "SCH001", Role.MEMBER, 11, "张老师"),
        head=await join(db, "SCH001", Role.UNIT_HEAD, 12, "李校长"),
        other_head=await join(db, "SCH002", Role.UNIT_HEAD, 13, "王校长"),
        handler=await join(db, "EDU", Role.CASE_OFFICER, 14, "人事股"),
        school=school.id,
        other_school=other.id,
    )


def draft(unit_id: int, *, confidential: bool = False, files: int = 0) -> ReportDraft:
    return ReportDraft(
        category_key="loose",
        unit_id=unit_id,
        description="<b>迟到</b>早退",
        occurred="3月8日",
        evidence=[
            EvidenceItem("photo", f"file-{n}", "image/jpeg", 1000 + n, caption="说明")
            for n in range(files)
        ],
        confidential=confidential,
    )


def viewer(member: Member | None, role: Role | None = None) -> ReportViewer:
    if member is None:
        return ReportViewer(role=role, unit_id=None, member_id=None)
    return ReportViewer(role=Role(member.role), unit_id=member.unit_id, member_id=member.id)


async def file(db: Database, people: People, **kwargs: object) -> reports.Filed:
    assert people.author.id is not None
    return await reports.submit_report(
        db,
        author_member_id=people.author.id,
        draft=draft(people.school, **kwargs),  # type: ignore[arg-type]
        year=2027,
        today=TODAY,
        now=NOW,
    )


async def test_submit_stores_case_author_evidence_and_audit(db: Database, people: People) -> None:
    filed = await file(db, people, files=2)
    assert filed.number == "R-2027-0001"
    view = await reports.view_for(db, filed.case_id, viewer(people.handler))
    assert view is not None
    assert (view.status, view.description, view.occurred) == (
        "received",
        "<b>迟到</b>早退",
        "3月8日",
    )
    assert [(e.telegram_file_id, e.caption) for e in view.evidence] == [
        ("file-0", "说明"),
        ("file-1", "说明"),
    ]
    events = await audit.events_for(db, "case", filed.case_id)
    assert [(e.action, e.actor_member_id) for e in events] == [("report.filed", people.author.id)]
    assert (await file(db, people)).number == "R-2027-0002"


async def test_incomplete_draft_is_refused(db: Database, people: People) -> None:
    assert people.author.id is not None
    with pytest.raises(ValueError, match="incomplete"):
        await reports.submit_report(
            db,
            author_member_id=people.author.id,
            draft=ReportDraft(category_key="weak"),
            year=2027,
            today=TODAY,
            now=NOW,
        )
    assert (await reports.list_by_author(db, people.author.id)).total == 0


async def test_numbers_restart_each_year(db: Database, people: People) -> None:
    assert people.author.id is not None
    await file(db, people)
    later = await reports.submit_report(
        db,
        author_member_id=people.author.id,
        draft=draft(people.school),
        year=2028,
        today=TODAY,
        now=NOW,
    )
    assert later.number == "R-2028-0001"


async def test_concurrent_submits_get_distinct_numbers(db: Database, people: People) -> None:
    # 40 at once: picking "highest + 1" and retrying on collisions ran out of retries here.
    filed = await asyncio.gather(*(file(db, people) for _ in range(40)))
    numbers = sorted(f.number for f in filed)
    assert numbers == [f"R-2027-{n:04d}" for n in range(1, 41)]


async def test_numbering_continues_after_cases_filed_before_the_counter(
    db: Database, people: People
) -> None:
    async with db.session() as session:
        session.add(
            Case(
                kind="report",
                number="R-2027-0007",
                category_key="loose",
                status="received",
                description="earlier",
                opened_on=TODAY,
            )
        )
        await session.commit()
    assert (await file(db, people)).number == "R-2027-0008"
    assert (await file(db, people)).number == "R-2027-0009"


async def test_list_by_author_pages_newest_first(db: Database, people: People) -> None:
    assert people.author.id is not None and people.head.id is not None
    for _ in range(3):
        await file(db, people)
    page = await reports.list_by_author(db, people.author.id, offset=0, limit=2)
    assert page.total == 3
    assert [i.number for i in page.items] == ["R-2027-0003", "R-2027-0002"]
    assert page.items[0].unit_name == "城关第一中学" and page.items[0].status == "received"
    rest = await reports.list_by_author(db, people.author.id, offset=2, limit=2)
    assert [i.number for i in rest.items] == ["R-2027-0001"]
    assert (await reports.list_by_author(db, people.head.id)).total == 0


async def test_views_hide_the_confidential_reporter_from_the_unit_head(
    db: Database, people: People
) -> None:
    secret = await file(db, people, confidential=True, files=1)
    open_ = await file(db, people)
    head, author = viewer(people.head), viewer(people.author)

    head_view = await reports.view_for(db, secret.case_id, head)
    assert head_view is not None and head_view.reporter_name is None and head_view.confidential
    assert [e.caption for e in head_view.evidence] == [None]  # captions are for staff only
    assert head_view.withheld_documents == 0
    open_view = await reports.view_for(db, open_.case_id, head)
    assert open_view is not None and open_view.reporter_name == "张老师"

    own = await reports.view_for(db, secret.case_id, author)
    assert own is not None and own.reporter_name == "张老师"
    staff = await reports.view_for(db, secret.case_id, viewer(None, Role.ADMIN))
    assert staff is not None and staff.reporter_name == "张老师"

    assert await reports.view_for(db, secret.case_id, viewer(people.other_head)) is None
    assert await reports.view_for(db, 9999, viewer(people.handler)) is None


async def test_set_status_moves_validly_and_names_the_reporter(
    db: Database, people: People
) -> None:
    filed = await file(db, people)
    handler = people.handler

    async def move(to: CaseStatus, role: Role | None = Role.CASE_OFFICER) -> reports.StatusChange:
        change = await reports.set_status(
            db,
            case_id=filed.case_id,
            to=to,
            actor_member_id=handler.id,
            actor_role=role,
            today=TODAY,
            now=NOW,
            reason="查无实据" if to is CaseStatus.REJECTED else None,
        )
        assert change is not None
        return change

    refused = await move(CaseStatus.CLOSED)
    assert not refused.changed and refused.from_status == "received"
    assert not (await move(CaseStatus.ACCEPTED, Role.UNIT_HEAD)).changed
    accepted = await move(CaseStatus.ACCEPTED)
    assert accepted.changed and accepted.reporter_telegram_id == 11
    assert (accepted.number, accepted.from_status, accepted.to_status) == (
        "R-2027-0001",
        "received",
        "accepted",
    )
    assert not (await move(CaseStatus.ACCEPTED)).changed  # a second press changes nothing
    assert (await move(CaseStatus.REJECTED)).changed
    events = await audit.events_for(db, "case", filed.case_id)
    assert [(e.action, e.from_value, e.to_value) for e in events] == [
        ("report.filed", None, "received"),
        ("report.status", "received", "accepted"),
        ("report.status", "accepted", "rejected"),
    ]
    assert (
        await reports.set_status(
            db,
            case_id=9999,
            to=CaseStatus.ACCEPTED,
            actor_member_id=None,
            actor_role=Role.ADMIN,
            today=TODAY,
            now=NOW,
        )
        is None
    )


async def test_search_units_by_name_or_code(db: Database, people: People) -> None:
    assert [u.code for u in await reports.search_units(db, "城关")] == ["SCH001", "SCH002"]
    assert [u.code for u in await reports.search_units(db, "sch002")] == ["SCH002"]
    assert next(u.code for u in await reports.search_units(db, "sch")) == "SCH001"
    assert [u.code for u in await reports.search_units(db, "%")] == ["SCH_3"]  # literal %
    assert [u.code for u in await reports.search_units(db, "H_")] == ["SCH_3"]  # literal _
    assert await reports.search_units(db, "  ") == ()
    assert len(await reports.search_units(db, "S", limit=2)) == 2


async def test_documents_are_kept_from_the_unit_head(db: Database, people: People) -> None:
    assert people.author.id is not None
    mixed = draft(people.school)
    mixed.evidence = [
        EvidenceItem("photo", "photo-1", "image/jpeg", 100),
        EvidenceItem("document", "doc-1", "application/pdf", 200, caption="作者：张老师"),
    ]
    filed = await reports.submit_report(
        db, author_member_id=people.author.id, draft=mixed, year=2027, today=TODAY, now=NOW
    )
    head = await reports.view_for(db, filed.case_id, viewer(people.head))
    assert head is not None
    assert [e.telegram_file_id for e in head.evidence] == ["photo-1"]
    assert head.withheld_documents == 1
    for who in (viewer(people.author), viewer(people.handler)):
        full = await reports.view_for(db, filed.case_id, who)
        assert full is not None and len(full.evidence) == 2 and full.withheld_documents == 0
