"""Run every benchmark, one after the other, then repeat their verdict lines.

    .venv/bin/python -m benchmarks [--quick] [conversation fanout sweep export memory status]

`--quick` runs smaller versions (a few minutes in all). The full run takes about 40 minutes,
most of it the memory benchmark's 10,000 conversations; the 1M-item ledger of the sweep
benchmark is built once and kept in the temp directory for the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from benchmarks import conversation, export, fanout, memory, reminder_sweep, status_flood
from benchmarks.support import VERDICTS, machine

BENCHMARKS: dict[str, Callable[[list[str] | None], Awaitable[None]]] = {
    "conversation": conversation.main,
    "fanout": fanout.main,
    "sweep": reminder_sweep.main,
    "export": export.main,
    "memory": memory.main,
    "status": status_flood.main,
}


async def run(names: list[str], quick: bool) -> None:
    print(f"machine: {machine()}", flush=True)
    for name in names:
        started = time.perf_counter()
        print(f"\n== {name} ==", flush=True)
        await BENCHMARKS[name](["--quick"] if quick else [])
        print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    print("\n== verdicts ==")
    for line in VERDICTS:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, a few minutes")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME")
    args = parser.parse_args()
    asyncio.run(run(args.names or list(BENCHMARKS), args.quick))


if __name__ == "__main__":
    main()
