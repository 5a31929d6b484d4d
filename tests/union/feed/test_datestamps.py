"""UTC datestamps: the two granularities, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from union.feed.datestamps import (
    DAY,
    SECOND,
    DatestampError,
    format_utc,
    from_epoch,
    parse_utc,
    to_epoch,
    utc_second,
)

SECONDS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31),
                       timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))


def test_a_day_covers_the_whole_day() -> None:
    day = parse_utc("2024-05-01")
    assert day.granularity == DAY
    assert day.start == datetime(2024, 5, 1, tzinfo=UTC)
    assert day.end == datetime(2024, 5, 1, 23, 59, 59, tzinfo=UTC)


def test_a_second_covers_itself() -> None:
    second = parse_utc("2024-05-01T10:20:30Z")
    assert second.granularity == SECOND
    assert second.start == second.end == datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2024-05-01T10:20:30.5Z", "2024-05-01T10:20:30.123Z",
                                   "2024-05-01T10:20:30+07:00"])
def test_finer_than_seconds_is_refused_as_too_fine(value: str) -> None:
    with pytest.raises(DatestampError, match="finer"):
        parse_utc(value)


@pytest.mark.parametrize("value", ["", "2024", "2024-05", "2024-5-1", "2024-05-01T10:20Z",
                                   "2024-05-01 10:20:30Z", "2024-02-30", "2023-02-29",
                                   "2024-05-01T24:00:00Z", "2024-05-01T10:20:60Z",
                                   "0000-01-01", "２０２４-05-01", "2024-05-01t10:20:30z"])
def test_malformed_or_impossible_datestamps_are_refused(value: str) -> None:
    with pytest.raises(DatestampError):
        parse_utc(value)


@given(SECONDS)
def test_formatted_seconds_parse_back(moment: datetime) -> None:
    assert parse_utc(format_utc(moment)).start == moment


@given(SECONDS)
def test_epoch_round_trip(moment: datetime) -> None:
    assert from_epoch(to_epoch(moment)) == moment


def test_other_time_zones_are_shown_in_utc() -> None:
    jakarta = timezone(timedelta(hours=7))
    moment = datetime(2024, 1, 1, 6, 30, 15, 999, tzinfo=jakarta)
    assert format_utc(moment) == "2023-12-31T23:30:15Z"
    assert utc_second(moment) == datetime(2023, 12, 31, 23, 30, 15, tzinfo=UTC)
