"""A branch's side of the protocol: commands and messages keep custody, legs, rota and
transfers in step. Messages travel over an in-order wire here; disorder is tested elsewhere."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync.branch import Branch, LoanPolicy, Outcome
from sync.custody import CustodyStatus, Hold, HoldKind
from sync.loan_request import LoanPhase
from sync.messages import (
    Message,
    Request,
    RequesterAction,
    RequestingAgencyMessage,
    SupplierStatus,
    TransferAction,
    TransferMessage,
)
from sync.refusal import RefusalCode
from sync.rota import LenderCandidate, Patience, RotaStatus
from sync.transfer import TransferStatus
from tests.sync.helpers import NOW, FakeCatalogue, Wire

A = RequesterAction
C = CustodyStatus
DUE = date(2025, 3, 31)
WORKS = {"a1": "w1", "b1": "w1", "b2": "w2", "c1": "w1"}
OWNERS = {"a1": "A", "b1": "B", "b2": "B", "c1": "C"}


# Lenders here answer requests themselves (the per-branch automatic policy), so that each
# test can look at what follows; staff answering is tested on its own below.
AUTOMATIC = LoanPolicy(answer_requests=True)


def federation(
    lenders: list[str] | None = None, policy: LoanPolicy = AUTOMATIC
) -> tuple[Wire, dict[str, Branch]]:
    """Branches A, B, C, R (R holds nothing); title w1 is offered to R by ``lenders``."""
    order = lenders or ["A", "B", "C"]
    candidates = [LenderCandidate(b, 1, float(n), 0) for n, b in enumerate(order)]
    catalogue = FakeCatalogue(WORKS, OWNERS, {"w1": candidates})
    branches = {
        code: Branch(code, catalogue, [i for i, o in OWNERS.items() if o == code], policy)
        for code in ("A", "B", "C", "R")
    }
    return Wire(*branches.values()), branches


def test_two_requests_for_one_copy_are_decided_in_the_order_the_owner_sees_them() -> None:
    for first, second in (("R", "C"), ("C", "R")):
        wire, b = federation()
        wire.send(second, b[second].request_item(f"{second}:1", "a1", "A", NOW))
        wire.send(first, b[first].request_item(f"{first}:1", "a1", "A", NOW))
        # The wire is FIFO: the owner applies `second`'s request first.
        wire.run()
        assert b["A"].lending[f"{second}:1/1"].phase is LoanPhase.WILL_SUPPLY
        assert b["A"].lending[f"{first}:1/1"].phase is LoanPhase.RETRY_POSSIBLE
        assert b["A"].custody["a1"].hold == Hold(HoldKind.LOAN, f"{second}:1/1", second)


def test_an_item_request_to_a_branch_without_the_copy_is_unfilled() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "b1", "A", NOW))
    wire.run()
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.UNFILLED
    assert b["R"].rotas["R:1"].status is RotaStatus.UNFILLED


def test_a_title_request_walks_the_rota_until_a_lender_will_supply() -> None:
    wire, b = federation(["A", "B"])
    wire.send("B", b["B"].request_item("B:1", "a1", "A", NOW))  # A's only copy goes first
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.RETRY_POSSIBLE
    assert b["R"].borrowing["R:1/2"].phase is LoanPhase.WILL_SUPPLY
    assert b["R"].borrowing["R:1/2"].item_id == "b1"
    assert b["R"].rotas["R:1"].status is RotaStatus.SUPPLIED


def test_at_the_end_of_the_rota_the_requester_gets_unfilled() -> None:
    wire, b = federation(["R", "B"])  # the requester is never its own lender
    b["B"].declare_lost("b1")  # B's only copy of w1 is written off
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.UNFILLED
    assert b["R"].rotas["R:1"].status is RotaStatus.UNFILLED


def test_a_silent_lender_is_passed_over_and_its_late_answer_cancelled() -> None:
    wire, b = federation(["A", "B"])
    patience = Patience(silence=timedelta(days=2))
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    held_for_a = wire.queue.pop()  # A is offline: the request waits at the hub
    later = NOW + timedelta(days=3)
    wire.send("R", b["R"].pass_over_late(later, {"A": NOW - timedelta(days=5)}, patience))
    cancel_for_a = wire.queue.pop(0)
    assert cancel_for_a.body == RequestingAgencyMessage(A.CANCEL)
    wire.run(later)
    assert b["R"].rotas["R:1"].status is RotaStatus.SUPPLIED  # B supplied
    # A comes back online: it applies the request, then the cancel, in order.
    wire.queue = [held_for_a, cancel_for_a]
    wire.run(later)
    assert b["A"].lending["R:1/1"].phase is LoanPhase.CANCELLED
    assert b["A"].custody["a1"].status is C.ON_SHELF
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.CANCELLED
    assert b["R"].rotas["R:1"].status is RotaStatus.SUPPLIED


def test_a_lender_not_yet_late_is_waited_for() -> None:
    wire, b = federation(["A", "B"])
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    outcome = b["R"].pass_over_late(NOW + timedelta(days=1), {}, Patience(timedelta(days=2)))
    assert outcome.drafts == ()


def test_custody_follows_the_loan_at_the_owner() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    seen = [b["A"].custody["a1"].status]
    wire.send("A", b["A"].ship("R:1/1", DUE))
    wire.run()
    seen.append(b["A"].custody["a1"].status)
    for action in (A.RECEIVED, A.LENT_TO_PATRON, A.RETURNED_BY_PATRON, A.SHIPPED_RETURN):
        wire.send("R", b["R"].act("R:1/1", action))
        wire.run()
        seen.append(b["A"].custody["a1"].status)
    wire.send("A", b["A"].check_in("R:1/1"))
    wire.run()
    seen.append(b["A"].custody["a1"].status)
    assert seen == [
        C.RESERVED, C.IN_TRANSIT, C.AT_BORROWER, C.ON_LOAN, C.AT_BORROWER, C.IN_TRANSIT_BACK,
        C.ON_SHELF,
    ]  # fmt: skip
    assert b["R"].borrowing["R:1/1"] == b["A"].lending["R:1/1"]
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.COMPLETED


def test_a_cancel_before_shipping_frees_the_copy() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("R", b["R"].cancel_request("R:1"))
    wire.run()
    assert b["A"].custody["a1"].status is C.ON_SHELF
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.CANCELLED
    assert b["R"].rotas["R:1"].status is RotaStatus.CANCELLED


def test_a_cancel_crossing_the_shipment_leaves_the_copy_on_its_way() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("R", b["R"].cancel_request("R:1"))
    wire.send("A", b["A"].ship("R:1/1", DUE))
    wire.run()
    assert b["A"].custody["a1"].status is C.IN_TRANSIT
    assert b["R"].borrowing["R:1/1"] == b["A"].lending["R:1/1"]
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.SHIPPED


def test_a_patron_cancelling_after_shipment_sends_no_cancel() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].ship("R:1/1", DUE))
    wire.run()
    assert b["R"].cancel_request("R:1").drafts == ()
    assert b["R"].rotas["R:1"].status is RotaStatus.CANCELLED


def test_staff_cancel_through_the_patron_request_not_the_leg() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    refusal = b["R"].act("R:1/1", A.CANCEL).refusal
    assert refusal is not None and refusal.code is RefusalCode.NOT_PERMITTED


def test_renewals_are_granted_automatically_up_to_the_policy() -> None:
    wire, b = federation(policy=LoanPolicy(renewal_days=7, max_renewals=1, answer_requests=True))
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].ship("R:1/1", DUE))
    wire.run()
    for _ in range(2):
        wire.send("R", b["R"].act("R:1/1", A.RENEW))
        wire.run(NOW)
    leg = b["R"].borrowing["R:1/1"]
    assert (leg.due, leg.renewals) == (DUE + timedelta(days=7), 1)
    assert leg == b["A"].lending["R:1/1"]


def test_the_owner_tells_borrowers_whose_loans_are_past_due() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].ship("R:1/1", DUE))
    wire.run()
    assert wire.send("A", b["A"].mark_overdue(DUE)).drafts == ()
    wire.send("A", b["A"].mark_overdue(DUE + timedelta(days=1)))
    wire.run()
    assert b["R"].borrowing["R:1/1"].overdue


def test_a_copy_written_off_on_loan_ends_the_loan_and_can_turn_up_again() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].ship("R:1/1", DUE))
    wire.run()
    wire.send("R", b["R"].act("R:1/1", A.RECEIVED))
    wire.send("A", b["A"].declare_lost("a1"))
    wire.run()
    assert b["A"].custody["a1"].status is C.LOST
    assert b["R"].borrowing["R:1/1"].phase is b["A"].lending["R:1/1"].phase is LoanPhase.LOST
    b["A"].find("a1")
    assert b["A"].custody["a1"].status is C.ON_SHELF


def test_a_reserved_copy_found_missing_is_unfilled_and_the_rota_moves_on() -> None:
    wire, b = federation(["A", "B"])
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    wire.send("A", b["A"].declare_lost("a1"))
    wire.run()
    assert b["A"].custody["a1"].status is C.LOST
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.UNFILLED
    assert b["R"].borrowing["R:1/2"].phase is LoanPhase.WILL_SUPPLY


def test_a_transfer_moves_ownership_on_receipt() -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1", "b2"]))
    wire.run()
    assert b["B"].custody["b1"].hold == Hold(HoldKind.TRANSFER, "B:t1", "C")
    wire.send("C", b["C"].accept_transfer("B:t1"))
    wire.run()
    wire.send("B", b["B"].ship_transfer("B:t1"))
    wire.run()
    assert b["B"].custody["b2"].status is C.IN_TRANSIT
    wire.send("C", b["C"].receive_transfer("B:t1", ["b1", "b2"]))
    wire.run()
    assert "b1" not in b["B"].custody and "b2" not in b["B"].custody
    assert b["C"].custody["b1"].owner == "C" and b["C"].custody["b1"].status is C.ON_SHELF
    assert b["B"].transfers["B:t1"] == b["C"].transfers["B:t1"]
    assert b["C"].transfers["B:t1"].status is TransferStatus.RECEIVED


def test_a_batch_received_in_parts_hands_over_each_part() -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1", "b2"]))
    wire.run()
    wire.send("C", b["C"].accept_transfer("B:t1"))
    wire.run()
    wire.send("B", b["B"].ship_transfer("B:t1"))
    wire.run()
    wire.send("C", b["C"].receive_transfer("B:t1", ["b2"]))
    wire.run()
    assert "b2" not in b["B"].custody and b["B"].custody["b1"].status is C.IN_TRANSIT
    assert b["C"].transfers["B:t1"].outstanding == ("b1",)


@pytest.mark.parametrize("call_off", ["withdraw", "decline"])
def test_a_transfer_called_off_frees_the_items(call_off: str) -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1"]))
    wire.run()
    if call_off == "withdraw":
        wire.send("B", b["B"].withdraw_transfer("B:t1"))
    else:
        wire.send("C", b["C"].decline_transfer("B:t1"))
    wire.run()
    assert b["B"].custody["b1"].status is C.ON_SHELF
    assert b["B"].transfers["B:t1"] == b["C"].transfers["B:t1"]


def test_a_withdrawal_crossing_an_acceptance_frees_the_items_on_both_sides() -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1"]))
    wire.run()
    wire.send("C", b["C"].accept_transfer("B:t1"))
    wire.send("B", b["B"].withdraw_transfer("B:t1"))
    wire.run()
    assert b["B"].custody["b1"].status is C.ON_SHELF
    assert b["B"].transfers["B:t1"] == b["C"].transfers["B:t1"]
    assert b["C"].transfers["B:t1"].status is TransferStatus.WITHDRAWN
    assert [r.code for _, r in wire.refusals] == [RefusalCode.INVALID_TRANSITION]


def test_a_source_cannot_withdraw_what_was_declined() -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1"]))
    wire.run()
    wire.send("C", b["C"].decline_transfer("B:t1"))
    wire.run()
    assert b["B"].withdraw_transfer("B:t1").refusal is not None


def test_items_out_on_loan_cannot_be_transferred_and_none_are_reserved() -> None:
    wire, b = federation()
    wire.send("R", b["R"].request_item("R:1", "b1", "B", NOW))
    wire.run()
    outcome = b["B"].propose_transfer("B:t1", "C", ["b2", "b1"])
    assert outcome.refusal is not None and outcome.drafts == ()
    assert b["B"].custody["b2"].status is C.ON_SHELF
    assert "B:t1" not in b["B"].transfers


def test_only_the_destination_accepts_and_only_the_source_ships() -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1"]))
    wire.run()
    assert b["B"].accept_transfer("B:t1").refusal is not None
    assert b["C"].ship_transfer("B:t1").refusal is not None


def test_a_transfer_message_from_the_wrong_side_is_refused() -> None:
    wire, b = federation()
    wire.send("B", b["B"].propose_transfer("B:t1", "C", ["b1"]))
    wire.run()
    forged = Message("C", 99, "B", "B:t1", TransferMessage(TransferAction.WITHDRAW))
    refusal = b["B"].apply(forged, NOW).refusal
    assert refusal is not None and refusal.code is RefusalCode.NOT_PERMITTED


def test_ids_are_minted_in_the_branch_s_own_namespace_once() -> None:
    _, b = federation()

    def code_of(outcome: Outcome) -> RefusalCode | None:
        return None if outcome.refusal is None else outcome.refusal.code

    assert code_of(b["R"].request_title("A:1", "w1", NOW)) is RefusalCode.FOREIGN_ID
    assert code_of(b["R"].request_title("R:1/2", "w1", NOW)) is RefusalCode.FOREIGN_ID
    b["R"].request_title("R:1", "w1", NOW)
    assert code_of(b["R"].request_title("R:1", "w1", NOW)) is RefusalCode.DUPLICATE_ID
    assert code_of(b["B"].propose_transfer("C:t1", "C", ["b1"])) is RefusalCode.FOREIGN_ID


def test_a_message_for_another_branch_is_refused() -> None:
    _, b = federation()
    message = Message("R", 1, "B", "R:1/1", Request(item_id="a1"))
    refusal = b["A"].apply(message, NOW).refusal
    assert refusal is not None and refusal.code is RefusalCode.NOT_PERMITTED


# The lender's staff answer ----------------------------------------------------------------


def staffed() -> tuple[Wire, dict[str, Branch]]:
    """The federation with lenders whose staff answer requests (the default policy)."""
    return federation(policy=LoanPolicy())


def test_a_request_waits_for_the_lenders_staff_with_nothing_reserved() -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    assert b["A"].lending["R:1/1"].phase is LoanPhase.REQUESTED
    assert b["A"].custody["a1"].status is C.ON_SHELF
    assert b["R"].rotas["R:1"].status is RotaStatus.ASKING


def test_staff_answering_will_supply_reserve_a_copy_and_tell_the_requester() -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    wire.send("A", b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY))
    wire.run()
    assert b["A"].custody["a1"].hold == Hold(HoldKind.LOAN, "R:1/1", "R")
    assert b["R"].borrowing["R:1/1"].item_id == "a1"
    assert b["R"].rotas["R:1"].status is RotaStatus.SUPPLIED


@pytest.mark.parametrize("status", [SupplierStatus.UNFILLED, SupplierStatus.RETRY_POSSIBLE])
def test_staff_declining_send_the_request_to_the_next_lender(status: SupplierStatus) -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    wire.send("A", b["A"].answer("R:1/1", status))
    wire.run()
    assert b["R"].rotas["R:1"].position == 1
    assert b["B"].lending["R:1/2"].phase is LoanPhase.REQUESTED
    assert b["A"].custody["a1"].status is C.ON_SHELF


def test_will_supply_without_a_copy_on_the_shelf_is_refused_and_changes_nothing() -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.send("C", b["C"].request_item("C:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY))
    refused = b["A"].answer("C:1/1", SupplierStatus.WILL_SUPPLY)
    assert refused.refusal is not None and not refused.drafts
    assert b["A"].lending["C:1/1"].phase is LoanPhase.REQUESTED


def test_a_copy_named_by_staff_must_be_one_asked_for() -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    refused = b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY, "zz9")
    assert refused.refusal is not None and refused.refusal.code is RefusalCode.UNKNOWN_ITEM


def test_a_lender_whose_staff_never_answer_is_passed_over_at_the_deadline() -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    patience = Patience(silence=timedelta(days=2), limit=timedelta(days=7))
    # A keeps syncing (heard from every day) but nobody answers: the limit passes it over.
    late = NOW + timedelta(days=7)
    wire.send("R", b["R"].pass_over_late(late, {"A": late}, patience))
    wire.run(late)
    assert b["A"].lending["R:1/1"].phase is LoanPhase.CANCELLED
    assert b["B"].lending["R:1/2"].phase is LoanPhase.REQUESTED
    # A's staff answering afterwards is refused: the request is no longer theirs to fill.
    assert b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY).refusal is not None


def test_an_answer_crossing_the_requesters_cancel_frees_the_copy_on_both_sides() -> None:
    wire, b = staffed()
    wire.send("R", b["R"].request_title("R:1", "w1", NOW))
    wire.run()
    wire.send("A", b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY))
    wire.send("R", b["R"].cancel_request("R:1"))
    wire.run()
    assert b["A"].custody["a1"].status is C.ON_SHELF
    assert b["A"].lending["R:1/1"].phase is LoanPhase.CANCELLED
    assert b["R"].borrowing["R:1/1"].phase is LoanPhase.CANCELLED
