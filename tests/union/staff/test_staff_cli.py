"""``union staff add | token | revoke`` against a real store on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tests.support.federation import demo_catalogue_federation
from union.cli import main, utc_now
from union.config import load_federation
from union.staff.accounts import authenticate
from union.staff.tokens import token_holder
from union.store.engine import Store

PASSWORD = "rahasia-perpustakaan"


@pytest.fixture
def config(tmp_path: Path, store_url: str) -> Path:
    return demo_catalogue_federation(tmp_path, database=store_url)


def _run(config: Path, *args: str, stdin: str = "",
         monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--config", str(config), "staff", *args])


def _store(config: Path) -> Store:
    return Store(load_federation(config, {}).union.database)


def test_add_reads_the_password_from_stdin_and_the_account_signs_in(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(config, "add", "--branch", "DESA1", "--username", "sari", "--password-stdin",
                stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    store = _store(config)
    with store.write() as session:
        assert authenticate(session, PasswordHasher(), "DESA1", "sari", PASSWORD) is not None
    store.dispose()


def test_add_for_an_unknown_branch_fails_with_a_reason(
        config: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(config, "add", "--branch", "NOWHERE", "--username", "sari",
                "--password-stdin", stdin=PASSWORD, monkeypatch=monkeypatch) == 2
    assert "unknown branch" in capsys.readouterr().err


def test_token_prints_a_new_token_once_that_acts_for_the_branch(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(config, "token", "--branch", "DESA3", "--name", "inventaris") == 0
    printed = capsys.readouterr()
    secret = printed.out.strip()
    assert secret.startswith("ukt_") and "not shown again" in printed.err
    store = _store(config)
    with store.write() as session:
        holder = token_holder(session, secret, utc_now())
    store.dispose()
    assert holder is not None and holder.branch == "DESA3"


def test_revoke_disables_an_account_and_a_token(
        config: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _run(config, "add", "--branch", "KOTA", "--username", "admin", "--password-stdin",
         stdin=PASSWORD, monkeypatch=monkeypatch)
    capsys.readouterr()
    _run(config, "token", "--branch", "KOTA")
    secret = capsys.readouterr().out.strip()
    assert _run(config, "revoke", "--branch", "KOTA", "--username", "admin") == 0
    assert _run(config, "revoke", "--branch", "KOTA", "--token", secret[:12]) == 0
    store = _store(config)
    with store.write() as session:
        assert authenticate(session, PasswordHasher(), "KOTA", "admin", PASSWORD) is None
        assert token_holder(session, secret, utc_now()) is None
    store.dispose()

