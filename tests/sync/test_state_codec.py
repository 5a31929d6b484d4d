"""The branch state codec: versioned JSON that reads back exactly what was saved, and
refuses (with a clear error) anything else, a pickle above all."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest

from sync.branch import Branch
from sync.messages import RequesterAction, SupplierStatus
from sync.rota import LenderCandidate
from sync.state_codec import StateError, decode_state, encode_state
from tests.sync.helpers import NOW, FakeCatalogue, Wire


def _busy_pair() -> tuple[Branch, Branch]:
    catalogue = FakeCatalogue(
        works={"A/1": "w1", "A/2": "w1", "A/3": "w2"},
        owners={"A/1": "A", "A/2": "A", "A/3": "A"},
        lenders={"w1": [LenderCandidate("A", 2, 0.0, 0)]},
    )
    owner, borrower = Branch("A", catalogue, ["A/1", "A/2", "A/3"]), Branch("B", catalogue)
    wire = Wire(owner, borrower)
    wire.send("B", borrower.request_title("B:r1", "w1", NOW))
    wire.run()
    [leg_id] = owner.lending
    wire.send("A", owner.answer(leg_id, SupplierStatus.WILL_SUPPLY))
    wire.run()
    wire.send("A", owner.ship(leg_id, date(2025, 4, 1)))
    wire.run()
    wire.send("A", owner.propose_transfer("A:t1", "B", ["A/3"]))
    wire.run()
    return owner, borrower


def test_every_part_of_a_busy_branch_reads_back_equal() -> None:
    for branch in _busy_pair():
        state = branch.state()
        assert decode_state(encode_state(state)) == state


def test_a_restored_branch_goes_on_where_it_was() -> None:
    _, borrower = _busy_pair()
    again = Branch.restore("B", FakeCatalogue(), decode_state(encode_state(borrower.state())))
    [leg_id] = again.borrowing
    assert again.act(leg_id, RequesterAction.RECEIVED).refusal is None


def test_a_pickled_state_is_refused_not_unpickled() -> None:
    owner, _ = _busy_pair()
    with pytest.raises(StateError, match="not JSON"):
        decode_state(pickle.dumps(owner.state()))


def test_another_version_is_refused() -> None:
    with pytest.raises(StateError, match="version 99"):
        decode_state(b'{"version": 99}')


def test_a_damaged_entry_names_its_part() -> None:
    owner, _ = _busy_pair()
    text = encode_state(owner.state()).replace(b'"status":"reserved"', b'"status":"stolen"')
    with pytest.raises(StateError, match="custody"):
        decode_state(text)


def test_dates_and_instants_keep_their_values() -> None:
    _, borrower = _busy_pair()
    [walk] = borrower.rotas.values()
    restored = decode_state(encode_state(borrower.state()))
    assert restored["_rotas"][walk.request_id].asked_at == walk.asked_at
    assert walk.asked_at is not None and walk.asked_at - NOW == timedelta(0)
