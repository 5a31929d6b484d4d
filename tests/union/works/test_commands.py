"""The works verbs of the ``union`` command: harvest clusters, ``works --jsonl`` lists
the works, ``works same`` / ``works never`` record staff decisions, ``explain`` shows
why. Real MARC files of two village branches, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.federation import marc_file_branch, write_federation
from union.cli import main

CATALOGUES = Path(__file__).resolve().parents[3] / "config" / "catalogues"
# DESA1 holds pool positions 240-339, DESA2 0-39 and 330-379: ten books in common.
FILES = {"DESA1": "desa-tanah-periuk.mrc", "DESA2": "desa-air-kuti.mrc"}


@pytest.fixture
def federation(tmp_path: Path, store_url: str) -> Path:
    """Two village branches handing over real MARC files, stored at ``store_url``."""
    for name in FILES.values():
        shutil.copy(CATALOGUES / name, tmp_path / name)
    branches = "".join(marc_file_branch(code, name) for code, name in FILES.items())
    return write_federation(tmp_path, branches, database=store_url)


def run(federation: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["--config", str(federation), *args]) == 0
    return capsys.readouterr().out


def works_jsonl(federation: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in run(federation, capsys, "works", "--jsonl")
            .splitlines()]


def test_works_jsonl_prints_one_line_per_live_work_with_its_members(
        federation: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    works = works_jsonl(federation, capsys)
    assert all(set(w) == {"id", "members"} and isinstance(w["id"], int) for w in works)
    assert all(all(len(m) == 2 and m[0] in FILES for m in w["members"]) for w in works)
    shared = [w for w in works if len(w["members"]) == 2]
    assert len(shared) == 10
    assert shared[0]["members"] == [["DESA1", "DESA1-00330"], ["DESA2", "DESA2-00330"]]
    assert sum(len(w["members"]) for w in works) == 102 + 90
    assert [w["id"] for w in works] == sorted(w["id"] for w in works)


def test_harvest_runs_the_clusterer(federation: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    out = run(federation, capsys, "works", "update")
    assert "0 baru/new" in out and "(none," in out


def test_works_never_separates_two_records(federation: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    out = run(federation, capsys, "works", "never", "DESA1:DESA1-00330", "DESA2:DESA2-00330")
    assert "recorded: never" in out
    works = works_jsonl(federation, capsys)
    assert len([w for w in works if len(w["members"]) == 2]) == 9


def test_works_same_joins_two_records(federation: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    run(federation, capsys, "works", "same", "DESA1:DESA1-00240", "DESA2:DESA2-00000")
    works = works_jsonl(federation, capsys)
    assert [["DESA1", "DESA1-00240"], ["DESA2", "DESA2-00000"]] in [w["members"] for w in works]


def test_works_same_with_an_unknown_record_fails(federation: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    assert main(["--config", str(federation), "works", "same", "DESA1:x", "DESA2:y"]) == 2
    assert "no such record" in capsys.readouterr().err


def test_explain_prints_the_evidence_of_a_work(federation: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    shared = next(w for w in works_jsonl(federation, capsys) if len(w["members"]) == 2)
    out = run(federation, capsys, "explain", str(shared["id"]))
    assert f"Karya / work {shared['id']} (live)" in out
    assert "LCCN: shared" in out
    data = json.loads(run(federation, capsys, "explain", str(shared["id"]), "--json"))
    assert data["work"] == shared["id"] and len(data["matches"]) == 1


def test_explain_of_an_unknown_work_fails(federation: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    run(federation, capsys, "harvest")
    assert main(["--config", str(federation), "explain", "99999"]) == 1
    assert "no such work" in capsys.readouterr().err
