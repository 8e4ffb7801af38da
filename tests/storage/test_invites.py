"""Invites: one use per person, atomic under races, refusals that change nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.membership.invites import InviteRefusal, token_hash
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from storage import audit
from storage.db import Database
from storage.errors import NotFoundError
from storage.membership import invites, members, units
from storage.models import Invite

NOW = datetime(2027, 2, 20, 1, 0, tzinfo=UTC)


async def _school(db: Database) -> None:
    await units.import_units(
        db, [(2, UnitRow("SCH001", "城关一中", UnitKind.SCHOOL, None))], now=NOW
    )


async def _invite(db: Database, *, uses: int = 1, role: Role = Role.MEMBER) -> str:
    made = await invites.create_invite(
        db,
        unit_code="SCH001",
        role=role,
        max_uses=uses,
        ttl=timedelta(days=7),
        now=NOW,
        created_by="cli",
    )
    return made.token


async def _redeem(db: Database, token: str, user: int, at: datetime = NOW) -> invites.Redemption:
    return await invites.redeem(
        db, token=token, telegram_user_id=user, display_name=f"user {user}", language=None, now=at
    )


async def test_only_the_hash_of_a_token_is_stored(db: Database) -> None:
    await _school(db)
    token = await _invite(db)
    async with db.session() as session:
        stored = await session.get(Invite, 1)
    assert stored is not None
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash


async def test_redeem_registers_a_member_once(db: Database) -> None:
    await _school(db)
    token = await _invite(db, uses=2)
    first = await _redeem(db, token, 5001)
    assert first.refusal is None and first.member is not None
    assert first.member.role == "member" and first.unit is not None
    again = await _redeem(db, token, 5001)
    assert again.already_member
    found = await members.by_telegram_id(db, 5001)
    assert found is not None and found.unit.code == "SCH001"
    # the second redemption by the same person did not spend a use
    second_person = await _redeem(db, token, 5002)
    assert second_person.refusal is None


async def test_refusals_change_nothing(db: Database) -> None:
    await _school(db)
    token = await _invite(db)
    assert (await _redeem(db, token, 5001)).refusal is None
    assert (await _redeem(db, token, 5002)).refusal is InviteRefusal.USED_UP
    assert (await _redeem(db, "forged-token", 5003)).refusal is InviteRefusal.UNKNOWN
    assert (await _redeem(db, "bad token!", 5003)).refusal is InviteRefusal.MALFORMED
    late = await _invite(db)
    expired = await _redeem(db, late, 5004, at=NOW + timedelta(days=8))
    assert expired.refusal is InviteRefusal.EXPIRED
    for user in (5002, 5003, 5004):
        assert await members.by_telegram_id(db, user) is None


async def test_racing_for_the_last_use_admits_one(db: Database) -> None:
    await _school(db)
    token = await _invite(db, uses=1)
    results = await asyncio.gather(*(_redeem(db, token, 6000 + i) for i in range(5)))
    admitted = [r for r in results if r.refusal is None]
    assert len(admitted) == 1
    assert all(r.refusal is InviteRefusal.USED_UP for r in results if r not in admitted)


async def test_a_new_invite_moves_a_member_and_audits_it(db: Database) -> None:
    await _school(db)
    assert (await _redeem(db, await _invite(db), 5001)).refusal is None
    moved = await _redeem(db, await _invite(db, role=Role.UNIT_HEAD), 5001)
    assert moved.member is not None and moved.member.role == "unit_head"
    events = await audit.events_for(db, "member", moved.member.id)
    assert [e.action for e in events] == ["member.joined", "member.moved"]


async def test_invite_for_unknown_unit_is_refused(db: Database) -> None:
    with pytest.raises(NotFoundError):
        await invites.create_invite(
            db,
            unit_code="NOPE",
            role=Role.MEMBER,
            max_uses=1,
            ttl=timedelta(days=1),
            now=NOW,
            created_by="cli",
        )
