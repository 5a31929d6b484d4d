"""Two processes writing one store: a transaction that reads a row for update and then
writes it back never loses another process's write, on SQLite as on PostgreSQL.

Each ``Store`` here has its own engine and connections, as a second process would (the
in-process write lock of one ``Store`` does not cover the other)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError

from union.store.engine import Store
from union.store.sync_models import SyncHeldRow

ROUNDS = 20


def _counter(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(SyncHeldRow.held))


def _increment(store: Store) -> None:
    with store.write() as session:
        held = session.scalar(select(SyncHeldRow.held).with_for_update())
        time.sleep(0.005)  # room for the other writer to read the same value, if it could
        session.execute(update(SyncHeldRow).values(held=held + 1))


def test_read_then_write_transactions_of_two_processes_lose_no_update(
        store: Store, store_url: str) -> None:
    with store.write() as session:
        session.execute(insert(SyncHeldRow).values(branch="KOTA", origin="DESA1", held=0))
    other = Store(store_url)
    failures: list[BaseException] = []

    def work(writer: Store) -> None:
        try:
            for _ in range(ROUNDS):
                _increment(writer)
        except BaseException as error:  # reported below; a thread cannot fail the test
            failures.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in (store, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert failures == []
    assert _counter(store) == 2 * ROUNDS


def test_a_sqlite_write_transaction_holds_the_write_lock_from_its_start(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/union.db"
    first, second = Store(url), Store(url, connect_args={"timeout": 0.05})
    with first.write() as session:
        session.execute(select(1))
        with pytest.raises(OperationalError, match="locked"), second.write() as other:
            other.execute(select(1))
    with second.write() as other:  # free again once the first has committed
        other.execute(select(1))
    first.dispose()
    second.dispose()
