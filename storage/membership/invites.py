"""Invites: created by admins, redeemed once per use by a Telegram user joining a unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditAction, AuditSubject
from domain.membership import invites as rules
from domain.membership.invites import InviteRefusal
from domain.membership.roles import INVITABLE_ROLES, Role
from storage import audit
from storage.db import Database
from storage.errors import NotFoundError
from storage.models import Invite, Member, Unit


@dataclass(frozen=True)
class NewInvite:
    token: str  # shown once; only its hash is stored
    invite: Invite
    unit: Unit


@dataclass(frozen=True)
class Redemption:
    """The result of `/start <token>`: a member, or the reason for refusing."""

    member: Member | None
    unit: Unit | None
    refusal: InviteRefusal | None
    already_member: bool = False


async def create_invite(
    db: Database,
    *,
    unit_code: str,
    role: Role,
    max_uses: int,
    ttl: timedelta,
    now: datetime,
    created_by: str,
) -> NewInvite:
    """Make an invite for `unit_code`; raises NotFoundError for an unknown unit."""
    if role not in INVITABLE_ROLES:
        raise ValueError(f"role {role} cannot be invited")
    if max_uses < 1:
        raise ValueError("max_uses must be at least 1")
    async with db.session() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == unit_code))).first()
        if unit is None:
            raise NotFoundError("unit", unit_code)
        made = await _add(session, unit, role, max_uses, now + ttl, now, created_by)
        await session.commit()
    return made


async def _add(
    session: AsyncSession,
    unit: Unit,
    role: Role,
    max_uses: int,
    expires_at: datetime,
    now: datetime,
    created_by: str,
) -> NewInvite:
    """One new invite with its audit row, in the caller's unit of work."""
    token = rules.new_token()
    invite = Invite(
        token_hash=rules.token_hash(token),
        unit_id=unit.id,  # type: ignore[arg-type]
        role=role.value,
        max_uses=max_uses,
        uses=0,
        expires_at=expires_at,
        created_at=now,
        created_by=created_by,
    )
    session.add(invite)
    await session.flush()
    audit.record(
        session,
        at=now,
        action=AuditAction.INVITE_CREATED,
        subject_type=AuditSubject.INVITE,
        subject_id=invite.id,
        actor_kind="cli" if created_by == "cli" else "member",
        to_value=f"{unit.code}|{role.value}|{max_uses}",
    )
    return NewInvite(token=token, invite=invite, unit=unit)


async def redeem(
    db: Database,
    *,
    token: str,
    telegram_user_id: int,
    display_name: str,
    language: str | None,
    now: datetime,
) -> Redemption:
    """Use one use of an invite to register (or move) a Telegram user; atomic.

    The use is taken with a conditional UPDATE, so two people racing for the last use cannot
    both get it. A person already in that unit with that role keeps the use unspent.
    """
    if not rules.is_valid_payload(token):
        return Redemption(None, None, InviteRefusal.MALFORMED)
    digest = rules.token_hash(token)
    async with db.session() as session:
        invite = (await session.exec(select(Invite).where(Invite.token_hash == digest))).first()
        if invite is None:
            return Redemption(None, None, InviteRefusal.UNKNOWN)
        unit = await session.get(Unit, invite.unit_id)
        member = (
            await session.exec(select(Member).where(Member.telegram_user_id == telegram_user_id))
        ).first()
        if (
            member is not None
            and member.active
            and member.unit_id == invite.unit_id
            and member.role == invite.role
        ):
            return Redemption(member, unit, None, already_member=True)
        reason = rules.refusal(
            now=now,
            expires_at=invite.expires_at,
            uses=invite.uses,
            max_uses=invite.max_uses,
            revoked=invite.revoked,
        )
        if reason is not None:
            return Redemption(None, unit, reason)
        taken = await session.exec(
            update(Invite)
            .where(col(Invite.id) == invite.id)
            .where(col(Invite.uses) < col(Invite.max_uses))
            .where(col(Invite.revoked).is_(False))
            .values(uses=col(Invite.uses) + 1)
        )
        if taken.rowcount != 1:
            await session.rollback()
            return Redemption(None, unit, InviteRefusal.USED_UP)
        if member is None:
            member = Member(
                telegram_user_id=telegram_user_id,
                display_name=display_name,
                unit_id=invite.unit_id,
                role=invite.role,
                language=language,
                active=True,
                reachable=True,
                joined_at=now,
                updated_at=now,
            )
            session.add(member)
            await session.flush()
            audit.record(
                session,
                at=now,
                action=AuditAction.MEMBER_JOINED,
                subject_type=AuditSubject.MEMBER,
                subject_id=member.id,
                actor_member_id=member.id,
                to_value=f"{invite.unit_id}|{invite.role}",
            )
        else:
            before = f"{member.unit_id}|{member.role}|{'active' if member.active else 'left'}"
            member.unit_id, member.role, member.active = invite.unit_id, invite.role, True
            member.display_name = display_name
            member.updated_at = now
            session.add(member)
            audit.record(
                session,
                at=now,
                action=AuditAction.MEMBER_MOVED,
                subject_type=AuditSubject.MEMBER,
                subject_id=member.id,
                actor_member_id=member.id,
                from_value=before,
                to_value=f"{invite.unit_id}|{invite.role}|active",
            )
        await session.commit()
    return Redemption(member, unit, None)


async def by_id(db: Database, invite_id: int) -> Invite | None:
    async with db.session() as session:
        return await session.get(Invite, invite_id)


async def create_invites(
    db: Database,
    wanted: Sequence[tuple[str, Role]],
    *,
    ttl: timedelta,
    now: datetime,
    created_by: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[NewInvite]:
    """One single-use invite per (unit code, role), all in one unit of work: an unknown unit
    raises NotFoundError and nothing is made (a bulk onboarding is all or nothing)."""
    made: list[NewInvite] = []
    async with db.session() as session:
        by_code = {u.code: u for u in (await session.exec(select(Unit))).all()}
        for index, (code, role) in enumerate(wanted, start=1):
            unit = by_code.get(code)
            if unit is None:
                raise NotFoundError("unit", code)
            if role not in INVITABLE_ROLES:
                raise ValueError(f"role {role} cannot be invited")
            made.append(await _add(session, unit, role, 1, now + ttl, now, created_by))
            if progress is not None:
                progress(index, len(wanted))
        await session.commit()
    return made
