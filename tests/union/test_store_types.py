"""Timestamps are stored as UTC and read back aware, on SQLite and on PostgreSQL, however
often one value is bound in a statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import StatementError

from union.store.engine import Store
from union.store.models import ChangeRow

WIB = timezone(timedelta(hours=7))


def _log(store: Store, moments: list[datetime]) -> list[datetime]:
    with store.write() as session:
        session.execute(insert(ChangeRow.__table__),
                        [{"entity": "test", "entity_id": n, "op": "upsert", "at": at}
                         for n, at in enumerate(moments)])
    with store.read() as session:
        return list(session.scalars(select(ChangeRow.at).order_by(ChangeRow.seq)))


def test_an_aware_time_in_another_zone_is_read_back_as_the_same_instant_in_utc(
        store: Store) -> None:
    written = datetime(2026, 11, 22, 9, 30, 15, 250_000, tzinfo=WIB)
    [read] = _log(store, [written])
    assert read == written and read.tzinfo == UTC and read.hour == 2


def test_one_time_bound_to_many_rows_and_then_others_each_keep_their_own_value(
        store: Store) -> None:
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    later = now + timedelta(seconds=1, microseconds=7)
    moments = [now] * 1500 + [later, now, later.astimezone(WIB), now]
    assert _log(store, moments) == moments


def test_times_alternating_with_one_repeated_time_each_keep_their_own_value(
        store: Store) -> None:
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    stamps = [now - timedelta(days=n, seconds=n) for n in range(1, 500)]
    moments = [moment for stamp in stamps for moment in (stamp, now, now)]
    assert _log(store, moments) == moments


def test_a_naive_time_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        _log(store, [datetime(2026, 11, 22, 2, 0, tzinfo=UTC), datetime(2026, 11, 22, 9, 0)])
    with store.read() as session:
        assert session.scalars(select(ChangeRow.seq)).first() is None
