"""The schema is made by migrations, and the migrations agree with the models."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from union.store.engine import Store
from union.store.migrate import upgrade
from union.store.models import ChangeRow, WorkRow
from union.store.schema import metadata


def test_migrations_create_every_table(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_upgrading_twice_changes_nothing(store: Store) -> None:
    before = sorted(inspect(store.engine).get_table_names())
    upgrade(store.engine)
    assert sorted(inspect(store.engine).get_table_names()) == before


def test_upgrading_gives_bulk_written_times_their_microseconds(tmp_path: Path) -> None:
    # Works and log rows written in bulk before revision 0006 held "... 08:00:00" while
    # every other row holds "... 08:00:00.000000": on SQLite such a row sorted before its
    # own time, and a harvester asking from its datestamp missed it.
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(store.engine, "0005")
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO works (id, status, created_at, datestamp) "
            "VALUES (7, 'live', '2026-11-22 08:00:00', '2026-11-22 08:00:00')")
        connection.exec_driver_sql(
            "INSERT INTO change_log (entity, entity_id, op, at) "
            "VALUES ('work', 7, 'upsert', '2026-11-22 08:00:00')")
    upgrade(store.engine)
    at = datetime(2026, 11, 22, 8, tzinfo=UTC)
    with store.read() as session:
        assert session.scalars(select(WorkRow.id).where(WorkRow.datestamp >= at)).all() == [7]
        assert session.scalars(select(ChangeRow.entity_id).where(ChangeRow.at >= at)).all() == [7]
        work = session.get(WorkRow, 7)
        assert work is not None and work.created_at == at
    store.dispose()
