"""Stateless resumption tokens: they carry the list position, and any change to them,
or a token made with another secret, is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from union.feed.tokens import BadToken, ListPosition, decode_token, encode_token

SECRET = b"0123456789abcdef0123456789abcdef"
STAMPS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1),
                      timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))
SPECS = st.from_regex(r"[A-Za-z0-9_.!~*'()-]+(:[A-Za-z0-9_.!~*'()-]+)*", fullmatch=True)
POSITIONS = st.builds(
    ListPosition,
    verb=st.sampled_from(["ListIdentifiers", "ListRecords"]),
    metadata_prefix=st.sampled_from(["oai_dc", "marc21"]),
    from_=st.none() | STAMPS,
    until=STAMPS,
    set_spec=st.none() | SPECS,
    after=st.tuples(STAMPS, st.text(min_size=1, max_size=40)),
    cursor=st.integers(0, 10**9),
    complete_list_size=st.integers(1, 10**9),
)
POSITION = ListPosition(
    verb="ListRecords", metadata_prefix="marc21", from_=None,
    until=datetime(2024, 3, 1, tzinfo=UTC), set_spec="branch:KOTA",
    after=(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "w00123"), cursor=200,
    complete_list_size=1234,
)


@given(POSITIONS)
def test_a_token_carries_its_position(position: ListPosition) -> None:
    assert decode_token(encode_token(position, SECRET), SECRET) == position


@given(st.data())
def test_any_changed_character_is_refused(data: st.DataObject) -> None:
    token = encode_token(POSITION, SECRET)
    index = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ~"))
    altered = token[:index] + replacement + token[index + 1:]
    if altered != token:
        with pytest.raises(BadToken):
            decode_token(altered, SECRET)


def test_a_token_from_another_secret_is_refused() -> None:
    token = encode_token(POSITION, b"another secret, just as long...!")
    with pytest.raises(BadToken):
        decode_token(token, SECRET)


@pytest.mark.parametrize("cut", [1, 5, 23])
def test_a_truncated_token_is_refused(cut: int) -> None:
    token = encode_token(POSITION, SECRET)
    with pytest.raises(BadToken):
        decode_token(token[:-cut], SECRET)


@pytest.mark.parametrize("token", ["", ".", "abc", "a.b", "x" * 5000, "é.é"])
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(BadToken):
        decode_token(token, SECRET)


def test_tokens_are_url_safe() -> None:
    token = encode_token(POSITION, SECRET)
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in token)
