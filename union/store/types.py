"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_NOTHING = object()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out.

    SQLite keeps no time zone, so values are stored as naive UTC everywhere; a naive value
    handed in is refused, because guessing its zone is how local time ends up labelled Z.
    """

    impl = DateTime
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """The conversion of a value for the driver, remembering the last value converted.

        A page's statements bind the same ``now`` to every row they write (thousands of
        times); converting it once saves a fifth of the writer's time. The value and its
        conversion are kept as one tuple, so threads sharing the processor never see a
        value paired with another's conversion, and the kept value (immutable, and kept
        alive) can only be the same object when ``is`` says so.
        """
        convert = super().bind_processor(dialect)
        if convert is None:
            return None
        last: tuple[Any, Any] = (_NOTHING, None)

        def process(value: Any) -> Any:
            nonlocal last
            seen = last
            if value is seen[0]:
                return seen[1]
            converted = convert(value)
            last = (value, converted)
            return converted

        return process

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
