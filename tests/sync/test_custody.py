"""Custody: the owner's pure transition function for where one copy is."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from sync.custody import Custody, CustodyEvent, CustodyStatus, Hold, HoldKind, apply
from sync.refusal import Refusal, RefusalCode

E, S = CustodyEvent, CustodyStatus
LOAN = Hold(HoldKind.LOAN, "B:1/1", "B")
OTHER_LOAN = Hold(HoldKind.LOAN, "C:4/1", "C")
MOVE = Hold(HoldKind.TRANSFER, "A:t1", "B")
SHELF = Custody("i1", "A")


def run(custody: Custody | Refusal, *steps: tuple[CustodyEvent, Hold | None]) -> Custody | Refusal:
    result: Custody | Refusal = custody
    for event, hold in steps:
        assert isinstance(result, Custody), result
        result = apply(result, event, hold)
    return result


def test_a_loan_goes_round_from_shelf_to_shelf() -> None:
    seen = []
    custody: Custody | Refusal = SHELF
    for event in (E.RESERVE, E.SHIP, E.RECEIVE, E.LEND, E.PATRON_RETURN, E.SHIP_RETURN, E.CHECK_IN):
        assert isinstance(custody, Custody)
        custody = apply(custody, event, LOAN)
        assert isinstance(custody, Custody)
        seen.append(custody.status)
    assert seen == [
        S.RESERVED, S.IN_TRANSIT, S.AT_BORROWER, S.ON_LOAN, S.AT_BORROWER, S.IN_TRANSIT_BACK,
        S.ON_SHELF,
    ]  # fmt: skip
    assert custody == SHELF


def test_a_reserved_copy_is_released_to_the_shelf() -> None:
    assert run(SHELF, (E.RESERVE, LOAN), (E.RELEASE, LOAN)) == SHELF


def test_a_copy_held_for_one_request_cannot_be_reserved_for_another() -> None:
    refused = run(SHELF, (E.RESERVE, LOAN), (E.RESERVE, OTHER_LOAN))
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.INVALID_TRANSITION


def test_an_event_for_another_hold_is_refused() -> None:
    assert isinstance(run(SHELF, (E.RESERVE, LOAN), (E.SHIP, OTHER_LOAN)), Refusal)


def test_an_event_for_a_finished_loan_is_refused() -> None:
    back = run(SHELF, (E.RESERVE, LOAN), (E.RELEASE, LOAN))
    assert isinstance(run(back, (E.SHIP, LOAN)), Refusal)


def test_reserve_needs_a_hold() -> None:
    assert isinstance(apply(SHELF, E.RESERVE, None), Refusal)


def test_a_transfer_received_moves_ownership_and_shelves_the_copy() -> None:
    moved = run(SHELF, (E.RESERVE, MOVE), (E.SHIP, MOVE), (E.RECEIVE, MOVE))
    assert moved == Custody("i1", "B", S.ON_SHELF, None)


def test_a_transferred_copy_never_visits_a_patron() -> None:
    arrived = run(SHELF, (E.RESERVE, MOVE), (E.SHIP, MOVE))
    assert isinstance(run(arrived, (E.RECEIVE, MOVE), (E.LEND, None)), Refusal)
    reserved = run(SHELF, (E.RESERVE, MOVE))
    assert isinstance(run(reserved, (E.CHECK_IN, MOVE)), Refusal)


@pytest.mark.parametrize(
    "steps",
    [
        (),
        ((E.RESERVE, LOAN),),
        ((E.RESERVE, LOAN), (E.SHIP, LOAN)),
        ((E.RESERVE, LOAN), (E.SHIP, LOAN), (E.RECEIVE, LOAN), (E.LEND, LOAN)),
    ],
)
def test_the_owner_can_write_off_a_copy_on_the_shelf_or_on_loan(steps: tuple) -> None:
    custody = run(SHELF, *steps)
    assert isinstance(custody, Custody)
    lost = apply(custody, E.LOSE, custody.hold)
    assert lost == Custody("i1", "A", S.LOST, None)


def test_a_copy_shipped_for_a_transfer_cannot_be_written_off_by_its_source() -> None:
    assert isinstance(run(SHELF, (E.RESERVE, MOVE), (E.SHIP, MOVE), (E.LOSE, MOVE)), Refusal)


def test_a_written_off_copy_that_turns_up_goes_back_on_the_shelf() -> None:
    assert run(SHELF, (E.LOSE, None), (E.FIND, None)) == SHELF
    assert isinstance(run(SHELF, (E.LOSE, None), (E.LOSE, None)), Refusal)


def test_a_refusal_names_the_copy_and_the_event() -> None:
    refused = apply(SHELF, E.SHIP, None)
    assert isinstance(refused, Refusal) and refused.detail.startswith("i1: ship")


class CustodyMachine(RuleBasedStateMachine):
    """Any event with any hold, in any order: the copy stays in exactly one coherent state."""

    def __init__(self) -> None:
        super().__init__()
        self.custody = SHELF
        self.holds_granted: list[Hold] = []

    @rule(
        event=st.sampled_from(CustodyEvent),
        hold=st.sampled_from([None, LOAN, OTHER_LOAN, MOVE, Hold(HoldKind.TRANSFER, "A:t2", "C")]),
    )
    def happen(self, event: CustodyEvent, hold: Hold | None) -> None:
        before = self.custody
        result = apply(before, event, hold)
        if isinstance(result, Refusal):
            return
        if event is E.RESERVE:
            assert before.status is S.ON_SHELF and hold is not None
            self.holds_granted.append(hold)
        elif before.hold is not None:
            # Only the current hold moves a held copy.
            assert hold == before.hold
        self.custody = result

    @invariant()
    def held_exactly_when_out_of_the_owner_s_free_hands(self) -> None:
        free = self.custody.status in (S.ON_SHELF, S.LOST)
        assert free == (self.custody.hold is None)

    @invariant()
    def only_a_transfer_changes_the_owner(self) -> None:
        transfers = {h.branch for h in self.holds_granted if h.kind is HoldKind.TRANSFER}
        assert self.custody.owner in {"A"} | transfers

    @invariant()
    def a_held_copy_is_held_by_the_last_hold_granted(self) -> None:
        if self.custody.hold is not None:
            assert self.custody.hold == self.holds_granted[-1]


TestCustody = CustodyMachine.TestCase
