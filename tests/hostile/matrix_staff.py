"""The authorisation matrix's drivers for the staff side: statistics and export files, the
inbox's case actions, and the complaint card's buttons in the staff chat."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import select

from domain.cases.outcome import Outcome
from domain.desk.rules import Actor
from domain.ledger.rules import LedgerStatus
from domain.membership.roles import Role
from handlers.hotline.card import PROMPT_MARK
from simulator import SimUser
from storage.cases import complaints
from storage.desk import actions as desk
from storage.ledger import items as ledger
from storage.models import Case, ComplaintRating, LedgerItem, Member
from tests.e2e.hotline_support import Hotline
from tests.hostile.bench import Bench
from tests.hostile.matrix_support import Drive, effect, press, refused, unit_of
from tests.hostile.seed import item, member_id, report


async def arrives(b: Bench, user: SimUser, count: int, kind: str) -> bool:
    """Whether a bot message with a photo or document comes after the first `count`."""

    def came() -> bool:
        return any(getattr(m, kind) is not None for m in b.sim.bot_messages(user)[count:])

    # A chart is drawn in a worker thread: the first one of a process also loads the font, which
    # takes seconds on a loaded machine. A refusal never waits this long (it is answered first).
    return await b.sim.state.signal.wait_for(came, 20.0)


async def stats_chart(b: Bench, user: SimUser, scope: str) -> bool:
    # Something to chart whatever ran before (alone, the bench's ledger is empty and the
    # answer is "Nothing to chart yet." instead of a picture).
    async with b.db.session() as session:
        empty = (await session.exec(select(LedgerItem.id).limit(1))).first() is None
    if empty:
        await item(b)
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, "stats:v1:chart:completion")
    sent = not refused(notice) and await arrives(b, user, count, "photo")
    assert refused(notice) != sent, notice
    return sent


def export_file(what: str) -> Drive:
    async def drive(b: Bench, user: SimUser, scope: str) -> bool:
        count = len(b.sim.bot_messages(user))
        notice = await press(b, user, f"export:v1:{what}:csv")
        sent = not refused(notice) and await arrives(b, user, count, "document")
        assert refused(notice) != sent, notice
        return sent

    return drive


async def owner_of(b: Bench, number: str) -> int | None:
    async with b.db.session() as session:
        found = (await session.exec(select(Case).where(Case.number == number))).one()
        return found.owner_member_id


async def case_id(b: Bench, number: str) -> int:
    async with b.db.session() as session:
        found = (await session.exec(select(Case).where(Case.number == number))).one()
        assert found.id is not None
        return found.id


async def inbox_open(b: Bench, user: SimUser, scope: str) -> bool:
    number = await report(
        b, b.people.member if scope == "own" else b.people.member2, unit_of(scope)
    )
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, f"inbox:v1:open:{await case_id(b, number)}")

    async def card() -> bool:
        return any(number in m.text for m in b.sim.bot_messages(user)[count - 1 :])

    ok = await effect(notice, card)
    assert refused(notice) != ok, notice
    return ok


async def inbox_accept(b: Bench, user: SimUser, scope: str) -> bool:
    number = await report(
        b, b.people.member if scope == "own" else b.people.member2, unit_of(scope)
    )
    notice = await press(b, user, f"inbox:v1:accept:{await case_id(b, number)}")

    async def owned() -> bool:
        return await owner_of(b, number) is not None

    accepted = await effect(notice, owned)
    assert (notice is not None and not accepted) or accepted, notice
    return accepted


async def owned_case(b: Bench, scope: str, *, answered: bool = False) -> tuple[int, str]:
    """A report about the scope's unit, accepted (and answered) by the handler."""
    author = b.people.member if scope == "own" else b.people.member2
    number = await report(b, author, unit_of(scope))
    found = await case_id(b, number)
    owner = Actor(Role.CASE_OFFICER, await member_id(b, b.people.handler), b.unit_ids["EDU"])
    now = b.h.clock.now()
    done = await desk.accept(b.db, found, owner, today=now.date(), now=now)
    assert done.outcome is Outcome.OK
    if answered:
        done = await desk.reply(b.db, found, owner, "已答复。", today=now.date(), now=now)
        assert done.outcome is Outcome.OK
    return found, number


def inbox_owned(action: str, *, answered: bool = False) -> Drive:
    """`action` on a case the handler owns: only the owner may (谁受理谁负责)."""

    async def drive(b: Bench, user: SimUser, scope: str) -> bool:
        found, number = await owned_case(b, scope, answered=answered)
        count = len(b.sim.bot_messages(user))
        notice = await press(b, user, f"inbox:v1:{action}:{found}")

        async def asked() -> bool:
            new = b.sim.bot_messages(user)[count:]
            return any(number in m.text for m in new) or "第二承办人" in str(b.last(user).buttons)

        ok = await effect(notice, asked)
        assert refused(notice) != ok, notice
        return ok

    return drive


async def transfer(b: Bench, user: SimUser, scope: str) -> bool:
    if not await b.count(Member, Member.display_name == "第二承办人"):
        await b.person(Role.CASE_OFFICER, "EDU", "第二承办人")  # someone to hand the case to
    return await inbox_owned("transfer")(b, user, scope)


async def complaint_number(b: Bench) -> str:
    open_ones = await complaints.for_staff(b.db)
    if not open_ones:
        hl = Hotline(h=b.h, staff=b.staff, handler=b.people.handler)
        await hl.file(b.stranger("投诉人"), text="食堂多收伙食费，矩阵测试。")
        open_ones = await complaints.for_staff(b.db)
    return open_ones[0].pseudonym


def hotline_card(action: str) -> Drive:
    async def drive(b: Bench, user: SimUser, scope: str) -> bool:
        return await _hotline_prompt(b, user, action)

    return drive


async def _hotline_prompt(b: Bench, user: SimUser, action: str) -> bool:
    pseudonym = await complaint_number(b)
    count = len(b.sim.bot_messages(b.staff))
    notice = await press(b, user, f"hotline:v1:{action}:{pseudonym}", b.staff)

    async def prompt() -> bool:
        return any(
            m.text.startswith(PROMPT_MARK) and pseudonym in m.text
            for m in b.sim.bot_messages(b.staff)[count:]
        )

    prompted = await effect(notice, prompt)
    assert refused(notice) != prompted, notice
    return prompted


# -- the loop of a case (issue 14) -------------------------------------------------------------


async def verified_case(b: Bench, scope: str) -> tuple[int, str]:
    """A report about the scope's unit, accepted and dispatched by the handler, rectified by the
    unit's head and verified: it awaits its owner's answer."""
    found, number = await owned_case(b, scope)
    owner = Actor(Role.CASE_OFFICER, await member_id(b, b.people.handler), b.unit_ids["EDU"])
    now = b.h.clock.now()
    sent = await desk.dispatch(
        b.db, found, owner, now.date() + timedelta(days=30), "整改。", today=now.date(), now=now
    )
    assert sent.outcome is Outcome.OK
    async with b.db.session() as session:
        made = (
            await session.exec(select(LedgerItem).where(LedgerItem.source_case_id == found))
        ).one()
    assert made.id is not None
    head = b.people.head if scope == "own" else b.people.head2
    for target, by in ((LedgerStatus.RECTIFIED, head), (LedgerStatus.VERIFIED, b.people.handler)):
        moved = await ledger.move_status(
            b.db,
            item_id=made.id,
            expected_version=made.version,
            target=target,
            actor_member_id=await member_id(b, by),
            note="已整改",
            now=now,
            today=now.date(),
        )
        assert moved.item is not None
        made = moved.item
    return found, number


async def status_of_case(b: Bench, case_id: int) -> str:
    async with b.db.session() as session:
        found = await session.get(Case, case_id)
        assert found is not None
        return found.status


async def inbox_answer(b: Bench, user: SimUser, scope: str) -> bool:
    """答复办结 on a verified case: only its owner is asked (the prepared answer, the prompt)."""
    found, number = await verified_case(b, scope)
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, f"inbox:v1:answer:{found}")

    async def asked() -> bool:
        return any(number in m.text for m in b.sim.bot_messages(user)[count:])

    ok = await effect(notice, asked)
    assert refused(notice) != ok, notice
    return ok


async def inbox_answer_as_prepared(b: Bench, user: SimUser, scope: str) -> bool:
    """The prepared answer sent unedited, after the finding (答复办结 records it first, as Close
    does): only the owner closes the case."""
    found, _number = await verified_case(b, scope)
    await press(b, user, f"inbox:v1:answer:{found}")
    await press(b, user, f"close:v1:f:{found}.2")  # 不属实: nobody held accountable
    notice = await press(b, user, f"inbox:v1:asis:{found}")

    async def closed() -> bool:
        return await status_of_case(b, found) == "closed"

    ok = await effect(notice, closed)
    assert refused(notice) != ok, notice
    return ok


async def verification_queue(b: Bench, user: SimUser, scope: str) -> bool:
    count = len(b.sim.bot_messages(user))
    notice = await press(b, user, "inbox:v1:vq:0")

    async def shown() -> bool:
        return any("待核验" in m.text for m in b.sim.bot_messages(user)[count:])

    ok = await effect(notice, shown)
    assert refused(notice) != ok, notice
    return ok


async def complaint_card_accept(b: Bench, user: SimUser, scope: str) -> bool:
    """Accept on a new complaint's staff chat card (谁受理谁负责)."""
    hl = Hotline(h=b.h, staff=b.staff, handler=b.people.handler)
    await hl.file(
        b.stranger("投诉人"), text=f"食堂多收伙食费，矩阵受理测试 {secrets.token_hex(4)}。"
    )
    fresh = [v for v in await complaints.for_staff(b.db) if v.status == "received"]
    case = fresh[-1].case_id
    notice = await press(b, user, f"inbox:v1:accept:{case}", b.staff)

    async def owned() -> bool:
        async with b.db.session() as session:
            found = await session.get(Case, case)
        return found is not None and found.owner_member_id is not None

    ok = await effect(notice, owned)
    assert (notice is not None and not ok) or ok, notice
    return ok


async def report_rating(b: Bench, user: SimUser, scope: str) -> bool:
    """回访: only the report's author rates its answer (own: the member's report)."""
    found, _number = await owned_case(b, scope, answered=True)
    owner = Actor(Role.CASE_OFFICER, await member_id(b, b.people.handler), b.unit_ids["EDU"])
    now = b.h.clock.now()
    done = await desk.close(b.db, found, owner, "办结", today=now.date(), now=now)
    assert done.outcome is Outcome.OK
    notice = await press(b, user, f"rate:v1:s:{found}")

    async def rated() -> bool:
        async with b.db.session() as session:
            return await session.get(ComplaintRating, found) is not None

    ok = await effect(notice, rated)
    assert refused(notice) != ok, notice
    return ok
