"""A real ``union serve`` process on a free port of 127.0.0.1, for tests that drive the
web node from outside: start it, ask it over HTTP, poll its ``/healthz``, stop it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO

DEADLINE = 90.0


class ServeProcess:
    """A running ``union --config CONFIG serve --port 0 [OPTIONS]`` and its base URL."""

    def __init__(self, config: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "union"), "--config", str(config), "serve",
             "--port", "0", *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if "http://" not in first:
            self.process.kill()
            pytest.fail(f"serve did not start: {first!r} {self.process.stderr.read()}")
        self.url = first[first.index("http://"):].split()[0].rstrip("/")

    def get(self, path: str) -> tuple[int, str]:
        """Status and body of one GET, on a connection of its own (so with several
        processes on the port the kernel picks which answers)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get_json(self, path: str) -> tuple[int, Any]:
        """Status and decoded JSON body of one GET."""
        status, body = self.get(path)
        return status, json.loads(body)

    def poll(self, probe: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
        """Call ``probe`` until ``done`` holds for what it returns; fail after the deadline."""
        deadline = time.monotonic() + DEADLINE
        while True:
            latest = probe()
            if done(latest):
                return latest
            if time.monotonic() > deadline:
                pytest.fail(f"not reached in {DEADLINE} s: {latest!r}")
            time.sleep(0.1)

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``signum`` and wait: the exit status and what the node printed."""
        self.process.send_signal(signum)
        out, _err = self.process.communicate(timeout=DEADLINE)
        return self.process.returncode, out


def started_nodes(cls: type[ServeProcess], *options: str) -> Iterator[Callable[[Path], Any]]:
    """A fixture body: a starter of ``cls`` nodes, every one killed at the end if still up."""
    nodes: list[ServeProcess] = []

    def start(config: Path) -> ServeProcess:
        nodes.append(cls(config, *options))
        return nodes[-1]

    yield start
    for node in nodes:
        if node.process.poll() is None:
            node.process.kill()
            node.process.communicate()
