"""Each branch's scheduled harvests, run in the background of the web node.

Every branch has its own slots, ``schedule.interval_minutes`` apart. At a slot the
branch is harvested unless its previous harvest is still running (a slow or hanging
source skips its slot rather than overlapping itself); branches run side by side, and a
source that fails, raises or hangs never holds up the others: it is simply tried again
at its next slot. A harvest interrupted by shutdown resumes at its next slot, because the
harvest commits each page together with its checkpoint.

The clock and the sleep are passed in, so tests drive a day of slots without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from union.config import Branch
from union.harvest import SourceSummary
from union.server.context import Clock
from union.server.metrics import NodeMetrics
from union.store.models import BranchRow, HarvestRunRow, SourceRow

__all__ = ["BranchSlot", "HarvestOne", "HarvestScheduler", "Sleep", "first_slots"]

log = logging.getLogger(__name__)

#: Harvests one branch (by code) and says how it ended.
HarvestOne = Callable[[str], Awaitable[SourceSummary]]
Sleep = Callable[[float], Awaitable[None]]
#: The longest the loop sleeps, so a clock that jumps (a laptop waking up) is noticed.
MAX_NAP = 60.0


@dataclass(slots=True)
class BranchSlot:
    """Where one branch's schedule stands: its next slot, whether a harvest is running,
    and how the last one ended (``last_status`` "complete", "failed" or "error")."""

    code: str
    interval: timedelta
    next_due: datetime
    running: bool = False
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    skipped_slots: int = 0

    def advance(self, now: datetime) -> None:
        """Move to the first slot after ``now``, keeping slots on their grid."""
        missed = (now - self.next_due) // self.interval + 1
        self.next_due += self.interval * max(missed, 1)


class HarvestScheduler:
    """Runs ``harvest`` for each branch at its slots until cancelled.

    ``first_due`` maps a branch code to its first slot (``now`` when missing);
    ``concurrency`` bounds how many branches are harvested at once (each harvest is a
    worker process), the others waiting their turn; ``after_harvest`` runs after every
    harvest that ended (the node catches its search index up there).
    """

    def __init__(
        self,
        branches: Sequence[Branch],
        harvest: HarvestOne,
        clock: Clock,
        *,
        sleep: Sleep = asyncio.sleep,
        metrics: NodeMetrics | None = None,
        first_due: Mapping[str, datetime] | None = None,
        concurrency: int | None = None,
        after_harvest: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        now = clock()
        due = first_due or {}
        self.slots = {
            b.code: BranchSlot(b.code, timedelta(minutes=b.schedule.interval_minutes),
                               due.get(b.code, now))
            for b in branches
        }
        self._harvest = harvest
        self._clock = clock
        self._sleep = sleep
        self._metrics = metrics
        self._after = after_harvest
        self._running: dict[str, asyncio.Task[None]] = {}
        self._bound = asyncio.Semaphore(concurrency) if concurrency else None

    async def run(self) -> None:
        """Start harvests at their slots for ever; on cancellation stop every running
        harvest and wait for it to wind down."""
        try:
            while True:
                await self._sleep(self.tick())
        finally:
            await self.stop()

    def tick(self) -> float:
        """Start every harvest that is due now; the seconds until the next slot."""
        now = self._clock()
        for slot in self.slots.values():
            if slot.next_due > now:
                continue
            if slot.running:
                slot.skipped_slots += 1
                log.warning("harvest of %s still running: slot %s skipped", slot.code,
                            slot.next_due.isoformat())
            else:
                slot.running, slot.last_started = True, now
                self._running[slot.code] = asyncio.create_task(self._one(slot),
                                                               name=f"harvest-{slot.code}")
            slot.advance(now)
        wait = min((s.next_due - now).total_seconds() for s in self.slots.values())
        return min(max(wait, 0.0), MAX_NAP)

    async def settle(self) -> None:
        """Wait until every harvest started so far has ended."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the running harvests and wait until they have stopped."""
        for task in self._running.values():
            task.cancel()
        await self.settle()

    async def _one(self, slot: BranchSlot) -> None:
        started = time.perf_counter()
        try:
            async with self._bound or nullcontext():
                started = time.perf_counter()  # the wait for a turn is not harvest time
                summary = await self._harvest(slot.code)
        except asyncio.CancelledError:
            slot.last_status, slot.last_error = "interrupted", None
            raise
        except Exception as exc:  # a bug in one source's harvest must not stop the node
            log.exception("harvest of %s raised", slot.code)
            slot.last_status, slot.last_error = "error", f"{type(exc).__name__}: {exc}"
            if self._metrics is not None:
                self._metrics.harvest_failed(slot.code, time.perf_counter() - started)
        else:
            slot.last_status, slot.last_error = summary.status, summary.error
            counts = summary.counts
            log.info("harvest of %s %s: %d new, %d updated, %d deleted, %d skipped%s",
                     slot.code, summary.status, counts.new, counts.updated, counts.deleted,
                     counts.skipped, f" ({summary.error})" if summary.error else "")
            if self._metrics is not None:
                self._metrics.harvest_done(summary, time.perf_counter() - started)
        finally:
            slot.running, slot.last_finished = False, self._clock()
            self._running.pop(slot.code, None)
        if self._after is not None:
            try:
                await self._after()
            except Exception:  # the index catches up again at its next turn
                log.exception("after-harvest step failed")


def first_slots(session: Session, branches: Sequence[Branch], now: datetime
                ) -> dict[str, datetime]:
    """Each branch's first slot when the node starts: one interval after its last
    complete harvest began, or now when it has none or its last run did not complete
    (an interrupted harvest resumes at once)."""
    latest = (select(HarvestRunRow.source_id, func.max(HarvestRunRow.id).label("id"))
              .group_by(HarvestRunRow.source_id).subquery())
    runs = {
        code: (status, started)
        for code, status, started in session.execute(
            select(BranchRow.code, HarvestRunRow.status, HarvestRunRow.started_at)
            .join(SourceRow, SourceRow.branch_id == BranchRow.id)
            .join(latest, latest.c.source_id == SourceRow.id)
            .join(HarvestRunRow, HarvestRunRow.id == latest.c.id)
        )
    }
    slots = {}
    for branch in branches:
        status, started = runs.get(branch.code, (None, None))
        interval = timedelta(minutes=branch.schedule.interval_minutes)
        slots[branch.code] = (started + interval if status == "complete" and started
                              else now)
    return slots
