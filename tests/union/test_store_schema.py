"""The schema is made by migrations, and the migrations agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from union.store.engine import Store
from union.store.migrate import upgrade
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
