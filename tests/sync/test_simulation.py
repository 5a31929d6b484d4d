"""The seeded simulator: a federation over a hostile network keeps every promise."""

from __future__ import annotations

import pytest

from sync.simulation import SimulationConfig, simulate


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
