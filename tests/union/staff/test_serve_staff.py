"""The staff interfaces on a real ``union serve`` process: accounts and tokens made with
``union staff``, then a sign-in and an API call over HTTP."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.federation import demo_catalogue_federation
from tests.support.paths import REPO
from tests.union.staff.support import PASSWORD, browser, sign_in

UNION = str(Path(sys.executable).parent / "union")


def _union(config: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run([UNION, "--config", str(config), *args], input=stdin,
                          capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    return done.stdout


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    config = demo_catalogue_federation(tmp_path)
    _union(config, "init")
    process = subprocess.Popen(
        [UNION, "--config", str(config), "serve", "--port", "0", "--no-harvest"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert process.stdout is not None
    first = process.stdout.readline()
    if "http://" not in first:
        process.kill()
        pytest.fail(f"serve did not start: {first!r} {process.stderr.read()}")  # type: ignore[union-attr]
    try:
        yield config, first[first.index("http://"):].split()[0].rstrip("/")
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_staff_made_on_the_command_line_sign_in_to_the_served_node(
        served: tuple[Path, str]) -> None:
    config, url = served
    _union(config, "staff", "add", "--branch", "DESA2", "--username", "rini",
           "--password-stdin", stdin=PASSWORD + "\n")
    async with browser() as client:
        response = await sign_in(client, url, "DESA2", "rini")
        async with client.get(f"{url}/staf/DESA2/panen") as page:
            html = await page.text()
    assert response.status == 303 and page.status == 200
    assert "Status panen" in html and "Perpustakaan DESA2" in html


async def test_a_token_made_on_the_command_line_reads_the_served_api(
        served: tuple[Path, str]) -> None:
    config, url = served
    token = _union(config, "staff", "token", "--branch", "DESA3").strip()
    async with browser() as client:
        async with client.get(f"{url}/api/staf/DESA3/panen",
                              headers={"Authorization": f"Bearer {token}"}) as own:
            body = await own.json()
        async with client.get(f"{url}/api/staf/KOTA/panen",
                              headers={"Authorization": f"Bearer {token}"}) as other:
            refused = await other.json()
    assert own.status == 200 and body["source"]["type"] == "marc-file"
    assert other.status == 403 and refused["error"] == "forbidden"
