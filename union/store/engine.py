"""Opening the store: one engine per process, tuned per backend."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


class Store:
    """The relational store. ``write()`` gives a session in one transaction.

    SQLite allows one writer at a time; concurrent harvests would otherwise fail with
    "database is locked", so on SQLite writes are serialised by a lock in this process
    (and WAL mode lets readers go on meanwhile). Across processes, a write transaction
    on SQLite takes the database's write lock when it begins (``BEGIN IMMEDIATE``): SQLite
    ignores ``SELECT ... FOR UPDATE`` and would otherwise begin only at the first write,
    so two processes could read one row and the later write would undo the earlier.
    """

    def __init__(self, url: str, **engine_args: Any) -> None:
        self.url = url
        self.engine = _make_engine(url, **engine_args)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite backend."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed together on exit, or rolled back on error."""
        with self._write_lock or nullcontext(), self._sessions.begin() as session:
            if self._write_lock is not None:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries only."""
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _make_engine(url: str, **engine_args: Any) -> Engine:
    # orjson writes dataclasses (BibRecord) straight to JSON, several times faster than
    # converting them to dicts for the standard library's encoder.
    engine_args.setdefault("json_serializer", _json_dumps)
    engine_args.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine_args["connect_args"] = {"timeout": 60, **engine_args.get("connect_args", {})}
        engine = create_engine(url, **engine_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **engine_args)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode (only an OS crash can lose
    # the last transactions), and several times faster than FULL on cheap storage.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
