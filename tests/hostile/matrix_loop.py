"""The authorisation matrix's drivers for closing the loop: asking for an extension (延期) on
a ledger card, deciding one, recording a closing finding (问责), the accountability register,
and registering a case from another channel (/intake). Every press is a made-up one; the
database says whether it took effect."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from domain.cases.outcome import Outcome
from domain.desk.rules import Actor
from domain.ledger.rules import Actor as LedgerActor
from domain.membership.roles import Role
from simulator import SimUser
from storage.desk import actions as desk
from storage.ledger import extensions
from storage.models import CaseIntake, LedgerExtension, LedgerItem
from tests.hostile.bench import Bench
from tests.hostile.matrix_staff import case_id, owned_case
from tests.hostile.matrix_support import cancel, effect, last_text, press, refused, unit_of
from tests.hostile.seed import item, member_id, services


async def ledger_ask_extension(b: Bench, user: SimUser, scope: str) -> bool:
    made = await item(b, unit_of(scope), description=f"矩阵延期{scope}")
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, f"ledger:v1:xr:{made.id}.{made.version}")

    async def asked() -> bool:
        return len(b.sim.bot_messages(user)) > count and "延至" in await last_text(b, user)

    ok = await effect(notice, asked)
    if ok:
        await cancel(b, user)
    assert refused(notice) != ok, notice
    return ok


async def _pending_extension(b: Bench, scope: str) -> int:
    """A case the handler owns, dispatched to the scope's unit, whose head asked for time."""
    found, _number = await owned_case(b, scope)
    owner = Actor(Role.CASE_OFFICER, await member_id(b, b.people.handler), b.unit_ids["EDU"])
    now = b.h.clock.now()
    sent = await desk.dispatch(
        b.db, found, owner, date(2027, 4, 30), "限期整改。", today=now.date(), now=now
    )
    assert sent.outcome is Outcome.OK
    async with b.db.session() as session:
        made = (
            await session.exec(select(LedgerItem).where(LedgerItem.source_case_id == found))
        ).one()
    head = b.people.head if scope == "own" else b.people.head2
    asked = await extensions.request(
        b.db,
        item_id=made.id or 0,
        expected_version=made.version,
        actor=LedgerActor(Role.UNIT_HEAD, await member_id(b, head), b.unit_ids[unit_of(scope)]),
        to_deadline=date(2027, 5, 20),
        reason="矩阵测试",
        superiors={},
        campaign_end=services(b).settings.campaign.end,
        today=now.date(),
        now=now,
    )
    assert asked.outcome is Outcome.OK and asked.extension is not None
    return asked.extension.id or 0


async def extension_decide(b: Bench, user: SimUser, scope: str) -> bool:
    ext_id = await _pending_extension(b, scope)
    notice = await press(b, user, f"ext:v1:ok:{ext_id}")

    async def decided() -> bool:
        async with b.db.session() as session:
            found = await session.get(LedgerExtension, ext_id)
            return found is not None and found.status == "approved"

    ok = await effect(notice, decided)
    assert refused(notice) != ok, notice
    return ok


async def close_finding(b: Bench, user: SimUser, scope: str) -> bool:
    """Close pressed, then a finding: only the owner gets a draft and the summary prompt."""
    found, number = await owned_case(b, scope, answered=True)
    first = await press(b, user, f"inbox:v1:close:{found}")
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, f"close:v1:f:{found}.2")  # 不属实: the summary is next

    async def summary_asked() -> bool:
        new = b.sim.bot_messages(user)[count:]
        return any(number in m.text and "办结意见" in m.text for m in new)

    ok = await effect(notice, summary_asked)
    assert refused(notice) != ok or refused(first), (first, notice)
    assert await case_id(b, number) == found
    return ok


async def _intakes(b: Bench) -> int:
    async with b.db.session() as session:
        return len((await session.exec(select(CaseIntake))).all())


async def intake_register(b: Bench, user: SimUser, scope: str) -> bool:
    """/intake and every step of an anonymous phone case as made-up presses: only case
    officers and administrators register one (each press re-checked)."""
    before = await _intakes(b)
    await b.sim.drain(user)
    await b.say(user, "/intake")
    category = services(b).settings.campaign.categories[0].key
    for data in ("ch:phone", "day:0", "who:anon", "nounit:0", f"cat:{category}"):
        await press(b, user, f"intake:v1:{data}")
    await b.sim.send_text(user, "矩阵登记测试。")
    await b.sim.wait_confirmed(settle=0.01)
    await press(b, user, "intake:v1:files:0")
    notice = await press(b, user, "intake:v1:submit:0")

    async def registered() -> bool:
        return await _intakes(b) > before

    ok = await effect(notice, registered)
    assert refused(notice) != ok, notice
    await b.quiet(user)
    return ok
