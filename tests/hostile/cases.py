"""A hostile case as data: what is sent, what is expected, and the steps that send it.

`run(request, bench, case)` plays one case and checks what every case must hold: the bot
answered (a message or a button notice), the error handler never apologised, and no
registered person's name appears in an answer given to someone else. The case's own
steps assert its expected answer and the database. One table row is recorded per case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import pytest

from tests.hostile.bench import Bench
from tests.hostile.table import row

# The fixed people's names (bench.py): none may show up in an answer to somebody else.
NAMES = ("刘干事", "王校长", "周老师", "李校长", "吴老师")
HEADERS = ("case", "input", "expected", "outcome")


@dataclass(frozen=True)
class Case:
    name: str
    given: str
    expected: str
    play: Callable[[Bench], Awaitable[str]]
    """Runs the case, asserts its own expectations, returns the answer seen (for the table)."""
    may_name: tuple[str, ...] = ()
    """Fixed people whose names this answer may contain (e.g. the asker's own)."""


def params(cases: Sequence[Case]) -> list[object]:
    return [pytest.param(c, id=c.name) for c in cases]


def no_leak(texts: Iterable[str | None], allowed: Sequence[str] = ()) -> None:
    joined = "\n".join(t or "" for t in texts)
    leaked = [n for n in NAMES if n in joined and n not in allowed]
    assert not leaked, f"names of other people in the answer: {leaked}: {joined[:300]}"


async def run(request: pytest.FixtureRequest, bench: Bench, case: Case, title: str) -> None:
    apologies = bench.apologies()
    outcome = "FAILED"
    try:
        seen = await case.play(bench)
        assert seen, "the bot gave no answer"
        no_leak([seen], case.may_name)
        await bench.sim.wait_confirmed()
        assert bench.apologies() == apologies, "the error handler apologised"
        assert bench.sim.violations == [], bench.sim.violations
        outcome = "ok: " + seen
    finally:
        row(request, title, HEADERS, (case.name, case.given, case.expected, outcome))


def has(texts: Sequence[str | None], *needles: str) -> str:
    """The first text containing every needle (fails with all texts shown)."""
    for text in texts:
        if text is not None and all(n in text for n in needles):
            return text
    raise AssertionError(f"no answer with {needles!r} among {list(texts)!r}")
