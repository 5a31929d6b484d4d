"""Writing small federation files for tests, and reading ``union status --json`` back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO
from union.cli import main
from union.config import Federation, load_federation


def write_federation(folder: Path, branches: str, *, database: str | None = None) -> Path:
    """A federation file in ``folder`` with these ``[[branches]]`` tables; its store is
    ``database`` (a SQLite file in ``folder`` when not given)."""
    path = folder / "federation.toml"
    path.write_text(f"""
[union]
name = "Katalog Induk Uji"
database = "{database or f'sqlite:///{folder / "union.db"}'}"
index = "{folder / 'index'}"
base_url = "http://127.0.0.1:8080"
oai_domain = "katalog.example.go.id"
admin_email = "pustaka@example.org"
{branches}""", encoding="utf-8")
    return path


def marc_file_branch(code: str, path: str, kind: str = "village") -> str:
    """A ``[[branches]]`` table for a branch that hands over a MARC file."""
    return f"""
[[branches]]
code = "{code}"
name = "Perpustakaan {code}"
kind = "{kind}"
source = {{ type = "marc-file", path = "{path}" }}
"""


def status_json(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """What ``union status --json`` prints, parsed."""
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def demo_catalogue_federation(folder: Path, *, database: str | None = None) -> Path:
    """A federation file like ``config/demo.toml`` (the same four branches, catalogues and
    local region) whose city library hands over its MARC file instead of the demo's
    OAI-PMH feed, so tests can run side by side without a fixed port."""
    catalogues = REPO / "config" / "catalogues"
    branches = "".join([
        marc_file_branch("KOTA", str(catalogues / "kota.mrc"), kind="city"),
        marc_file_branch("DESA1", str(catalogues / "desa-tanah-periuk.mrc")),
        marc_file_branch("DESA2", str(catalogues / "desa-air-kuti.mrc")),
        marc_file_branch("DESA3", str(catalogues / "desa-petanang.mrc")),
    ])
    path = write_federation(folder, branches, database=database)
    local = load_federation(REPO / "config" / "demo.toml", {}).local
    with path.open("a", encoding="utf-8") as out:
        out.write(f"\n[local]\nplaces = {json.dumps(list(local.places))}\n"
                  f"subjects = {json.dumps(list(local.subjects))}\n")
    return path


def harvest_demo_catalogue(folder: Path, *, database: str | None = None) -> Federation:
    """The demo catalogue harvested and de-duplicated into a store in ``folder`` (or
    ``database``): 560 source records from four branches, clustered into works."""
    path = demo_catalogue_federation(folder, database=database)
    assert main(["--config", str(path), "harvest"]) == 0
    return load_federation(path, {})
