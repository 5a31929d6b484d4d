"""Writing and reading in batches, below the ORM: the store's bulk path (the clusterer
writes millions of keys, evidence rows and works this way).

Values handed to :func:`fast_insert` must already be what the database stores:
:func:`stored` turns a datetime into that.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from union.store.types import UTCDateTime

__all__ = ["CHUNK", "chunks", "fast_insert", "stored"]

#: Ids per ``IN (...)`` list: well below every backend's limit on bound parameters.
CHUNK = 500


def fast_insert(session: Session, table: str, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], *, json_columns: Sequence[str] = (),
                batch: int = 20000) -> None:
    """Insert plain tuples through the driver's executemany, without the ORM's per-row
    work: millions of match keys would otherwise take longer than clustering them.
    Values must be what the database stores (see :func:`stored`); JSON as text."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    marker = "%s" if postgres else "?"
    values = ", ".join(f"CAST({marker} AS JSON)" if postgres and c in json_columns else marker
                       for c in columns)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"
    for part in chunks(rows, batch):
        connection.exec_driver_sql(statement, part)


def stored(session: Session, value: datetime) -> Any:
    """A datetime as the store's UTC column type writes it on this backend: on SQLite the
    text every other statement writes ("2026-11-22 08:00:00.000000"), so that rows
    written in bulk compare and sort with the rest (a bare datetime would reach the
    driver, whose own text leaves out the microseconds and sorts before it)."""
    dialect = session.connection().dialect
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``values`` in lists of at most ``size``."""
    remaining = iter(values)
    while batch := list(itertools.islice(remaining, size)):
        yield batch
