"""Writing small federation files for tests, and reading ``union status --json`` back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from union.cli import main


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
