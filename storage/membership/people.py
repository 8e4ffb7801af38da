"""People management: list a unit's members, change a role, move a person to another unit,
deactivate them (access ends at once: `members.by_telegram_id` finds active members only), and
withdraw invites. Every change is one unit of work with its audit row.

Who may do what is decided by the caller (`domain.membership.people`); these operations check
only what the database must: the person exists, the unit exists, the change is a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.ledger.rules import FINISHED
from domain.membership.roles import Role
from storage import audit
from storage.db import Database
from storage.errors import NotFoundError
from storage.models import Invite, LedgerItem, Member, Unit
from storage.models.duties import Cadre, Inspector

_OPEN_LEDGER = [s.value for s in FINISHED]


@dataclass(frozen=True)
class Person:
    """A member as people management shows them: unit and duty marks included."""

    member: Member
    unit: Unit
    cadre: bool
    inspector: bool

    @property
    def id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    @property
    def role(self) -> Role:
        return Role(self.member.role)


@dataclass(frozen=True)
class Actor:
    """Who changes a person: a member (id) or the CLI / a configured admin (None)."""

    member_id: int | None
    kind: str = "member"  # member | admin | cli


@dataclass(frozen=True)
class Deactivated:
    """A deactivation and what still names the person (for the unit head to reassign)."""

    person: Person
    open_ledger_items: tuple[int, ...]  # ids of unfinished ledger items they are responsible for


async def _person(session: AsyncSession, member: Member) -> Person:
    unit = await session.get(Unit, member.unit_id)
    assert unit is not None and member.id is not None
    cadre = await session.get(Cadre, member.id) is not None
    inspector = await session.get(Inspector, member.id) is not None
    return Person(member=member, unit=unit, cadre=cadre, inspector=inspector)


async def person(db: Database, member_id: int) -> Person | None:
    """A member (active or not) with unit and marks; None when there is no such member."""
    async with db.session() as session:
        member = await session.get(Member, member_id)
        return None if member is None else await _person(session, member)


async def by_telegram_id(db: Database, telegram_user_id: int) -> Person | None:
    """A member (active or not) by Telegram id: for the menu and for a deactivated /start."""
    async with db.session() as session:
        member = (
            await session.exec(select(Member).where(Member.telegram_user_id == telegram_user_id))
        ).first()
        return None if member is None else await _person(session, member)


async def listing(
    db: Database,
    *,
    unit_ids: Sequence[int] | None = None,
    role: Role | None = None,
    active: bool | None = True,
) -> list[Person]:
    """Members by unit code then name; `unit_ids` None means every unit, `active` None both."""
    query = select(Member, Unit).join(Unit, col(Unit.id) == col(Member.unit_id))
    if unit_ids is not None:
        query = query.where(col(Member.unit_id).in_(list(unit_ids)))
    if role is not None:
        query = query.where(Member.role == role.value)
    if active is not None:
        query = query.where(col(Member.active).is_(active))
    query = query.order_by(col(Unit.code), col(Member.display_name), col(Member.id))
    async with db.session() as session:
        rows = (await session.exec(query)).all()
        ids = [m.id for m, _ in rows if m.id is not None]
        cadres = set(
            (await session.exec(select(Cadre.member_id).where(col(Cadre.member_id).in_(ids)))).all()
        )
        inspectors = set(
            (
                await session.exec(
                    select(Inspector.member_id).where(col(Inspector.member_id).in_(ids))
                )
            ).all()
        )
    return [
        Person(member=m, unit=u, cadre=m.id in cadres, inspector=m.id in inspectors)
        for m, u in rows
    ]


async def heads_of(db: Database, unit_id: int) -> int:
    """How many active unit heads a unit has (a deactivation of the last one is warned of)."""
    async with db.session() as session:
        found = await session.exec(
            select(func.count())
            .select_from(Member)
            .where(Member.unit_id == unit_id)
            .where(Member.role == Role.UNIT_HEAD.value)
            .where(col(Member.active).is_(True))
        )
        return int(found.one())


def _state(member: Member) -> str:
    return f"{member.unit_id}|{member.role}|{'active' if member.active else 'left'}"


async def _active_member(session: AsyncSession, member_id: int) -> Member:
    member = await session.get(Member, member_id)
    if member is None or not member.active:
        raise NotFoundError("member", member_id)
    return member


async def change_role(
    db: Database, member_id: int, role: Role, *, actor: Actor, now: datetime
) -> Person:
    """Give an active member another role (not admin: admins come from the config)."""
    if role is Role.ADMIN:
        raise ValueError("admins come from the config")
    async with db.session() as session:
        member = await _active_member(session, member_id)
        if member.role != role.value:
            before = _state(member)
            member.role, member.updated_at = role.value, now
            session.add(member)
            _audit(session, AuditAction.MEMBER_ROLE, member, actor, now, before)
            await session.commit()
        return await _person(session, member)


async def move(
    db: Database, member_id: int, unit_id: int, *, actor: Actor, now: datetime
) -> Person:
    """Move an active member to another unit (their role goes with them)."""
    async with db.session() as session:
        member = await _active_member(session, member_id)
        if await session.get(Unit, unit_id) is None:
            raise NotFoundError("unit", unit_id)
        if member.unit_id != unit_id:
            before = _state(member)
            member.unit_id, member.updated_at = unit_id, now
            session.add(member)
            _audit(session, AuditAction.MEMBER_MOVED, member, actor, now, before)
            await session.commit()
        return await _person(session, member)


async def deactivate(db: Database, member_id: int, *, actor: Actor, now: datetime) -> Deactivated:
    """End a member's access at once (every handler's `viewer` stops finding them); their
    history stays. Returns the unfinished ledger items that still name them."""
    async with db.session() as session:
        member = await _active_member(session, member_id)
        before = _state(member)
        member.active, member.updated_at = False, now
        session.add(member)
        _audit(session, AuditAction.MEMBER_DEACTIVATED, member, actor, now, before)
        await session.commit()
        items = (
            await session.exec(
                select(LedgerItem.id)
                .where(LedgerItem.responsible_member_id == member_id)
                .where(col(LedgerItem.status).not_in(_OPEN_LEDGER))
                .order_by(col(LedgerItem.id))
            )
        ).all()
        found = await _person(session, member)
    return Deactivated(person=found, open_ledger_items=tuple(i for i in items if i is not None))


def _audit(
    session: AsyncSession,
    action: AuditAction,
    member: Member,
    actor: Actor,
    now: datetime,
    before: str,
) -> None:
    audit.record(
        session,
        at=now,
        action=action,
        subject_type=AuditSubject.MEMBER,
        subject_id=member.id,
        actor_member_id=actor.member_id,
        actor_kind=actor.kind,
        from_value=before,
        to_value=_state(member),
    )


async def revoke_invite(db: Database, invite_id: int, *, actor: Actor, now: datetime) -> Invite:
    """Withdraw an invite: its link then answers "withdrawn"; NotFoundError if unknown."""
    async with db.session() as session:
        invite = await session.get(Invite, invite_id)
        if invite is None:
            raise NotFoundError("invite", invite_id)
        if not invite.revoked:
            invite.revoked = True
            session.add(invite)
            audit.record(
                session,
                at=now,
                action=AuditAction.INVITE_REVOKED,
                subject_type=AuditSubject.INVITE,
                subject_id=invite_id,
                actor_member_id=actor.member_id,
                actor_kind=actor.kind,
            )
            await session.commit()
        return invite
