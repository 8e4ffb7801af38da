"""Things to act on, made through storage (each feature's own tests cover making them by
chat): ledger items in a unit, a rectified item waiting for verification, a filed report."""

from __future__ import annotations

from datetime import date

from domain.cases.reports import ReportDraft
from domain.ledger.rules import LedgerStatus
from handlers.context import SERVICES_KEY, Services
from simulator import SimUser
from storage.ledger import items as ledger
from storage.membership import members
from storage.models import LedgerItem
from tests.hostile.bench import Bench


def services(b: Bench) -> Services:
    found: Services = b.app.bot_data[SERVICES_KEY]
    return found


async def member_id(b: Bench, user: SimUser) -> int:
    found = await members.by_telegram_id(b.db, user.id)
    assert found is not None and found.member.id is not None
    return found.member.id


async def item(
    b: Bench,
    unit: str = "SCH001",
    *,
    status: LedgerStatus = LedgerStatus.OPEN,
    responsible: SimUser | None = None,
    by: SimUser | None = None,
    description: str = "会议室空调长期不关。",
) -> LedgerItem:
    """A ledger item of `unit`, moved to `status` by `by` (the unit head by default)."""
    now = b.h.clock.now()
    made = await ledger.add_item(
        b.db,
        unit_id=b.unit_ids[unit],
        category_key=services(b).settings.campaign.categories[0].key,
        description=description,
        measure="建立节能制度",
        deadline=date(2027, 5, 1),
        responsible_member_id=await member_id(b, responsible) if responsible else None,
        responsible_name=None,
        actor_member_id=None,
        now=now,
        today=now.date(),
    )
    assert made.id is not None
    if status is not LedgerStatus.OPEN:
        actor = await member_id(b, by) if by is not None else None
        moved = await ledger.move_status(
            b.db,
            item_id=made.id,
            expected_version=made.version,
            target=status,
            actor_member_id=actor,
            note="已整改" if status is LedgerStatus.RECTIFIED else None,
            now=now,
            today=now.date(),
        )
        assert moved.item is not None
        return moved.item
    return made


async def report(b: Bench, author: SimUser, unit: str = "SCH001") -> str:
    """A report filed by `author` about `unit`; its number."""
    from storage.cases import reports

    category = services(b).settings.campaign.categories[0].key
    draft = ReportDraft(category, b.unit_ids[unit], "有教师经常迟到早退。", None, [], False)
    filed = await reports.submit_report(
        b.db,
        author_member_id=await member_id(b, author),
        draft=draft,
        year=2027,
        today=b.h.clock.now().date(),
        now=b.h.clock.now(),
    )
    return filed.number
