"""Benchmark of the whole web node: ``union serve`` as a real process over the harvested
demo catalogue; the time until it answers, then wrk (Debian) from a second process per
route (requests/s, latency p50/p99, errors) with the node's CPU seconds per request.

    .venv/bin/python -m tests.benchmarks.serve_node [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.federation import harvest_demo_catalogue

ROUTES = {
    "healthz": "/healthz",
    "metrics": "/metrics",
    "oai Identify": "/oai?verb=Identify",
    "search page": "/cari?q=indonesia",
}


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(url: str, seconds: int, connections: int) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    figures = {"rps": _find(r"Requests/sec:\s+([\d.]+)", out),
               "requests": _find(r"(\d+) requests in", out)}
    for percent in ("50", "99"):
        figures[f"p{percent}"] = _find(rf"\s{percent}%\s+(\S+)", out)
    errors = re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", out)
    figures["errors"] = "; ".join(errors) or "0"
    return figures


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return match.group(1)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        federation = harvest_demo_catalogue(Path(folder))
        union = Path(sys.executable).parent / "union"
        started = time.perf_counter()
        node = subprocess.Popen([str(union), "--config", str(federation.path), "serve",
                                 "--port", "0", "--no-harvest"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert node.stdout is not None
            line = node.stdout.readline()
            ready = time.perf_counter() - started
            base = line[line.index("http://"):].split()[0].rstrip("/")
            print(f"union serve ready in {ready:.2f} s (demo catalogue, "
                  f"{args.connections} connections, {args.seconds} s per route)")
            print(f"{'route':14} {'req/s':>8} {'p50':>9} {'p99':>9} {'CPU ms/req':>10}  errors")
            for name, path in ROUTES.items():
                cpu = _cpu_seconds(node.pid)
                figures = _wrk(base + path, args.seconds, args.connections)
                per_request = (_cpu_seconds(node.pid) - cpu) / int(figures["requests"]) * 1000
                print(f"{name:14} {figures['rps']:>8} {figures['p50']:>9} {figures['p99']:>9} "
                      f"{per_request:>10.2f}  {figures['errors']}")
        finally:
            node.send_signal(signal.SIGTERM)
            node.wait(timeout=60)


if __name__ == "__main__":
    main()
