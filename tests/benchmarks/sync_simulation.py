"""The seeded federation simulator at scale: 30 branches, 10,000 patron requests, 30% loss,
10% duplication, partitions and crashes restarting from durable state.

    .venv/bin/python -m tests.benchmarks.sync_simulation [--branches 30] [--requests 10000]
        [--loss 0.3] [--duplicate 0.1] [--seed 1]

Printed: the simulator's summary (invariants checked, violations found, and the sync rounds
after the last partition healed until the federation converged), with wall and CPU time.
Target: zero violations, converged within two rounds.

A session: a branch pushes its outbox, pulls its inbox and applies it, and keeps exchanging
while anything moves. A round: one session of every branch, all online at once. After the
last partition heals staff stop taking new actions; the network goes on losing,
duplicating and reordering at the same rates, and a session ends only when its outbox is
acknowledged and the hub holds nothing more for it (the clock runs on, 10 minutes a
round). Converged: no message undelivered (every outbox acknowledged, every branch holds
every other's whole stream) and every copy's custody agreed by its owner, the hub and the
branch holding it.
"""

from __future__ import annotations

import argparse
import time

from sync.simulation import simulate
from sync.simulation_config import busy_federation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=30)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--loss", type=float, default=0.3)
    parser.add_argument("--duplicate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    config = busy_federation(args.branches, args.requests, args.loss, args.duplicate)
    wall, cpu = time.perf_counter(), time.process_time()
    report = simulate(args.seed, config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(report.summary())
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s (2 cores, shared with other work while measured)")


if __name__ == "__main__":
    main()
