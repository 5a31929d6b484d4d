"""``union sync simulate``: the seeded simulator from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.federation import marc_file_branch, write_federation
from union.cli import main


def test_simulate_prints_the_invariants_and_exits_zero_without_violations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_federation(tmp_path, marc_file_branch("KOTA", "kota.mrc", "city"))
    argv = [
        "--config",
        str(config),
        "sync",
        "simulate",
        "--branches",
        "5",
        "--requests",
        "60",
        "--loss",
        "0.3",
        "--duplicate",
        "0.1",
        "--seed",
        "4",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "seed 4: 60 requests" in out
    assert "no copy lent to two requests at once" in out
    assert out.splitlines()[-1] == "violations: 0"


def test_simulate_refuses_a_loss_rate_outside_zero_to_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_federation(tmp_path, marc_file_branch("KOTA", "kota.mrc", "city"))
    assert main(["--config", str(config), "sync", "simulate", "--loss", "1.5"]) == 2
    assert "loss" in capsys.readouterr().err


def test_simulate_help_defines_a_sync_round_and_convergence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_federation(tmp_path, marc_file_branch("KOTA", "kota.mrc", "city"))
    with pytest.raises(SystemExit) as done:
        main(["--config", str(config), "sync", "simulate", "--help"])
    text = capsys.readouterr().out
    assert done.value.code == 0
    assert all(word in text for word in ("session", "round", "converged"))


def test_simulate_runs_without_a_federation_file(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sync", "simulate", "--branches", "3", "--requests", "20", "--seed", "2"]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "violations: 0"


def test_other_verbs_still_need_a_federation_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["status"])
    assert done.value.code == 2
    assert "--config" in capsys.readouterr().err
