"""The authorisation matrix's drivers for people management: a unit's list, a person's card,
a role change, a move, a deactivation and an invite's withdrawal, each a made-up press on a
fresh person (or invite) of the scope's unit, its effect read from the database."""

from __future__ import annotations

from datetime import timedelta

from domain.membership.roles import Role
from simulator import SimUser
from storage.membership import invites, members, people
from tests.hostile.bench import Bench
from tests.hostile.matrix_support import Drive, effect, last_text, press, refused, unit_of


async def _fresh(b: Bench, scope: str) -> tuple[SimUser, int]:
    user = await b.person(Role.MEMBER, unit_of(scope), f"矩阵人员{scope}")
    found = await members.by_telegram_id(b.db, user.id)
    assert found is not None and found.member.id is not None
    return user, found.member.id


async def unit_list(b: Bench, user: SimUser, scope: str) -> bool:
    unit = unit_of(scope)
    notice = await press(b, user, f"ppl:v1:u:{b.unit_ids[unit]}.0")

    async def shown() -> bool:
        return f"（{unit}）：共" in await last_text(b, user)

    ok = await effect(notice, shown)
    assert refused(notice) != ok, notice
    return ok


async def person_card(b: Bench, user: SimUser, scope: str) -> bool:
    _, target = await _fresh(b, scope)
    notice = await press(b, user, f"ppl:v1:p:{target}")

    async def shown() -> bool:
        return f"矩阵人员{scope}" in await last_text(b, user)

    ok = await effect(notice, shown)
    assert refused(notice) != ok, notice
    assert refused(notice) is False or f"矩阵人员{scope}" not in (notice or "")
    return ok


def change(action: str) -> Drive:
    """`r` (make unit head), `mv` (move to the other school of the district), `dx` (deactivate,
    confirmed): the database shows whether it happened."""

    async def drive(b: Bench, user: SimUser, scope: str) -> bool:
        _, target = await _fresh(b, scope)
        other = b.unit_ids["SCH002" if scope == "own" else "SCH001"]
        value = {"r": f"{target}.h", "mv": f"{target}.{other}", "dx": f"{target}"}[action]
        notice = await press(b, user, f"ppl:v1:{action}:{value}")

        async def changed() -> bool:
            found = await people.person(b.db, target)
            assert found is not None
            if action == "r":
                return found.role is Role.UNIT_HEAD
            if action == "mv":
                return found.unit.id == other
            return not found.member.active

        ok = await effect(notice, changed)
        assert refused(notice) != ok, notice
        return ok

    return drive


async def revoke_invite(b: Bench, user: SimUser, scope: str) -> bool:
    made = await invites.create_invite(
        b.db,
        unit_code=unit_of(scope),
        role=Role.MEMBER,
        max_uses=5,
        ttl=timedelta(days=3),
        now=b.h.clock.now(),
        created_by="cli",
    )
    notice = await press(b, user, f"ppl:v1:x:{made.invite.id}")

    async def withdrawn() -> bool:
        found = await invites.by_id(b.db, made.invite.id or 0)
        return found is not None and found.revoked

    ok = await effect(notice, withdrawn)
    assert refused(notice) != ok, notice
    return ok
