"""The ``union`` command as staff use it: init, harvest, status."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.federation import marc_file_branch, status_json, write_federation
from tests.support.paths import REPO
from union.cli import main

CATALOGUES = REPO / "config" / "catalogues"
VILLAGE_FILES = {"DESA1": "desa-tanah-periuk.mrc", "DESA2": "desa-air-kuti.mrc"}


def marc_count(path: Path) -> int:
    return path.read_bytes().count(b"\x1d")


@pytest.fixture
def federation(tmp_path: Path, store_url: str) -> Path:
    """Two village branches handing over real MARC files, with a store on each backend."""
    for name in VILLAGE_FILES.values():
        shutil.copy(CATALOGUES / name, tmp_path / name)
    branches = "".join(marc_file_branch(code, name) for code, name in VILLAGE_FILES.items())
    return write_federation(tmp_path, branches, database=store_url)


def test_init_creates_the_store_and_registers_every_branch(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "init"]) == 0
    assert set(status_json(federation, capsys)) == set(VILLAGE_FILES)


def test_harvest_takes_every_record_of_every_branch(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "harvest"]) == 0
    status = status_json(federation, capsys)
    for code, name in VILLAGE_FILES.items():
        assert status[code]["live"] == marc_count(CATALOGUES / name)
        assert status[code]["deleted"] == 0
        assert status[code]["last_run"]["status"] == "complete"
        assert status[code]["last_error"] is None


def test_harvest_of_one_source_leaves_the_others_alone(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "harvest", "--source", "DESA2"]) == 0
    status = status_json(federation, capsys)
    assert status["DESA2"]["live"] == marc_count(CATALOGUES / "desa-air-kuti.mrc")
    assert status["DESA1"]["live"] == 0
    assert status["DESA1"]["last_run"] is None


def test_second_harvest_of_an_unchanged_file_changes_nothing(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "harvest"]) == 0
    assert main(["--config", str(federation), "harvest"]) == 0
    last = status_json(federation, capsys)["DESA1"]["last_run"]
    assert (last["new"], last["updated"], last["deleted"]) == (0, 0, 0)


def test_records_gone_from_a_new_file_are_marked_deleted(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "harvest", "--source", "DESA1"]) == 0
    path = federation.parent / VILLAGE_FILES["DESA1"]
    records = path.read_bytes().split(b"\x1d")[:-1]
    path.write_bytes(b"".join(r + b"\x1d" for r in records[:-10]))
    assert main(["--config", str(federation), "harvest", "--source", "DESA1"]) == 0
    status = status_json(federation, capsys)["DESA1"]
    assert (status["live"], status["deleted"]) == (len(records) - 10, 10)


def test_harvest_summary_names_each_source_and_its_counts(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "harvest"]) == 0
    err = capsys.readouterr().err
    assert "DESA1" in err and "DESA2" in err
    assert str(marc_count(CATALOGUES / "desa-air-kuti.mrc")) in err


def test_unknown_source_code_is_an_error_naming_the_known_ones(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(federation), "harvest", "--source", "NOPE"]) == 2
    assert "DESA1, DESA2" in capsys.readouterr().err


def test_wrong_configuration_exits_with_the_key_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[union]\nname = "x"\n', encoding="utf-8")
    assert main(["--config", str(bad), "status"]) == 2
    assert "union.database" in capsys.readouterr().err


def test_console_command_is_installed(federation: Path) -> None:
    union = Path(sys.executable).parent / "union"
    result = subprocess.run([str(union), "--config", str(federation), "status", "--json"],
                            capture_output=True, text=True, check=True)
    assert set(json.loads(result.stdout)) == set(VILLAGE_FILES)


def test_config_may_follow_the_verb(
    federation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--config", str(federation), "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == set(VILLAGE_FILES)


def test_missing_config_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["status"])
    assert exited.value.code == 2
    assert "--config" in capsys.readouterr().err


def test_module_runs_as_the_command(federation: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "union.cli", "--config", str(federation),
                             "status", "--json"], capture_output=True, text=True, check=True)
    assert set(json.loads(result.stdout)) == set(VILLAGE_FILES)
