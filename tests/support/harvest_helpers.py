"""Stand-ins and shortcuts for the harvester tests: an injectable sleep and clock, the LoC
test records, and a harvest run to its pages."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import aclosing
from datetime import datetime
from typing import Any

import pymarc

from tests.support.paths import LOC_INDONESIAN


class RecordingSleep:
    """An injectable ``sleep`` that records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


class FixedClock:
    """An injectable clock standing still at ``now`` until moved."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def loc_records(count: int | None = None) -> list[pymarc.Record]:
    """The first ``count`` records of the LoC test file (all 2,828 by default)."""
    with LOC_INDONESIAN.open("rb") as file:
        records = [r for r in pymarc.MARCReader(file, to_unicode=True) if r is not None]
    return records if count is None else records[:count]


async def collect_pages(harvester: Any, checkpoint: Mapping[str, Any] | None = None, *,
                        full: bool = False, stop_after: int | None = None) -> list[Any]:
    """Run a harvest and return its pages (only the first ``stop_after`` if given, as if
    the process died after committing them)."""
    pages = []
    async with aclosing(harvester.harvest(checkpoint, full=full)) as harvest:
        async for page in harvest:
            pages.append(page)
            if stop_after is not None and len(pages) >= stop_after:
                break
    return pages
