"""What a simulated run is asked for: how big the federation is, how hostile its network
is, and how long and how busy the run's busy period is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """The size of the federation and how hostile its network is."""

    branches: int = 4
    works: int = 5
    copies_per_work: int = 3
    steps: int = 400
    loss: float = 0.2
    duplication: float = 0.1
    online: float = 0.3  # share of steps that are a sync session rather than staff work
    # When set, the busy period runs until this many patron requests were placed (``steps``
    # is then ignored); works default to one per ten requests, at least ``works``.
    requests: int | None = None
    partition: float = 0.0  # chance per step that a branch is cut off for up to 3 days
    crash: float = 0.0  # chance per step that a branch crashes and restarts from its store
    check_every: int = 1  # invariants checked every this many steps (always at the end)
    # What share of staff actions place a patron request (others move requests along).
    request_share: float = 0.0

    @property
    def work_count(self) -> int:
        """How many works the catalogue has."""
        return max(self.works, (self.requests or 0) // 10)


def busy_federation(branches: int, requests: int, loss: float,
                    duplication: float) -> SimulationConfig:
    """A run of ``requests`` patron requests among ``branches`` branches over a network
    losing and duplicating at these rates, with partitions and crashes at the benchmark's
    rates; a third of staff actions place a request, the rest move requests and
    transfers along; the invariants are checked fifty times."""
    return SimulationConfig(
        branches=branches,
        requests=requests,
        loss=loss,
        duplication=duplication,
        partition=0.01,
        crash=0.005,
        request_share=0.3,
        check_every=max(1, requests // 50),
    )
