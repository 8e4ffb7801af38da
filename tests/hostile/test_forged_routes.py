"""Forged buttons, for every route the bot registers, from every role.

Every CallbackQueryHandler of `handlers.build_handlers()` (nested conversations' entry points,
states and fallbacks too) is found by walking the handlers; each route's actions come from its
pattern's alternatives or, for a route-wide pattern, from `ACTIONS` (a test below fails when a
route has no entry). Each action gets hostile values of every kind: Unicode digits, numbers beyond
the 64-bit range, negative numbers, empty and extra fields, random characters, no value, data
over 64 bytes (a kind's members take turns across the roles, and a test checks each member
is pressed on every action by some role). Pressed by a stranger, a
member, a unit head, a case officer and an administrator: the press is answered, never with
the apology, no ERROR record carries a traceback, and the database is unchanged.

Conversation states are reached only through their conversation: a press outside it goes to
the route's fallback (also covered here); the steps' own parsing is covered by
tests/test_callbacks.py and the hostile report/complaint suites.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from telegram.ext import CallbackQueryHandler, ConversationHandler

from handlers import build_handlers
from storage.models import metadata
from tests.hostile.bench import APOLOGY_EN, APOLOGY_ZH, Bench
from tests.hostile.table import row

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
TITLE = "Hostile input: forged buttons on every route"
HEADERS = ("role", "presses", "routes", "answers", "outcome")

# Route-wide patterns: the actions their buttons carry (from the code that builds them).
ACTIONS: dict[str, tuple[str, ...]] = {
    "complain": ("go", "cancel", "cat", "unit", "edit", "keep", "files_done", "push", "submit"),
    "status": ("add", "push_off", "push_on", "rate", "done", "rating", "no_comment"),
    "hotline": ("reply", "close", "reject"),
    "inbox": (
        *("accept", "reply", "close", "transfer", "dispatch"),
        *("open", "card", "to", "pm", "l", "f", "fk", "fs", "fc", "fu", "fa"),
        *("answer", "asis", "vq", "vp"),
    ),
    "desk": ("rt", "p", "n", "f", "fa", "q", "s", "ss", "pf"),
    "pub": ("pick", "open", "list", "mk", "go", "edit", "drop", "wd", "wdy", "force"),
    "bc": ("aud", "kind", "drop", "send", "st"),
    "lang": ("set",),
    "ledger": (
        *("u", "us", "o", "m", "sg", "sy", "add", "ip", "rc", "vf", "rj", "pn", "em"),
        *("ed", "er", "cat", "dl", "who", "done", "xr", "pdf", "ch"),
    ),
    "close": ("f", "h", "d", "x"),
    "form": (
        "back",
        "cancel",
        "done",
        "edit",
        "opt",
        "pick",
        "q",
        "sc",
        "skip",
        "sub",
        "unit",
        "tog",
    ),
    "formst": ("chase", "csv", "links", "view", "xlsx"),
    "rate": ("s", "b", "d"),
    "ppl": ("u", "p", "r", "m", "mv", "d", "dx", "x"),
    "ext": ("ok", "no"),
    "intake": ("ch", "day", "who", "unit", "nounit", "cat", "files", "submit", "anon", "cancel"),
    "overdue": ("page",),
    "stats": ("chart",),
    "export": ("cases", "ledger", "audit"),
    "papers": ("pdf", "docx"),
    "checkin": ("here",),
    "inspect": ("round", "unit", "cat", "done", "now", "submit", "cancel"),
    "report": ("cat", "unit", "skip", "done", "clear", "conf", "submit", "edit", "cancel"),
    "report_more": ("field", "back"),
}
VALUES = (
    "²",
    "①",
    "٣",
    str(2**66),
    "-1",
    "-9223372036854775809",
    "",
    "1.2.3.4",
    "1:2:3",
    "1.²",
)
WHOLE = (
    "",
    "x" * 80,
    "ledger:v1:o:" + "9" * 60,
    ":::",
    "v1",
)
# Tables that record handling itself, not the campaign's data.
BOOKKEEPING = {"processed_updates", "conversation_states", "conversation_drafts", "leadership"}


def callback_handlers() -> Iterator[tuple[str, CallbackQueryHandler[Any, Any]]]:
    """Every CallbackQueryHandler with where it sits ("top", or conversation/state)."""
    for _, handler in build_handlers():
        yield from _walk(handler, "top")


def _walk(handler: object, where: str) -> Iterator[tuple[str, CallbackQueryHandler[Any, Any]]]:
    if isinstance(handler, CallbackQueryHandler):
        yield where, handler
    elif isinstance(handler, ConversationHandler):
        name = handler.name or "conversation"
        for h in handler.entry_points:
            yield from _walk(h, f"{name}/entry")
        for state, hs in handler.states.items():
            for h in hs:
                yield from _walk(h, f"{name}/{state}")
        for h in handler.fallbacks:
            yield from _walk(h, f"{name}/fallback")


def _pattern(handler: CallbackQueryHandler[Any, Any]) -> str | None:
    found = handler.pattern
    return found.pattern if isinstance(found, re.Pattern) else found  # type: ignore[return-value]


def prefixes(pattern: str | None) -> list[str]:
    """`route:v1:action:` for every action the pattern lets through."""
    if pattern is None:
        return []
    body = pattern.removeprefix("^")
    route = body.split(":", 1)[0]
    alternatives = re.search(r"\(([a-z_|]+)\)", body)
    if alternatives is not None:
        head = body[: alternatives.start()]
        return [f"{head}{a}:" for a in alternatives.group(1).split("|")]
    literal = re.match(r"[a-z_]+:v1:[a-z_]+:", body)
    if literal is not None:
        return [literal.group(0)]
    actions = ACTIONS[route] + (ACTIONS["report_more"] if route == "report" else ())
    return [f"{route}:v1:{a}:" for a in actions]


# The kinds of forged value: every route's every action gets one of each kind from every role;
# a kind's members take turns across the roles (role i presses member i), so each member is
# pressed on every action by some role and the run stays within the suite's time.
KINDS: tuple[tuple[str, ...], ...] = (
    ("²", "①", "٣", "1.²"),  # digits int() or SQLite refuse
    (str(2**66), "-9223372036854775809", "7" * 70),  # beyond the database's integer range
    ("-1",),
    ("",),
    ("1.2.3.4", "1:2:3"),  # extra or wrongly separated fields
)
assert {v for kind in KINDS for v in kind} >= set(VALUES)


def every_press(turn: int = 0) -> list[str]:
    """The forged data one role presses: for every action of every route, one value of each
    kind (the `turn`-th member, shifted per action so the members mix), random characters and
    the prefix alone; then whole-data junk and a `v2` version of each route."""
    rng = random.Random(21 + turn)
    data: set[str] = set(WHOLE)
    for _, handler in callback_handlers():
        for prefix in prefixes(_pattern(handler)):
            shift = turn + sum(prefix.encode())
            data.update(prefix + kind[shift % len(kind)] for kind in KINDS)
            data.add(prefix + "".join(chr(rng.randrange(33, 0x2FFF)) for _ in range(12)))
            data.add(prefix.rstrip(":"))  # no value at all
    route_names = {p.split(":", 1)[0] for p in data if ":v1:" in p}
    data.update(f"{r}:v2:o:1" for r in route_names)
    return sorted(d for d in data if 0 < len(d.encode()) <= 64 or len(d) > 64)


def test_every_value_is_pressed_on_every_action_by_some_role() -> None:
    turns = [set(every_press(turn)) for turn in range(len(ROLES))]
    for _, handler in callback_handlers():
        for prefix in prefixes(_pattern(handler)):
            for value in (v for kind in KINDS for v in kind):
                assert any(prefix + value in t for t in turns), (prefix, value)


def test_every_route_wide_pattern_has_its_actions_listed() -> None:
    seen = []
    for where, handler in callback_handlers():
        pattern = _pattern(handler)
        if pattern is None:
            continue
        made = prefixes(pattern)
        assert made, f"{where}: {pattern} gives no press to forge"
        seen.append(pattern)
    assert len(seen) >= 40, seen  # every feature's routes were found


async def snapshot(b: Bench) -> str:
    lines: list[str] = []
    async with b.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = await conn.execute(text(f'SELECT * FROM "{table.name}"'))
            lines.extend(f"{table.name}:{tuple(r)}" for r in rows)
    return "\n".join(sorted(lines))


ROLES = ("stranger", "member", "unit head", "handler", "admin")


@MODULE_LOOP
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.timeout(180)  # ~1,300 presses: 10–15 s alone, several times that beside 3 workers
async def test_forged_presses_on_every_route(
    request: pytest.FixtureRequest, bench: Bench, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Warnings and errors are what is checked; INFO records (a line per API call) only cost.
    caplog.set_level(logging.WARNING)
    b = bench
    user = {
        "stranger": b.stranger("路人"),
        "member": b.people.member,
        "unit head": b.people.head,
        "handler": b.people.handler,
        "admin": b.people.admin,
    }[role]
    await b.h.ask(user, "/help")
    await b.quiet(user)
    before, apologies = await snapshot(b), b.apologies()
    presses = every_press(ROLES.index(role))
    answers: dict[str, str | None] = {}
    outcome = "FAILED"
    try:
        for chunk in range(0, len(presses), 40):
            batch = presses[chunk : chunk + 40]
            queries = [(data, await b.forge(user, data)) for data in batch]
            for data, query in queries:
                try:
                    answers[data] = await b.answer_of(query, timeout=20)
                except AssertionError:
                    raise AssertionError(f"{data!r} was never answered") from None
        await b.sim.wait_confirmed()
        apologised = [d for d, a in answers.items() if a in (APOLOGY_ZH, APOLOGY_EN)]
        assert not apologised, apologised[:10]
        assert b.apologies() == apologies, "the error handler apologised in a chat"
        tracebacks = [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.records
            if r.levelno >= logging.ERROR or (r.exc_info and r.levelno >= logging.WARNING)
        ]
        assert not tracebacks, tracebacks[:5]
        assert await snapshot(b) == before, "a forged press changed the database"
        assert b.sim.violations == [], b.sim.violations
        silent = sorted(d for d, a in answers.items() if not a)
        assert not silent, f"{len(silent)} presses answered without a notice: {silent[:40]}"
        outcome = "ok"
    finally:
        texts = sorted({a or "(no notice)" for a in answers.values()})
        routes = len({d.split(":", 1)[0] for d in answers})
        row(request, TITLE, HEADERS, (role, len(answers), routes, "; ".join(texts), outcome))
