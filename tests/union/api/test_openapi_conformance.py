"""schemathesis (its command-line runner, a real third-party client) calls the real
server with requests generated from the server's own ``/api/openapi.json``, valid and
invalid, and checks every answer against the document with all its checks: no server
errors, documented status codes, content types, headers and bodies; invalid input
refused, valid input accepted. Bounded in examples per operation and in time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MAX_EXAMPLES = 60
TIME_BUDGET = 60


def test_the_api_answers_as_its_openapi_document_says(api_url: str, tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run(
        [str(schemathesis), "run", f"{api_url}/api/openapi.json", "--checks", "all",
         "--max-examples", str(MAX_EXAMPLES), "--max-time", str(TIME_BUDGET),
         "--workers", "1", "--seed", "4", "--no-color"],
        capture_output=True, text=True, timeout=TIME_BUDGET + 120, cwd=tmp_path, check=False)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    assert "No issues found" in report, report
