"""Ingest benchmark: the 250,000-record LoC file through the whole pipeline into SQLite,
once from the file and once through the OAI-PMH harvester from a local feed server.

    .venv/bin/python -m tests.benchmarks.ingest [--records N] [--mode file|oai|both]

Each measurement runs in a child process, so its peak RSS is its own. The OAI-PMH server
stands in for a branch's own system (SLiMS, Koha), which in the field runs on another
machine: it runs in a process of its own and serves pages rendered once, before the
measurement, by the demo feed (``tests.support.prerendered_feed``), so it takes little of
the harvester's cores; the harvester still pages through it over HTTP on 127.0.0.1 with
resumption tokens, fetching in one process and converting in others. Prints records/s and
peak RSS, and the CPU each process spent per record (the writer, the harvest workers
together, the feed server): on a shared machine the wall-clock rate says little, the CPU
figures stay comparable. Targets (2 cores): 5,000 records/s from the file, 3,000
records/s over loopback OAI-PMH, peak RSS under 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "bench-data"
BOOKS_ALL = DATA / "BooksAll.2016.part01.utf8"
SDIST_MEMBER = "pymarc-5.4.0/BooksAll.2016.part01.utf8"


def ensure_books_all() -> Path:
    """The 250,000-record LoC file, fetched from the pymarc 5.4.0 sdist on first use."""
    if BOOKS_ALL.is_file():
        return BOOKS_ALL
    DATA.mkdir(exist_ok=True)
    sdist = DATA / "pymarc-5.4.0.tar.gz"
    if not sdist.is_file():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", "pymarc==5.4.0", "-d", str(DATA)], check=True)
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(SDIST_MEMBER)
        assert member is not None
        with BOOKS_ALL.open("wb") as out:
            while chunk := member.read(1 << 20):
                out.write(chunk)
    return BOOKS_ALL


def first_records(source: Path, count: int, folder: Path) -> Path:
    """A copy of the first ``count`` ISO 2709 records of ``source``."""
    target = folder / f"first-{count}.mrc"
    with source.open("rb") as handle, target.open("wb") as out:
        for _ in range(count):
            head = handle.read(5)
            if len(head) < 5:
                break
            out.write(head + handle.read(int(head) - 5))
    return target


def federation_file(folder: Path, source_toml: str) -> Path:
    """A one-branch federation with its SQLite store in ``folder``."""
    path = folder / "bench.toml"
    path.write_text(f"""
[union]
name = "Benchmark"
database = "sqlite:///{folder / 'union.db'}"
index = "{folder / 'index'}"
base_url = "http://127.0.0.1:8080"
oai_domain = "bench.example.org"
admin_email = "bench@example.org"

[[branches]]
code = "LOC"
name = "Library of Congress sample"
kind = "city"
source = {source_toml}
""", encoding="utf-8")
    return path


def child(config: Path) -> None:
    """Harvest the federation once; print records, seconds and peak RSS as JSON."""
    from union.cli import open_store, utc_now
    from union.config import load_federation
    from union.harvest import harvest_federation

    federation = load_federation(config)
    store = open_store(federation)
    cpu_before = _cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    sampler = ChildSampler()
    sampler.start()
    # Ingest alone: de-duplication has its own benchmark (tests/benchmarks/dedup_*).
    summaries = asyncio.run(harvest_federation(federation, store, utc_now, cluster=False))
    seconds = time.perf_counter() - started
    sampler.stop()
    writer_cpu = _cpu_seconds(resource.RUSAGE_SELF) - cpu_before
    store.dispose()
    summary = summaries[0]
    if summary.status != "complete":
        raise SystemExit(f"harvest failed: {summary.error}")
    counts = summary.counts
    # The harvest worker processes are this process's children: the peak is the larger.
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"records": counts.new + counts.updated + counts.unchanged,
                      "skipped": counts.skipped, "seconds": seconds, "peak_rss_mb": peak_mb,
                      "writer_cpu": writer_cpu,
                      # The harvest worker processes, reaped by now.
                      "worker_cpu": _cpu_seconds(resource.RUSAGE_CHILDREN),
                      "each_worker_cpu": sampler.seconds()}))


class ChildSampler(threading.Thread):
    """Samples the CPU time of each child process (in start order) until stopped: the
    exact total is RUSAGE_CHILDREN, this splits it among the processes (to within the
    last 0.2 s of each)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self._seen: dict[int, float] = {}
        self._done = threading.Event()

    def run(self) -> None:
        children = Path(f"/proc/self/task/{os.getpid()}/children")
        while not self._done.wait(0.2):
            for pid in children.read_text().split():
                with contextlib.suppress(OSError, IndexError):
                    self._seen[int(pid)] = _process_cpu(int(pid))

    def stop(self) -> None:
        """Stop sampling."""
        self._done.set()
        self.join()

    def seconds(self) -> list[float]:
        """CPU seconds of each child seen, in start order."""
        return [self._seen[pid] for pid in sorted(self._seen)]


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(config: Path) -> dict[str, float]:
    """Run one child harvest and return what it printed."""
    out = subprocess.run([sys.executable, "-m", "tests.benchmarks.ingest", "--child",
                          str(config)], check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_in_process(marc: Path, port: int, pages: Path) -> subprocess.Popen[bytes]:
    """Render the demo feed's pages over ``marc`` into ``pages`` once, then serve them
    from another process; wait until it listens."""
    server = subprocess.Popen([sys.executable, "-m", "tests.support.prerendered_feed",
                               str(marc), str(port), str(pages)], cwd=REPO)
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the feed server did not start")


def run(records: int | None, mode: str) -> None:
    """Run the chosen measurements and print the figures."""
    source = ensure_books_all()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="union-bench-") as tmp:
        folder = Path(tmp)
        marc = first_records(source, records, folder) if records else source
        if mode in ("file", "both"):
            run_dir = folder / "file"
            run_dir.mkdir()
            config = federation_file(run_dir, f'{{ type = "marc-file", path = "{marc}" }}')
            results["file"] = measure(config)
        if mode in ("oai", "both"):
            run_dir = folder / "oai"
            run_dir.mkdir()
            port = free_port()
            pages = folder / "pages"
            pages.mkdir()
            server = serve_in_process(marc, port, pages)
            try:
                config = federation_file(
                    run_dir, f'{{ type = "oai-pmh", url = "http://127.0.0.1:{port}/oai", '
                             'metadata_prefix = "marc21" }')
                server_before = _process_cpu(server.pid)
                results["oai"] = measure(config)
                results["oai"]["server_cpu"] = _process_cpu(server.pid) - server_before
            finally:
                server.terminate()
                server.wait()
    print(f"ingest benchmark, {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, "
          f"input {marc.name if records else source.name}, load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    if "oai" in results:
        print("  oai: the feed server is tests.support.prerendered_feed (pages rendered once "
              "by the demo feed before the run, served from files; its CPU below)")
    for name, r in results.items():
        print(f"  {name:5} {r['records']:>8.0f} records in {r['seconds']:7.1f} s = "
              f"{r['records'] / r['seconds']:8.0f} records/s, peak RSS {r['peak_rss_mb']:.0f} MB"
              f" (skipped {r['skipped']:.0f})")
        # CPU per record of each process: on a quiet machine the slowest process bounds
        # the rate, and all of them together share the cores.
        cpu = {part: r[f"{part}_cpu"] for part in ("writer", "worker", "server")
               if f"{part}_cpu" in r}
        total = sum(cpu.values())
        print("        CPU per record: " + ", ".join(
            f"{part} {seconds / r['records'] * 1e6:.0f} us" for part, seconds in cpu.items())
            + f"; {r['records'] / total:.0f} records per CPU-second")
        # Workers in start order: the file's shards; a feed's converters, then its fetcher.
        print("        each worker process: " + ", ".join(
            f"{seconds / r['records'] * 1e6:.0f} us" for seconds in r["each_worker_cpu"]))


def main() -> None:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, help="only the first N records of the file")
    parser.add_argument("--mode", choices=["file", "oai", "both"], default="both")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
    else:
        run(args.records, args.mode)


if __name__ == "__main__":
    main()
