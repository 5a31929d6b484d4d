"""``union serve --workers 2`` as a real process on a free port of 127.0.0.1: two processes
answer on one port, the reader follows what the owner indexes, and a ``union harvest`` in
a third process while the node serves succeeds (the node indexes what it harvested)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.federation import demo_catalogue_federation
from tests.support.paths import REPO
from tests.support.serve_process import DEADLINE, ServeProcess, started_nodes
from union.cli import main, open_store
from union.config import load_federation
from union.search.live_index import CURSOR_FILE
from union.store.models import WorkRow

UNION = str(Path(sys.executable).parent / "union")


class Node(ServeProcess):
    """A running ``union serve --workers 2 --no-harvest`` and its base URL."""

    def every_process(self, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll ``/healthz`` until both processes (owner and reader) have answered with a
        report for which ``condition`` holds; their latest reports by role."""
        latest: dict[str, dict[str, Any]] = {}

        def ask() -> dict[str, dict[str, Any]]:
            status, report = self.get_json("/healthz")
            assert status == 200
            latest[report["process"]["role"]] = report
            return latest

        reports: dict[str, Any] = self.poll(
            ask, lambda got: len(got) == 2 and all(condition(r) for r in got.values()))
        return reports


@pytest.fixture
def serve() -> Iterator[Callable[[Path], Node]]:
    yield from started_nodes(Node, "--no-harvest", "--workers", "2")


@pytest.fixture
def city_only(tmp_path: Path) -> Path:
    """The demo federation with only its city library harvested so far."""
    config = demo_catalogue_federation(tmp_path)
    assert main(["--config", str(config), "harvest", "--source", "KOTA"]) == 0
    return config


def live_works(config: Path) -> list[dict[str, Any]]:
    """The display records of the live works, from the store."""
    store = open_store(load_federation(config))
    try:
        with store.read() as session:
            return [display for display in session.scalars(
                select(WorkRow.display).where(WorkRow.status == "live"))]
    finally:
        store.dispose()


def held_by(works: list[dict[str, Any]], code: str) -> int:
    """How many of ``works`` branch ``code`` holds."""
    return sum(code in work["branches"] for work in works)


def test_two_processes_answer_on_one_port(
    city_only: Path, serve: Callable[[Path], Node]
) -> None:
    node = serve(city_only)
    reports = node.every_process(lambda report: report["index"]["documents"] > 0)
    assert reports["owner"]["process"]["pid"] != reports["reader"]["process"]["pid"]
    kota = held_by(live_works(city_only), "KOTA")
    for _ in range(20):
        status, body = node.get_json("/api/search?branch=KOTA&facets=branch")
        assert status == 200
        assert body["total"] == kota
        assert {v["value"]: v["count"] for v in body["facets"]["branch"]} == {"KOTA": kota}


def test_a_harvest_in_another_process_while_serving_reaches_both_processes(
    city_only: Path, serve: Callable[[Path], Node]
) -> None:
    # Without its cursor the node indexes the change log again, so it holds the writer.
    (city_only.parent / "index" / CURSOR_FILE).unlink()
    node = serve(city_only)
    node.every_process(lambda report: report["index"]["lag"] == 0)
    assert node.get_json("/api/search?branch=DESA1")[1]["total"] == 0
    harvest = subprocess.run(
        [UNION, "--config", str(city_only), "harvest", "--source", "DESA1"],
        capture_output=True, text=True, cwd=REPO, timeout=DEADLINE)
    assert harvest.returncode == 0, harvest.stderr
    assert "held by another process (union serve)" in harvest.stderr
    works = live_works(city_only)
    desa1 = held_by(works, "DESA1")
    assert desa1 > 0
    node.every_process(lambda report: report["index"]["lag"] == 0
                       and report["index"]["documents"] == len(works))
    deadline = time.monotonic() + DEADLINE
    answers: list[int] = []
    while answers[-20:] != [desa1] * 20:  # past the 2 s answer cache, on either process
        assert time.monotonic() < deadline, answers[-20:]
        answers.append(node.get_json("/api/search?branch=DESA1&facets=none")[1]["total"])
        time.sleep(0.05)


def test_the_owner_stops_its_readers_on_sigterm(
    city_only: Path, serve: Callable[[Path], Node]
) -> None:
    node = serve(city_only)
    reader = node.every_process(lambda report: True)["reader"]["process"]["pid"]
    code, out = node.stop()
    assert code == 0
    assert "Berhenti / stopped" in out
    assert not Path(f"/proc/{reader}").exists()
