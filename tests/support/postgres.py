"""A throwaway PostgreSQL cluster started from the installed binaries, for tests.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the cluster
runs as the ``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (make install installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A running cluster on 127.0.0.1; ``database_url(name)`` creates a fresh database."""

    def __init__(self, datadir: Path, port: int, user: str | None) -> None:
        self.datadir = datadir
        self.port = port
        self.user = user
        self._count = 0

    def run(self, *command: str) -> None:
        """Run a PostgreSQL binary as the cluster's owner."""
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def new_database_url(self) -> str:
        """Create an empty database and return its SQLAlchemy (psycopg) URL."""
        self._count += 1
        name = f"test_{self._count}"
        self.run(_binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                 "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """initdb, start, yield, stop and remove a cluster."""
    user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="union-pg-"))
    datadir = root / "data"
    if user:
        owner = pwd.getpwnam(user)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(datadir, _free_port(), user)
    cluster.run(_binary("initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8")
    cluster.run(
        _binary("pg_ctl"), "-D", str(datadir), "-l", str(root / "log"), "-w", "-o",
        f"-h 127.0.0.1 -p {cluster.port} -k {root} -c fsync=off -c full_page_writes=off",
        "start",
    )
    try:
        yield cluster
    finally:
        cluster.run(_binary("pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
