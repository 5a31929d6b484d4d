"""The staff desk from the command line (``union sync request | will-supply | ship | ...``),
through the real CLI against a real store, acting as one branch with its own key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.federation import marc_file_branch, write_federation
from tests.union.sync_node.support import Clock
from union.cli import main
from union.store.engine import Store
from union.store.migrate import upgrade
from union.sync_node.hub import Hub, LocalMailbox
from union.sync_node.service import KeyDirectory
from union.sync_node.session import sync_once


class Desk:
    """A hub hosting KOTA (owning KOTA/B1 and KOTA/B2) and DESA, driven by the CLI."""

    def __init__(self, tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]):
        self.keys = KeyDirectory(tmp_path / "keys")
        tmp_path.joinpath("hub").mkdir()
        self.config = write_federation(
            tmp_path / "hub", marc_file_branch("KOTA", "kota.mrc", "city"), database=store_url
        )
        self.config.write_text(
            self.config.read_text(encoding="utf-8")
            + f'[sync]\nkey_dir = "{self.keys.directory}"\nhosted = ["KOTA", "DESA"]\n',
            encoding="utf-8",
        )
        self.store = Store(store_url)
        upgrade(self.store.engine)
        self.capsys = capsys
        for code in ("KOTA", "DESA"):
            assert self.run("enrol", code) == 0
        self.keys.node(self.store, "KOTA").catalogue_items(["KOTA/B1", "KOTA/B2"], Clock()())
        self.mailbox = LocalMailbox(Hub(self.store), Clock())

    def run(self, *argv: str) -> int:
        self.capsys.readouterr()
        return main(["--config", str(self.config), "sync", *argv])

    def out(self, *argv: str) -> str:
        assert self.run(*argv) == 0, self.capsys.readouterr().err
        return self.capsys.readouterr().out.strip()

    def sync(self, *codes: str) -> None:
        for code in codes:
            asyncio.run(sync_once(self.keys.node(self.store, code), self.mailbox, Clock()()))


@pytest.fixture
def desk(tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> Iterator[Desk]:
    made = Desk(tmp_path, store_url, capsys)
    yield made
    made.store.dispose()


def test_a_loan_runs_from_request_to_patron_through_the_cli(desk: Desk) -> None:
    request = desk.out("request", "--branch", "DESA", "--item", "KOTA/B1")
    leg = f"{request}/1"
    desk.sync("DESA", "KOTA")
    waiting = json.loads(desk.out("desk", "--branch", "KOTA"))
    assert [(r["id"], r["phase"]) for r in waiting["requests"]] == [(leg, "requested")]
    assert desk.out("will-supply", "--branch", "KOTA", leg) == "ok"
    assert desk.out("ship", "--branch", "KOTA", leg, "--due", "2026-04-01") == "2026-04-01"
    desk.sync("KOTA", "DESA")
    for verb in ("receive", "lend"):
        assert desk.out(verb, "--branch", "DESA", leg) == "ok"
    desk.sync("DESA", "KOTA")
    custody = desk.keys.node(desk.store, "KOTA").branch().custody["KOTA/B1"]
    assert custody.status.value == "on_loan"


def test_staff_of_one_branch_cannot_act_for_anothers_loan(desk: Desk) -> None:
    request = desk.out("request", "--branch", "DESA", "--item", "KOTA/B1")
    desk.sync("DESA", "KOTA")
    assert desk.run("will-supply", "--branch", "DESA", f"{request}/1") == 1
    assert "unknown_request" in desk.capsys.readouterr().err


def test_a_branch_without_a_key_here_cannot_act(desk: Desk) -> None:
    assert desk.run("request", "--branch", "LAIN", "--item", "KOTA/B1") == 1
    assert "signing key" in desk.capsys.readouterr().err


def test_malformed_input_is_refused_with_a_clear_error_and_changes_nothing(desk: Desk) -> None:
    request = desk.out("request", "--branch", "DESA", "--item", "KOTA/B1")
    desk.sync("DESA", "KOTA")
    desk.out("will-supply", "--branch", "KOTA", f"{request}/1")
    assert desk.run("ship", "--branch", "KOTA", f"{request}/1", "--due", "besok") == 2
    assert "YYYY-MM-DD" in desk.capsys.readouterr().err
    picks = json.loads(desk.out("desk", "--branch", "KOTA", "ambil"))["items"]
    assert [p["phase"] for p in picks] == ["will_supply"]


def test_a_transfer_is_proposed_accepted_and_shipped_through_the_cli(desk: Desk) -> None:
    transfer = desk.out("transfer", "--branch", "KOTA", "--to", "DESA", "KOTA/B2")
    desk.sync("KOTA", "DESA")
    assert desk.out("transfer-accept", "--branch", "DESA", transfer) == "ok"
    desk.sync("DESA", "KOTA")
    assert desk.out("transfer-ship", "--branch", "KOTA", transfer) == "ok"
    desk.sync("KOTA", "DESA")
    assert desk.out("transfer-receive", "--branch", "DESA", transfer) == "ok"
    moving = json.loads(desk.out("desk", "--branch", "DESA", "mutasi"))["transfers"]
    assert [(t["id"], t["status"]) for t in moving] == [(transfer, "received")]
