"""The real thing on 127.0.0.1: ``union serve`` as the hub and three ``union branch``
agents as processes, each branch with its own store; one agent is killed (SIGKILL) in the
middle of a transfer and started again, and everything converges."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from sync.loan_request import LoanPhase
from sync.transfer import TransferStatus
from tests.support.federation import marc_file_branch, write_federation
from tests.union.sync_node.support import START
from union.cli import main
from union.store.engine import Store
from union.store.sync_models import SyncCustodyRow, SyncKeyRow
from union.sync_node.audit_log import verify_chain
from union.sync_node.service import KeyDirectory, SyncService

UNION = [str(Path(sys.executable).parent / "union")]
# Every wait is for a condition; the bound is only there so a real failure ends the test,
# and is generous because the machine may be heavily loaded.
DEADLINE = 600.0


def wait_for(what: str, check: Callable[[], bool], deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not converged within {deadline:.0f} s: {what}")


def hub_custody(store: Store, item: str) -> tuple[str, str] | None:
    """(owner, status) of a copy in the hub's store: what search reads."""
    with store.read() as session:
        row = session.get(SyncCustodyRow, item)
        return None if row is None else (row.owner, row.status)


def federation(folder: Path, sync: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = write_federation(folder, marc_file_branch("KOTA", "kota.mrc", "city"))
    path.write_text(path.read_text(encoding="utf-8") + sync, encoding="utf-8")
    return path


def start(argv: list[str], log: Path) -> subprocess.Popen[str]:
    out: IO[str] = log.open("w", encoding="utf-8")
    return subprocess.Popen(
        argv,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_hub_and_three_agents_converge_after_one_is_killed_mid_transfer(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    keys = tmp_path / "keys"
    hub = federation(tmp_path / "hub", f'[sync]\nkey_dir = "{keys}"\n')
    assert main(["--config", str(hub), "init"]) == 0
    codes = ("KOTA", "DESA1", "DESA2")
    for code in codes:
        assert main(["--config", str(hub), "sync", "enrol", code]) == 0
    serve = start(
        [*UNION, "--config", str(hub), "serve", "--no-harvest", "--port", "0"],
        tmp_path / "serve.log",
    )
    processes.append(serve)
    url: list[str] = []

    def serving() -> bool:
        found = re.search(r"serving at (http://\S+)", (tmp_path / "serve.log").read_text())
        url[:] = [found.group(1).rstrip("/")] if found else []
        return bool(url)

    wait_for("union serve started", serving)
    directory = KeyDirectory(keys)
    configs, stores, staff = {}, {}, {}
    for code in codes:
        configs[code] = federation(
            tmp_path / code,
            f'[sync]\nbranch = "{code}"\nhub_url = "{url[0]}"\nkey_dir = "{keys}"\n'
            "interval_seconds = 1\nretry_seconds = 1\nretry_max_seconds = 2\n",
        )
        assert main(["--config", str(configs[code]), "init"]) == 0
        store = Store(f"sqlite:///{tmp_path / code / 'union.db'}")
        owned = [f"{code}/B{n}" for n in range(1, 4)] if code == "KOTA" else []
        directory.node(store, code).create(owned, START)
        stores[code] = store
        staff[code] = SyncService(store, lambda c, s=store: directory.node(s, c))
    agents = {}

    def agent(code: str) -> subprocess.Popen[str]:
        process = start(
            [*UNION, "--config", str(configs[code]), "branch"], tmp_path / f"{code}.log"
        )
        processes.append(process)
        agents[code] = process
        return process

    for code in codes:
        agent(code)
    kota, desa1, desa2 = staff["KOTA"], staff["DESA1"], staff["DESA2"]
    # The agents judge lenders' deadlines by the wall clock, so staff act on it too.
    now = datetime.now(UTC)
    # A loan from KOTA to DESA2 runs alongside the transfer.
    wait_for("DESA2 knows KOTA's key", lambda: _knows(stores["DESA2"], "KOTA"))
    loan = desa2.reserve_item("DESA2", "KOTA/B2", now)
    transfer = kota.propose_transfer("KOTA", "DESA1", ["KOTA/B1", "KOTA/B3"], now)
    wait_for("DESA1 sees the proposal", lambda: bool(desa1.snapshot("DESA1").transfers()))
    desa1.accept_transfer("DESA1", transfer, now)
    wait_for(
        "KOTA sees the acceptance",
        lambda: kota.snapshot("KOTA").transfers()[0].status is TransferStatus.ACCEPTED,
    )
    wait_for("KOTA sees the loan request", lambda: bool(kota.snapshot("KOTA").to_answer()))
    [asked] = kota.snapshot("KOTA").to_answer()
    kota.will_supply("KOTA", asked.request_id, now)  # KOTA's staff answer from the desk
    [pick] = kota.snapshot("KOTA").pick_list()
    kota.ship("KOTA", pick.request_id, now)
    kota.ship_transfer("KOTA", transfer, now)
    agents["DESA1"].send_signal(signal.SIGKILL)  # mid-transfer: the shipment is in flight
    agents["DESA1"].wait(DEADLINE)
    agent("DESA1")
    wait_for(
        "DESA1 sees the shipment",
        lambda: desa1.snapshot("DESA1").transfers()[0].status is TransferStatus.SHIPPED,
    )
    desa1.receive_transfer("DESA1", transfer, now)
    wait_for(
        "KOTA sees the transfer received",
        lambda: kota.snapshot("KOTA").transfers()[0].status is TransferStatus.RECEIVED,
    )
    wait_for(
        "DESA2 sees its loan shipped",
        lambda: desa2.snapshot("DESA2").outgoing()[0].leg.phase is LoanPhase.SHIPPED,
    )  # type: ignore[union-attr]

    assert {c.item_id for c in kota.snapshot("KOTA").custody()} == {"KOTA/B2"}
    assert {c.item_id for c in desa1.snapshot("DESA1").custody()} == {"KOTA/B1", "KOTA/B3"}
    [lent] = kota.snapshot("KOTA").incoming()
    assert lent.leg.request_id == f"{loan}/1" and lent.leg.phase is LoanPhase.SHIPPED
    for code in codes:
        wait_for(
            f"{code}'s outbox acknowledged",
            lambda c=code: directory.node(stores[c], c).pending() == [],
        )
        assert verify_chain(stores[code], code).first_break is None
    # The hub's store (what search reads) follows the village agents' custody.
    hub_store = Store(f"sqlite:///{tmp_path / 'hub' / 'union.db'}")
    wait_for(
        "the hub's custody follows every branch",
        lambda: [hub_custody(hub_store, f"KOTA/B{n}") for n in (1, 2, 3)]
        == [("DESA1", "on_shelf"), ("KOTA", "in_transit"), ("DESA1", "on_shelf")],
    )
    hub_store.dispose()
    assert serve.poll() is None, "the hub died"
    for store in stores.values():
        store.dispose()


def _knows(store: Store, branch: str) -> bool:
    with store.read() as session:
        return session.get(SyncKeyRow, branch) is not None
