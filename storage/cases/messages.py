"""Adding messages to a case, in order, inside the caller's unit of work.

A message's `seq` orders its case's thread (a complaint keeps dates, not times, so the day
alone cannot). Rows of anonymous complaints get random negative ids (see
`storage.models.base.anonymous_row_id`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases.sealing import MESSAGE, seal_for
from storage.models import CaseMessage
from storage.models.base import anonymous_row_id


async def add_message(
    session: AsyncSession,
    *,
    case_id: int,
    direction: str,
    body: str,
    sent_on: date,
    anonymous: bool,
    sent_at: datetime | None = None,
    staff_member_id: int | None = None,
) -> CaseMessage:
    """Append a message to the case's thread (committed with the caller's change)."""
    last = (
        await session.exec(
            select(func.max(col(CaseMessage.seq))).where(CaseMessage.case_id == case_id)
        )
    ).one()
    message = CaseMessage(
        id=anonymous_row_id() if anonymous else None,
        case_id=case_id,
        seq=(last or 0) + 1,
        direction=direction,
        body=await seal_for(session, case_id, MESSAGE, body),  # a complaint's words, sealed
        sent_on=sent_on,
        sent_at=None if anonymous else sent_at,
        staff_member_id=staff_member_id,
    )
    session.add(message)
    return message
