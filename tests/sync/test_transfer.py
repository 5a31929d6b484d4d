"""Permanent transfers: proposed, accepted, shipped, received; and the crossings."""

from __future__ import annotations

from typing import TypeVar

import pytest

from sync import transfer as tr
from sync.messages import TransferAction
from sync.refusal import Refusal, RefusalCode
from sync.transfer import FINAL, Transfer, TransferStatus

T = TypeVar("T")
X = TransferAction
S = TransferStatus


def ok(result: T | Refusal) -> T:
    assert not isinstance(result, Refusal), result
    return result


def proposal(*items: str) -> Transfer:
    return ok(tr.propose("A:t1", "A", "B", items or ("i1", "i2")))


def test_a_batch_goes_proposed_accepted_shipped_received() -> None:
    moving = proposal()
    for action, status in ((X.ACCEPT, S.ACCEPTED), (X.SHIPPED, S.SHIPPED)):
        moving = ok(tr.apply(moving, action))
        assert moving.status is status
    moving = ok(tr.apply(moving, X.RECEIVED, ("i1", "i2")))
    assert moving.status is S.RECEIVED and moving.outstanding == ()


def test_a_batch_may_arrive_in_parts() -> None:
    moving = ok(tr.apply(ok(tr.apply(proposal("i1", "i2", "i3"), X.ACCEPT)), X.SHIPPED))
    moving = ok(tr.apply(moving, X.RECEIVED, ("i2",)))
    assert moving.status is S.SHIPPED and moving.outstanding == ("i1", "i3")
    moving = ok(tr.apply(moving, X.RECEIVED, ("i3", "i1")))
    assert moving.status is S.RECEIVED


def test_an_item_cannot_be_received_twice_or_from_outside_the_batch() -> None:
    moving = ok(tr.apply(ok(tr.apply(proposal(), X.ACCEPT)), X.SHIPPED))
    moving = ok(tr.apply(moving, X.RECEIVED, ("i1",)))
    assert isinstance(tr.apply(moving, X.RECEIVED, ("i1",)), Refusal)
    assert isinstance(tr.apply(moving, X.RECEIVED, ("i9",)), Refusal)
    assert isinstance(tr.apply(moving, X.RECEIVED, ()), Refusal)


def test_nothing_is_received_before_it_is_shipped() -> None:
    accepted = ok(tr.apply(proposal(), X.ACCEPT))
    assert isinstance(tr.apply(accepted, X.RECEIVED, ("i1",)), Refusal)


@pytest.mark.parametrize(
    ("items", "destination"),
    [((), "B"), (("i1", "i1"), "B"), (("i1",), "A")],
)
def test_a_proposal_is_a_batch_of_distinct_items_for_another_branch(
    items: tuple[str, ...], destination: str
) -> None:
    refused = tr.propose("A:t1", "A", destination, items)
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.MALFORMED


def test_a_withdrawal_crossing_an_acceptance_leaves_both_sides_withdrawn() -> None:
    source = ok(tr.apply(proposal(), X.WITHDRAW))
    destination = ok(tr.apply(proposal(), X.ACCEPT))
    assert isinstance(tr.apply(source, X.ACCEPT), Refusal)  # the source's word stands
    destination = ok(tr.apply(destination, X.WITHDRAW))
    assert source == destination and source.status is S.WITHDRAWN


def test_a_withdrawal_crossing_a_decline_leaves_both_sides_withdrawn() -> None:
    source = ok(tr.apply(proposal(), X.WITHDRAW))
    destination = ok(tr.apply(proposal(), X.DECLINE))
    assert isinstance(tr.apply(source, X.DECLINE), Refusal)
    destination = ok(tr.apply(destination, X.WITHDRAW))
    assert source == destination and source.status is S.WITHDRAWN


def test_a_shipped_transfer_can_no_longer_be_withdrawn() -> None:
    shipped = ok(tr.apply(ok(tr.apply(proposal(), X.ACCEPT)), X.SHIPPED))
    assert isinstance(tr.apply(shipped, X.WITHDRAW), Refusal)


@pytest.mark.parametrize("status", sorted(FINAL))
def test_final_states_stay_final(status: TransferStatus) -> None:
    done = Transfer("A:t1", "A", "B", ("i1",), status, frozenset({"i1"}))
    for action in TransferAction:
        assert isinstance(tr.apply(done, action, ("i1",)), Refusal)


def test_a_declined_transfer_can_only_become_withdrawn() -> None:
    declined = ok(tr.apply(proposal(), X.DECLINE))
    for action in TransferAction:
        result = tr.apply(declined, action, ("i1",))
        assert isinstance(result, Refusal) or result.status is S.WITHDRAWN
