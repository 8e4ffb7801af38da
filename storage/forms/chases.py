"""Chases (催报) asked by staff, and the facts the forms' reminder rules read per form."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from domain.audit import AuditAction, AuditSubject
from domain.campaign import Campaign
from domain.forms.definitions import Form
from domain.forms.rules import FormFacts, period_of
from storage import audit
from storage.db import Database
from storage.forms import answers
from storage.models import FormChase


def scope_of(unit_id: int | None) -> str:
    return "all" if unit_id is None else f"unit:{unit_id}"


def unit_of(scope: str) -> int | None:
    kind, _, value = scope.partition(":")
    return int(value) if kind == "unit" and value.isdigit() else None


async def add_chase(
    db: Database,
    *,
    form_key: str,
    period: str,
    unit_id: int | None,
    requested_by: int,
    actor_member_id: int | None,
    now: datetime,
    today: date,
) -> bool:
    """Record a chase (audited); False when one for this scope was already asked today."""
    async with db.session() as session:
        session.add(
            FormChase(
                form_key=form_key,
                period=period,
                scope=scope_of(unit_id),
                requested_by=requested_by,
                requested_at=now,
                requested_on=today,
            )
        )
        audit.record(
            session,
            at=now,
            actor_member_id=actor_member_id,
            actor_kind="member" if actor_member_id is not None else "admin",
            action=AuditAction.FORM_CHASE,
            subject_type=AuditSubject.FORM,
            subject_id=f"{form_key}:{period}",
            to_value=scope_of(unit_id),
        )
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
    return True


async def facts(
    db: Database, forms: Iterable[Form], *, today: date, campaign: Campaign
) -> list[FormFacts]:
    """For each named form open today: its period, who should answer, who has, the chases."""
    out: list[FormFacts] = []
    for form in forms:
        if not form.named:
            continue
        period = period_of(form, today, campaign)
        if period is None:
            continue
        # The period before: its missing list may be due on the first working day after its
        # due day, in this period (a weekly form due on Friday: on Monday).
        before = period_of(form, period.first - timedelta(days=1), campaign)
        periods = [period] if before is None or before.key == period.key else [before, period]
        expected = await answers.expected(db, form)
        for each in periods:
            answered = await answers.answered_members(db, form_key=form.key, period=each.key)
            async with db.session() as session:
                rows = (
                    await session.exec(
                        select(FormChase).where(
                            FormChase.form_key == form.key, FormChase.period == each.key
                        )
                    )
                ).all()
            chases = tuple(
                (c.id, unit_of(c.scope), c.requested_at) for c in rows if c.id is not None
            )
            out.append(FormFacts(form, each, tuple(expected), answered, chases))
    return out
