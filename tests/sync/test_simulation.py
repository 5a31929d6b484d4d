"""The seeded simulator: a federation over a hostile network keeps every promise."""

from __future__ import annotations

import pytest

from sync.simulation import simulate
from sync.simulation_config import SimulationConfig


@pytest.mark.parametrize("seed", range(12))
def test_a_federation_over_a_lossy_network_keeps_every_promise(seed: int) -> None:
    report = simulate(seed)
    # Violations include any message a branch refused other than a resolved crossing.
    assert report.violations == []
    assert report.hub_refusals == 0
    assert report.messages == report.deliveries  # every message applied once, none twice


@pytest.mark.parametrize("seed", range(4))
def test_branches_fighting_over_few_copies_on_a_worse_network_keep_every_promise(
    seed: int,
) -> None:
    config = SimulationConfig(
        branches=6, works=2, copies_per_work=2, steps=500, loss=0.5, duplication=0.3, online=0.2
    )
    assert simulate(seed, config).violations == []


def test_a_seed_replays_exactly() -> None:
    first, second = simulate(7), simulate(7)
    assert (first.messages, first.sessions, first.branch_refusals) == (
        second.messages,
        second.sessions,
        second.branch_refusals,
    )


@pytest.mark.parametrize("seed", range(3))
def test_partitions_and_crashes_from_durable_state_keep_every_promise(seed: int) -> None:
    config = SimulationConfig(
        branches=6,
        requests=120,
        loss=0.3,
        duplication=0.1,
        partition=0.02,
        crash=0.02,
        request_share=0.3,
    )
    report = simulate(seed, config)
    assert report.partitions > 0 and report.crashes > 0
    assert report.violations == []
    assert report.messages == report.deliveries


def test_a_run_sized_in_requests_places_that_many(seed: int = 5) -> None:
    report = simulate(seed, SimulationConfig(branches=5, requests=80, request_share=0.3))
    assert report.requests == 80


def test_after_the_last_partition_heals_the_federation_converges_within_two_rounds() -> None:
    config = SimulationConfig(branches=8, requests=150, loss=0.3, partition=0.05, request_share=0.3)
    report = simulate(11, config)
    assert report.partitions > 0
    assert 1 <= report.rounds_to_converge <= 2
    assert report.violations == []


def test_the_hubs_custody_agrees_with_every_owner_once_delivered() -> None:
    # Copies are written off and found again along the way (custody notices to the hub).
    config = SimulationConfig(branches=5, requests=200, loss=0.3, crash=0.01, request_share=0.3)
    report = simulate(4, config)
    assert report.notices > 0
    assert report.violations == []


def test_the_summary_names_every_invariant_checked_and_the_violations() -> None:
    report = simulate(3, SimulationConfig(branches=4, requests=30, request_share=0.3))
    text = report.summary()
    assert all(f"  - {name}" in text for name in report.invariants)
    assert text.splitlines()[-1] == "violations: 0"
