"""The sync verbs as staff use them: USB bundles both ways, and the audit check."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import update

from sync.loan_request import LoanPhase
from tests.support.federation import marc_file_branch, write_federation
from tests.union.sync_node.support import START, Clock, hosted
from union.cli import main
from union.store.engine import Store
from union.store.migrate import upgrade
from union.store.sync_models import SyncAuditRow
from union.sync_node.hub import Hub, LocalMailbox
from union.sync_node.service import KeyDirectory, SyncService
from union.sync_node.session import sync_once


def federation_file(folder: Path, database: str, sync: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = write_federation(folder, marc_file_branch("KOTA", "kota.mrc", "city"), database=database)
    path.write_text(path.read_text(encoding="utf-8") + sync, encoding="utf-8")
    return path


def run(config: Path, *argv: str) -> int:
    return main(["--config", str(config), *argv])


def test_a_request_carried_on_usb_sticks_both_ways_is_answered_once(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    hub_file = federation_file(
        tmp_path / "hub", store_url, f'[sync]\nkey_dir = "{keys}"\nhosted = ["KOTA"]\n'
    )
    village_db = f"sqlite:///{tmp_path / 'desa.db'}"
    desa_file = federation_file(
        tmp_path / "desa",
        village_db,
        f'[sync]\nbranch = "DESA"\nhub_url = "http://127.0.0.1:9"\nkey_dir = "{keys}"\n',
    )
    hub_store, desa_store = Store(store_url), Store(village_db)
    upgrade(hub_store.engine)
    upgrade(desa_store.engine)
    directory = KeyDirectory(keys, ["KOTA"])  # KOTA answers requests automatically
    try:
        assert run(hub_file, "sync", "enrol", "DESA") == 0
        assert run(hub_file, "sync", "enrol", "KOTA") == 0
        directory.node(hub_store, "KOTA").catalogue_items(["KOTA/B1"], START)
        desa = SyncService(desa_store, lambda c: directory.node(desa_store, c))
        directory.node(desa_store, "DESA").create([], START)
        request = desa.reserve_item("DESA", "KOTA/B1", START)

        assert run(desa_file, "sync", "export", str(tmp_path / "to-hub.json")) == 0
        assert run(hub_file, "sync", "import", str(tmp_path / "to-hub.json")) == 0
        assert run(hub_file, "sync", "import", str(tmp_path / "to-hub.json")) == 0
        mailbox = LocalMailbox(Hub(hub_store), Clock())
        asyncio.run(sync_once(directory.node(hub_store, "KOTA"), mailbox, START))
        back = str(tmp_path / "to-desa.json")
        assert run(hub_file, "sync", "export", back, "--branch", "DESA") == 0
        capsys.readouterr()
        assert run(desa_file, "sync", "import", back) == 0
        assert run(desa_file, "sync", "import", back) == 0
        first, second = capsys.readouterr().out.splitlines()
        assert "1 diterapkan / applied" in first and "0 diterapkan / applied" in second
        [asked] = desa.snapshot("DESA").outgoing()
        assert asked.rota.request_id == request
        assert asked.leg is not None and asked.leg.phase is LoanPhase.WILL_SUPPLY
        assert directory.node(desa_store, "DESA").pending() == []
    finally:
        hub_store.dispose()
        desa_store.dispose()


def test_a_bundle_for_another_branch_is_refused_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    db = f"sqlite:///{tmp_path / 'desa.db'}"
    desa_file = federation_file(
        tmp_path / "desa",
        db,
        f'[sync]\nbranch = "DESA"\nhub_url = "http://127.0.0.1:9"\nkey_dir = "{keys}"\n',
    )
    store = Store(db)
    upgrade(store.engine)
    hub_file = federation_file(tmp_path / "hub", db, f'[sync]\nkey_dir = "{keys}"\n')
    assert run(hub_file, "sync", "enrol", "DESA") == 0
    bundle = tmp_path / "other.json"
    assert run(hub_file, "sync", "export", str(bundle), "--branch", "LAIN") == 0
    capsys.readouterr()
    assert run(desa_file, "sync", "import", str(bundle)) == 2
    assert "LAIN" in capsys.readouterr().err
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    assert run(desa_file, "sync", "import", str(tmp_path / "junk.json")) == 2
    store.dispose()


def test_audit_verify_passes_an_intact_log_and_names_the_first_tampered_entry(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(store_url)
    upgrade(store.engine)
    fed = hosted(store, tmp_path, {"KOTA": ["B1", "B2"], "DESA": []}, answering=["KOTA"])
    fed.service.reserve_item("DESA", "KOTA/B1", fed.clock())
    fed.service.reserve_item("DESA", "KOTA/B2", fed.clock())
    fed.sync("DESA", "KOTA", "DESA")
    config = federation_file(tmp_path / "hub", store_url, "")
    assert run(config, "audit", "verify") == 0
    assert capsys.readouterr().out.splitlines() == [
        "DESA: 4 entri utuh / entries intact",
        "KOTA: 4 entri utuh / entries intact",
    ]
    with store.write() as session:
        session.execute(
            update(SyncAuditRow)
            .where(SyncAuditRow.branch == "KOTA", SyncAuditRow.index == 2)
            .values(record=SyncAuditRow.record + " ")
        )
    assert run(config, "audit", "verify", "--branch", "KOTA") == 1
    assert capsys.readouterr().out.strip() == "KOTA: RUSAK / BROKEN at entry 2: altered"
    store.dispose()
