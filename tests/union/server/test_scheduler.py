"""The harvest scheduler, driven by a fake clock: slots per branch, branches side by side,
a failing or hanging source never holding up the others, no overlapping runs of one
branch, and the harvest metrics it feeds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from tests.support.harvest_helpers import FixedClock
from union.config import Branch, MarcFileSource, Schedule
from union.harvest import SourceSummary
from union.ingest import Counts
from union.server.metrics import NodeMetrics
from union.server.scheduler import HarvestScheduler

T0 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def branch(code: str, minutes: int) -> Branch:
    return Branch(code=code, name=f"Perpustakaan {code}", kind="village",
                  source=MarcFileSource(f"{code.lower()}.mrc"),
                  schedule=Schedule(interval_minutes=minutes))


class Harvests:
    """The harvest callable the scheduler is given, recording when each branch began;
    ``behaviour`` says how a branch's harvest goes (complete at once by default)."""

    def __init__(self, clock: FixedClock,
                 behaviour: dict[str, Callable[[str], Awaitable[SourceSummary]]] | None = None
                 ) -> None:
        self.clock = clock
        self.behaviour = behaviour or {}
        self.started: list[tuple[str, datetime]] = []

    async def __call__(self, code: str) -> SourceSummary:
        self.started.append((code, self.clock()))
        if code in self.behaviour:
            return await self.behaviour[code](code)
        return SourceSummary(code, "complete", Counts(new=1))

    def times(self, code: str) -> list[datetime]:
        return [at for c, at in self.started if c == code]


async def step(scheduler: HarvestScheduler, clock: FixedClock, minutes: int) -> None:
    """Move the clock on, start what is due and let started harvests end."""
    clock.now += timedelta(minutes=minutes)
    scheduler.tick()
    await asyncio.sleep(0)


async def test_each_branch_is_harvested_at_its_own_interval() -> None:
    clock = FixedClock(T0)
    harvests = Harvests(clock)
    scheduler = HarvestScheduler([branch("A", 60), branch("B", 90)], harvests, clock)
    await step(scheduler, clock, 0)
    for _ in range(6):
        await step(scheduler, clock, 30)
    assert harvests.times("A") == [T0 + timedelta(minutes=m) for m in (0, 60, 120, 180)]
    assert harvests.times("B") == [T0 + timedelta(minutes=m) for m in (0, 90, 180)]


async def test_first_slot_comes_from_first_due_and_missed_slots_are_not_made_up() -> None:
    clock = FixedClock(T0)
    harvests = Harvests(clock)
    scheduler = HarvestScheduler([branch("A", 60)], harvests, clock,
                                 first_due={"A": T0 + timedelta(minutes=45)})
    scheduler.tick()
    assert harvests.started == []
    await step(scheduler, clock, 45 + 60 * 5 + 10)  # asleep through five slots
    await step(scheduler, clock, 50)
    assert harvests.times("A") == [T0 + timedelta(minutes=355), T0 + timedelta(minutes=405)]
    assert scheduler.slots["A"].next_due == T0 + timedelta(minutes=465)


async def test_tick_says_how_long_until_the_next_slot() -> None:
    clock = FixedClock(T0)
    scheduler = HarvestScheduler([branch("A", 20), branch("B", 1)], Harvests(clock), clock,
                                 first_due={"A": T0, "B": T0 + timedelta(seconds=30)})
    assert scheduler.tick() == 30.0
    clock.now += timedelta(seconds=30)
    assert scheduler.tick() == 60.0


async def test_branches_are_harvested_side_by_side() -> None:
    clock = FixedClock(T0)
    both_started = asyncio.Event()
    running: set[str] = set()

    async def wait_for_the_other(code: str) -> SourceSummary:
        running.add(code)
        if len(running) == 2:
            both_started.set()
        await both_started.wait()  # never set if harvests ran one after the other
        return SourceSummary(code, "complete")

    harvests = Harvests(clock, {"A": wait_for_the_other, "B": wait_for_the_other})
    scheduler = HarvestScheduler([branch("A", 60), branch("B", 60)], harvests, clock)
    scheduler.tick()
    await asyncio.wait_for(scheduler.settle(), timeout=5)
    assert {s.code: s.last_status for s in scheduler.slots.values()} == {
        "A": "complete", "B": "complete"}


async def test_a_failing_source_does_not_stop_the_others_and_is_tried_at_its_next_slot(
) -> None:
    clock = FixedClock(T0)

    async def broken(code: str) -> SourceSummary:
        raise RuntimeError("parser bug")

    async def down(code: str) -> SourceSummary:
        return SourceSummary(code, "failed", error="connection refused")

    harvests = Harvests(clock, {"RUSAK": broken, "MATI": down})
    scheduler = HarvestScheduler([branch("RUSAK", 60), branch("MATI", 60), branch("BAIK", 60)],
                                 harvests, clock)
    scheduler.tick()
    await scheduler.settle()
    await step(scheduler, clock, 60)
    await scheduler.settle()
    assert len(harvests.times("RUSAK")) == len(harvests.times("MATI")) == 2
    assert len(harvests.times("BAIK")) == 2
    slots = scheduler.slots
    assert (slots["RUSAK"].last_status, slots["RUSAK"].last_error) == (
        "error", "RuntimeError: parser bug")
    assert (slots["MATI"].last_status, slots["MATI"].last_error) == (
        "failed", "connection refused")
    assert slots["BAIK"].last_status == "complete"


async def test_a_hanging_source_skips_its_slots_while_the_others_go_on() -> None:
    clock = FixedClock(T0)
    never = asyncio.Event()

    async def hang(code: str) -> SourceSummary:
        await never.wait()
        return SourceSummary(code, "complete")

    harvests = Harvests(clock, {"LAMBAT": hang})
    scheduler = HarvestScheduler([branch("LAMBAT", 60), branch("CEPAT", 60)], harvests, clock)
    await step(scheduler, clock, 0)
    for _ in range(3):
        await step(scheduler, clock, 60)
    assert len(harvests.times("LAMBAT")) == 1  # never two runs of one branch at once
    assert len(harvests.times("CEPAT")) == 4
    assert scheduler.slots["LAMBAT"].skipped_slots == 3
    assert scheduler.slots["LAMBAT"].running
    never.set()
    await scheduler.settle()
    await step(scheduler, clock, 60)
    assert len(harvests.times("LAMBAT")) == 2


async def test_harvest_outcomes_are_counted_in_the_metrics() -> None:
    clock = FixedClock(T0)

    async def some_records(code: str) -> SourceSummary:
        return SourceSummary(code, "complete",
                             Counts(new=5, updated=2, deleted=1, unchanged=7, skipped=3))

    async def down(code: str) -> SourceSummary:
        return SourceSummary(code, "failed", Counts(new=4), error="timeout")

    async def broken(code: str) -> SourceSummary:
        raise ValueError("bug")

    registry = CollectorRegistry()
    metrics = NodeMetrics.register(registry)
    harvests = Harvests(clock, {"A": some_records, "B": down, "C": broken})
    scheduler = HarvestScheduler([branch(c, 60) for c in "ABC"], harvests, clock,
                                 metrics=metrics)
    scheduler.tick()
    await scheduler.settle()

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert {o: value("union_harvest_records_total", branch="A", outcome=o)
            for o in ("new", "updated", "deleted", "unchanged")} == {
        "new": 5, "updated": 2, "deleted": 1, "unchanged": 7}
    assert value("union_harvest_skipped_records_total", branch="A") == 3
    assert value("union_harvest_records_total", branch="B", outcome="new") == 4
    assert value("union_harvest_errors_total", branch="A") is None
    assert value("union_harvest_errors_total", branch="B") == 1
    assert value("union_harvest_errors_total", branch="C") == 1
    assert value("union_harvest_runs_total", branch="C", status="error") == 1
    assert value("union_harvest_duration_seconds_count", branch="A") == 1


async def test_run_sleeps_until_each_slot_and_stops_running_harvests_when_cancelled(
) -> None:
    clock = FixedClock(T0)
    naps: list[float] = []
    day_over = asyncio.Event()
    interrupted: list[str] = []

    async def fake_sleep(seconds: float) -> None:
        naps.append(seconds)
        await asyncio.sleep(0)  # the harvests just started begin now
        if clock.now >= T0 + timedelta(hours=3):
            day_over.set()
            await asyncio.Event().wait()  # asleep until cancelled
        clock.now += timedelta(seconds=seconds)

    async def long_harvest(code: str) -> SourceSummary:
        if clock.now < T0 + timedelta(hours=3):
            return SourceSummary(code, "complete")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            interrupted.append(code)
            raise
        return SourceSummary(code, "complete")

    harvests = Harvests(clock, {"A": long_harvest})
    scheduler = HarvestScheduler([branch("A", 60)], harvests, clock, sleep=fake_sleep)
    task = asyncio.create_task(scheduler.run())
    await asyncio.wait_for(day_over.wait(), timeout=5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert set(naps) == {60.0}  # slots an hour apart: naps of at most a minute
    assert harvests.times("A") == [T0 + timedelta(hours=h) for h in (0, 1, 2, 3)]
    assert interrupted == ["A"]
    assert scheduler.slots["A"].last_status == "interrupted"
    assert not scheduler.slots["A"].running


async def test_after_harvest_runs_after_every_harvest_even_a_failed_one() -> None:
    clock = FixedClock(T0)
    after: list[datetime] = []

    async def broken(code: str) -> SourceSummary:
        raise RuntimeError("bug")

    async def note() -> None:
        after.append(clock())

    scheduler = HarvestScheduler([branch("A", 60), branch("B", 60)],
                                 Harvests(clock, {"B": broken}), clock, after_harvest=note)
    scheduler.tick()
    await scheduler.settle()
    await asyncio.sleep(0)
    assert after == [T0, T0]


async def test_no_more_branches_than_the_concurrency_bound_are_harvested_at_once() -> None:
    clock = FixedClock(T0)
    running: set[str] = set()
    most = 0

    async def take_a_while(code: str) -> SourceSummary:
        nonlocal most
        running.add(code)
        most = max(most, len(running))
        for _ in range(3):
            await asyncio.sleep(0)
        running.discard(code)
        return SourceSummary(code, "complete")

    harvests = Harvests(clock, {c: take_a_while for c in "ABCDE"})
    scheduler = HarvestScheduler([branch(c, 60) for c in "ABCDE"], harvests, clock,
                                 concurrency=2)
    scheduler.tick()
    await scheduler.settle()
    assert most == 2
    assert {s.last_status for s in scheduler.slots.values()} == {"complete"}
