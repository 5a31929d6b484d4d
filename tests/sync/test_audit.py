"""Audit: an append-only, hash-chained log per branch, and its verification."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from sync.audit import GENESIS, AuditEntry, append, message_record, verify
from sync.messages import Message, RequesterAction, RequestingAgencyMessage
from sync.refusal import Refusal, RefusalCode
from sync.signing import SignedMessage


def chain(n: int, branch: str = "A") -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        entries.append(append(branch, entries[-1] if entries else None, {"n": i}))
    return entries


def test_the_first_entry_follows_the_genesis_hash() -> None:
    first = append("A", None, {"n": 0})
    assert (first.index, first.prev_hash) == (0, GENESIS)


def test_an_unbroken_chain_verifies() -> None:
    assert verify(chain(5), "A") is None


def test_an_empty_log_verifies() -> None:
    assert verify([], "A") is None


def test_an_edited_record_is_found() -> None:
    entries = chain(5)
    entries[2] = replace(entries[2], record='{"n":99}')
    broken = verify(entries, "A")
    assert broken is not None and broken.index == 2 and broken.reason == "altered"


def test_an_edited_record_with_its_hash_recomputed_breaks_the_next_link() -> None:
    entries = chain(5)
    entries[2] = append("A", entries[1], {"n": 99})
    broken = verify(entries, "A")
    assert broken is not None and broken.index == 3


def test_a_removed_entry_is_found() -> None:
    entries = chain(5)
    del entries[3]
    broken = verify(entries, "A")
    assert broken is not None and broken.index == 3


def test_reordered_entries_are_found() -> None:
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    assert verify(entries, "A") is not None


def test_another_branch_s_log_does_not_pass_as_this_one() -> None:
    broken = verify(chain(3, "B"), "A")
    assert broken is not None and broken.index == 0


def test_a_log_is_verified_in_pieces_from_a_trusted_entry() -> None:
    entries = chain(6)
    assert verify(entries[3:], "A", after=entries[2]) is None
    assert verify(entries[4:], "A", after=entries[2]) is not None


def test_records_are_stored_as_canonical_json() -> None:
    entry = append("A", None, {"b": 1, "a": [1, 2]})
    assert entry.record == '{"a":[1,2],"b":1}'


@given(st.data())
def test_any_single_character_change_anywhere_is_found(data: st.DataObject) -> None:
    entries = chain(4)
    index = data.draw(st.integers(0, 3))
    field = data.draw(st.sampled_from(["prev_hash", "record", "hash"]))
    text = getattr(entries[index], field)
    position = data.draw(st.integers(0, len(text) - 1))
    new = data.draw(st.characters(codec="ascii").filter(lambda c: c != text[position]))
    damaged = text[:position] + new + text[position + 1 :]
    entries[index] = replace(entries[index], **{field: damaged})
    assert verify(entries, "A") is not None


def test_a_message_record_says_what_was_done_with_the_message() -> None:
    message = Message("B", 4, "A", "B:1/1", RequestingAgencyMessage(RequesterAction.RECEIVED))
    signed = SignedMessage(message, b"\x01\x02")
    applied = message_record("in", signed)
    refused = message_record("in", signed, Refusal(RefusalCode.INVALID_TRANSITION, "late"))
    assert applied["outcome"] == "applied" and applied["signature"] == "0102"
    assert (refused["outcome"], refused["detail"]) == ("invalid_transition", "late")
    assert applied["message"] == message.to_dict()
