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
        """The conversion of a value for the driver, remembering the last two converted.

        A page's statements bind the same ``now`` to every row they write (thousands of
        times), alternating with each row's own datestamp where columns share this type;
        converting it once saves a fifth of the writer's time. The values and their
        conversions are kept in one tuple, so threads sharing the processor never see a
        value paired with another's conversion, and a kept value (immutable, and kept
        alive) can only be the same object when ``is`` says so.
        """
        convert = super().bind_processor(dialect)
        if convert is None:
            return None
        recent: tuple[Any, Any, Any, Any] = (_NOTHING, None, _NOTHING, None)

        def process(value: Any) -> Any:
            nonlocal recent
            kept = recent
            if value is kept[0]:
                return kept[1]
            if value is kept[2]:
                return kept[3]
            converted = convert(value)
            recent = (value, converted, kept[0], kept[1])
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
