"""The hostile-input suite's fixtures: one running bot per test module (see bench.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.hostile.bench import Bench, bench_bot


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bench(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bench]:
    async with bench_bot(tmp_path_factory.mktemp("hostile")) as found:
        yield found
