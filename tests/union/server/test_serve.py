"""``union serve`` as a real process on a free port of 127.0.0.1: it answers ``/healthz``
and ``/metrics``, runs the scheduled harvests and keeps its search index in step, and
stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pymarc
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from tests.support.federation import demo_catalogue_federation, harvest_demo_catalogue
from tests.support.paths import REPO
from tests.support.serve_process import ServeProcess, started_nodes
from union.cli import main, open_store
from union.config import load_federation
from union.store.models import BranchRow, HarvestRunRow, SourceRow, WorkRow


class Node(ServeProcess):
    """A running ``union serve`` process (harvesting on its schedule) and its base URL."""

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get_json("/healthz")[1]
        return result

    def wait_for(self, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll /healthz until ``condition`` holds for its report."""
        report: dict[str, Any] = self.poll(self.health, condition)
        return report

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        status, body = self.get("/metrics")
        assert status == 200
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(body)
                for sample in family.samples}


@pytest.fixture
def serve() -> Iterator[Callable[[Path], Node]]:
    yield from started_nodes(Node)


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalogue harvested once for this module's tests."""
    folder = tmp_path_factory.mktemp("demo")
    harvest_demo_catalogue(folder)
    return folder


@pytest.fixture
def catalogue(harvested: Path, tmp_path: Path) -> Path:
    """A copy of the harvested demo catalogue (store, index, federation file) of the
    test's own; the federation file it returns."""
    folder = tmp_path / "demo"
    shutil.copytree(harvested, folder)
    config = folder / "federation.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(str(harvested), str(folder)),
                      encoding="utf-8")
    return config


def live_works(config: Path) -> int:
    store = open_store(load_federation(config))
    try:
        with store.read() as session:
            return session.scalar(select(func.count()).where(WorkRow.status == "live")) or 0
    finally:
        store.dispose()


def harvested_new(config: Path) -> dict[str, int]:
    store = open_store(load_federation(config))
    try:
        with store.read() as session:
            return dict(session.execute(
                select(BranchRow.code, func.sum(HarvestRunRow.new))
                .join(SourceRow, SourceRow.branch_id == BranchRow.id)
                .join(HarvestRunRow, HarvestRunRow.source_id == SourceRow.id)
                .group_by(BranchRow.code)).all())
    finally:
        store.dispose()


def test_healthz_reports_store_index_and_every_branch(
    catalogue: Path, serve: Callable[[Path], Node]
) -> None:
    node = serve(catalogue)
    works = live_works(catalogue)
    status, body = node.get("/healthz")
    report = json.loads(body)
    assert status == 200
    assert report["status"] == "ok"
    assert report["store"] == {"ok": True, "backend": "sqlite"}
    report = node.wait_for(lambda r: r["index"].get("lag") == 0)
    assert report["index"] == {"ok": True, "engine": "tantivy", "documents": works, "lag": 0}
    assert sorted(report["branches"]) == ["DESA1", "DESA2", "DESA3", "KOTA"]
    kota = report["branches"]["KOTA"]
    assert kota["last_run"]["status"] == "complete"
    assert kota["scheduled"]["running"] is False


def test_metrics_start_from_the_harvests_in_the_store_and_count_requests(
    catalogue: Path, serve: Callable[[Path], Node]
) -> None:
    node = serve(catalogue)
    node.get("/healthz")
    node.get("/tidak-ada")
    metrics = node.metrics()
    for code, new in harvested_new(catalogue).items():
        assert metrics[("union_harvest_records_total",
                        (("branch", code), ("outcome", "new")))] == new
        assert metrics[("union_harvest_errors_total", (("branch", code),))] == 0
    assert metrics[("union_http_requests_total",
                    (("method", "GET"), ("route", "/healthz"), ("status", "200")))] == 1
    assert metrics[("union_http_requests_total",
                    (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1


def test_serve_harvests_a_new_federation_at_once_and_indexes_it(
    tmp_path: Path, serve: Callable[[Path], Node]
) -> None:
    config = demo_catalogue_federation(tmp_path)
    assert main(["--config", str(config), "init"]) == 0
    node = serve(config)
    # A scheduled harvest ends once the works are brought up to date.
    report = node.wait_for(lambda r: all(
        b["scheduled"]["last_status"] == "complete" for b in r["branches"].values()))
    assert {code: b["last_run"]["status"] for code, b in report["branches"].items()} == {
        "DESA1": "complete", "DESA2": "complete", "DESA3": "complete", "KOTA": "complete"}
    works = live_works(config)
    assert works > 0
    node.wait_for(lambda r: r["index"].get("lag") == 0 and r["index"]["documents"] == works)
    metrics = node.metrics()
    for code, new in harvested_new(config).items():
        assert metrics[("union_harvest_records_total",
                        (("branch", code), ("outcome", "new")))] == new
        assert metrics[("union_harvest_duration_seconds_count", (("branch", code),))] == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_node_cleanly(
    catalogue: Path, serve: Callable[[Path], Node], signum: int
) -> None:
    node = serve(catalogue)
    assert node.get("/healthz")[0] == 200
    code, out = node.stop(signum)
    assert code == 0
    assert "Berhenti / stopped" in out


def test_every_part_answers_on_one_port_and_searches_are_timed(
    catalogue: Path, serve: Callable[[Path], Node]
) -> None:
    node = serve(catalogue)
    node.wait_for(lambda r: r["index"].get("lag") == 0)
    identify = node.get("/oai?verb=Identify")
    assert identify[0] == 200 and "<Identify>" in identify[1]
    results = node.get("/cari?q=sejarah")
    assert results[0] == 200 and "<html" in results[1]
    api = node.get("/api/search?q=sejarah")
    assert api[0] == 200 and json.loads(api[1])["total"] > 0
    hub = node.get("/sync/status")
    assert hub[0] == 200 and "streams" in json.loads(hub[1])
    assert node.get("/staf/masuk")[0] == 200  # the staff sign-in page
    assert node.get("/api/staf/permintaan")[0] == 401  # the staff API wants a token
    metrics = node.metrics()
    assert metrics[("union_search_latency_seconds_count", (("path", "/cari"),))] == 1
    assert metrics[("union_search_latency_seconds_count", (("path", "/api/search"),))] == 1
    assert metrics[("union_http_requests_total",
                    (("method", "GET"), ("route", "/oai"), ("status", "200")))] == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_starts_the_demo_feeds_so_the_city_library_is_harvested_over_oai_pmh(
    tmp_path: Path, serve: Callable[[Path], Node]
) -> None:
    port = free_port()
    demo = ((REPO / "config" / "demo.toml").read_text(encoding="utf-8")
            .replace("port = 8081", f"port = {port}")
            .replace("127.0.0.1:8081", f"127.0.0.1:{port}")
            .replace("../var/demo", str(tmp_path)))
    shutil.copytree(REPO / "config" / "catalogues", tmp_path / "catalogues")
    config = tmp_path / "demo.toml"
    config.write_text(demo, encoding="utf-8")
    assert main(["--config", str(config), "init"]) == 0
    node = serve(config)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/oai?verb=Identify",
                                timeout=30) as response:
        assert b"<Identify>" in response.read()
    report = node.wait_for(lambda r: r["branches"]["KOTA"]["scheduled"]["last_status"]
                           is not None)
    assert report["branches"]["KOTA"]["scheduled"]["last_status"] == "complete"
    with (REPO / "config" / "catalogues" / "kota.mrc").open("rb") as marc:
        published = sum(1 for _ in pymarc.MARCReader(marc))
    assert harvested_new(config)["KOTA"] == published
