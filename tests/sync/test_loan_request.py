"""Loan request legs: the supplier's and the requester's copies, and how they converge."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TypeVar

import pytest

from sync import loan_request as lr
from sync.loan_request import TERMINAL, Leg, LoanPhase
from sync.messages import (
    ReasonForMessage,
    Request,
    RequesterAction,
    SupplierStatus,
    SupplyingAgencyMessage,
)
from sync.refusal import Refusal

T = TypeVar("T")
A = RequesterAction
P = LoanPhase
WANT = Request(work_id="w1")
DUE = date(2025, 4, 1)


def ok(result: T | Refusal) -> T:
    assert not isinstance(result, Refusal), result
    return result


def answered(
    result: tuple[Leg, SupplyingAgencyMessage | None] | Refusal,
) -> tuple[Leg, SupplyingAgencyMessage]:
    """The supplier's leg and its reply to an action that must be answered."""
    leg, reply = ok(result)
    assert reply is not None
    return leg, reply


def opened() -> tuple[Leg, Leg]:
    """Requester and supplier copies after the supplier answered WillSupply."""
    requester = lr.open_request("B:1/1", "B", "A", WANT)
    waiting = lr.receive_request("B:1/1", "B", "A", WANT)
    supplier, reply = ok(lr.answer(waiting, SupplierStatus.WILL_SUPPLY, "i1"))
    return ok(lr.receive_status(requester, reply)), supplier


def requester_does(requester: Leg, supplier: Leg, action: RequesterAction) -> tuple[Leg, Leg]:
    """The requester acts and the supplier applies the action; the reply comes back."""
    requester = ok(lr.act(requester, action))
    supplier, reply = ok(lr.receive_action(supplier, action, DUE))
    if reply is not None:
        requester = ok(lr.receive_status(requester, reply))
    return requester, supplier


def supplier_does(requester: Leg, result: lr.Reply | Refusal) -> tuple[Leg, Leg]:
    supplier, reply = ok(result)
    return ok(lr.receive_status(requester, reply)), supplier


def shared(leg: Leg) -> Leg:
    return replace(leg, cancel_pending=False, renew_pending=False)


def test_a_loan_runs_its_whole_course_and_both_sides_agree() -> None:
    requester, supplier = opened()
    assert requester.phase is supplier.phase is P.WILL_SUPPLY
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    assert requester.phase is P.SHIPPED and requester.due == DUE
    for action in (A.RECEIVED, A.LENT_TO_PATRON, A.RETURNED_BY_PATRON, A.SHIPPED_RETURN):
        requester, supplier = requester_does(requester, supplier, action)
        assert requester.phase is supplier.phase
    requester, supplier = supplier_does(requester, lr.check_in(supplier))
    assert requester == supplier and requester.phase is P.COMPLETED


@pytest.mark.parametrize(
    ("answer", "phase"),
    [(SupplierStatus.UNFILLED, P.UNFILLED), (SupplierStatus.RETRY_POSSIBLE, P.RETRY_POSSIBLE)],
)
def test_a_supplier_that_cannot_supply_says_so(answer: SupplierStatus, phase: LoanPhase) -> None:
    requester = lr.open_request("B:1/1", "B", "A", WANT)
    supplier, reply = ok(lr.answer(lr.receive_request("B:1/1", "B", "A", WANT), answer))
    assert supplier.phase is phase
    assert ok(lr.receive_status(requester, reply)) == supplier


def test_an_answer_other_than_willsupply_unfilled_or_retrypossible_is_a_programming_error() -> None:
    waiting = lr.receive_request("B:1/1", "B", "A", WANT)
    with pytest.raises(ValueError):
        lr.answer(waiting, SupplierStatus.LOANED, "i1")
    with pytest.raises(ValueError):
        lr.answer(waiting, SupplierStatus.WILL_SUPPLY)


def test_a_request_waits_on_the_suppliers_side_until_answered_once() -> None:
    waiting = lr.receive_request("B:1/1", "B", "A", WANT)
    assert waiting.phase is P.REQUESTED
    answered, _ = ok(lr.answer(waiting, SupplierStatus.UNFILLED))
    assert isinstance(lr.answer(answered, SupplierStatus.WILL_SUPPLY, "i1"), Refusal)


def test_a_cancel_of_a_request_still_waiting_is_granted() -> None:
    waiting = lr.receive_request("B:1/1", "B", "A", WANT)
    cancelled, reply = ok(lr.receive_action(waiting, A.CANCEL))
    assert cancelled.phase is P.CANCELLED and reply is not None and reply.answer is True


def test_a_cancel_before_shipping_cancels_on_both_sides() -> None:
    requester, supplier = opened()
    requester, supplier = requester_does(requester, supplier, A.CANCEL)
    assert requester.phase is supplier.phase is P.CANCELLED
    assert not requester.cancel_pending


def test_a_cancel_that_crosses_the_shipment_is_refused_and_the_loan_goes_on() -> None:
    requester, supplier = opened()
    requester = ok(lr.act(requester, A.CANCEL))  # sent, not yet arrived
    supplier, loaned = ok(lr.ship(supplier, DUE))
    supplier, answer = answered(lr.receive_action(supplier, A.CANCEL))
    assert answer.answer is False and supplier.phase is P.SHIPPED
    requester = ok(lr.receive_status(requester, loaned))
    requester = ok(lr.receive_status(requester, answer))
    assert requester == supplier and requester.phase is P.SHIPPED


def test_a_cancel_that_crosses_an_unfilled_ends_unfilled_on_both_sides() -> None:
    requester, supplier = opened()
    requester = ok(lr.act(requester, A.CANCEL))
    supplier, unfilled = ok(lr.unfill(supplier))
    supplier, answer = answered(lr.receive_action(supplier, A.CANCEL))
    for message in (unfilled, answer):
        requester = ok(lr.receive_status(requester, message))
    assert requester == supplier and requester.phase is P.UNFILLED


def test_cancel_is_asked_only_once_and_only_before_shipping() -> None:
    requester, supplier = opened()
    pending = ok(lr.act(requester, A.CANCEL))
    assert isinstance(lr.act(pending, A.CANCEL), Refusal)
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    assert isinstance(lr.act(requester, A.CANCEL), Refusal)


def test_a_renewal_granted_moves_the_due_date_on_both_sides() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester, supplier = requester_does(requester, supplier, A.RENEW)
    assert requester == supplier
    assert (requester.due, requester.renewals) == (DUE, 1)


def test_a_renewal_is_refused_when_the_policy_allows_no_more() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester = ok(lr.act(requester, A.RENEW))
    supplier, answer = answered(lr.receive_action(supplier, A.RENEW, renewal_due=None))
    assert answer.answer is False
    requester = ok(lr.receive_status(requester, answer))
    assert requester == supplier and requester.renewals == 0


def test_a_recalled_loan_cannot_be_renewed_or_lent_to_a_patron() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester, supplier = requester_does(requester, supplier, A.RECEIVED)
    requester, supplier = supplier_does(requester, lr.recall(supplier))
    assert requester.recalled and lr.status_of(supplier) is SupplierStatus.RECALLED
    assert isinstance(lr.act(requester, A.RENEW), Refusal)
    assert isinstance(lr.act(requester, A.LENT_TO_PATRON), Refusal)
    _, answer = answered(lr.receive_action(supplier, A.RENEW, DUE))
    assert answer.answer is False


def test_a_renew_that_crosses_a_recall_is_refused_by_the_supplier() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester = ok(lr.act(requester, A.RENEW))
    supplier, recalled = ok(lr.recall(supplier))
    supplier, answer = answered(lr.receive_action(supplier, A.RENEW, DUE))
    for message in (recalled, answer):
        requester = ok(lr.receive_status(requester, message))
    assert requester == supplier and requester.recalled and requester.renewals == 0


def test_overdue_is_judged_on_the_supplier_s_today() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    assert isinstance(lr.mark_overdue(supplier, DUE), Refusal)
    flagged, message = ok(lr.mark_overdue(supplier, date(2025, 4, 2)))
    assert flagged.overdue and message.status is SupplierStatus.OVERDUE
    assert isinstance(lr.mark_overdue(flagged, date(2025, 4, 3)), Refusal)


def test_overdue_after_a_recall_still_reaches_the_requester() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester, supplier = supplier_does(requester, lr.recall(supplier))
    requester, supplier = supplier_does(requester, lr.mark_overdue(supplier, date(2025, 5, 1)))
    assert requester == supplier and requester.overdue and requester.recalled


def test_an_overdue_flag_reaching_a_copy_already_shipped_back_is_kept() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester, supplier = requester_does(requester, supplier, A.RECEIVED)
    supplier, overdue = ok(lr.mark_overdue(supplier, date(2025, 5, 1)))
    requester, supplier = requester_does(requester, supplier, A.SHIPPED_RETURN)
    requester = ok(lr.receive_status(requester, overdue))
    assert requester == supplier and requester.phase is P.RETURNING and requester.overdue


def test_a_renewal_clears_overdue() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester, supplier = supplier_does(requester, lr.mark_overdue(supplier, date(2025, 5, 1)))
    requester, supplier = requester_does(requester, supplier, A.RENEW)
    assert requester == supplier and not requester.overdue


def test_a_copy_written_off_ends_the_loan_without_return() -> None:
    requester, supplier = opened()
    requester, supplier = supplier_does(requester, lr.ship(supplier, DUE))
    requester, supplier = supplier_does(requester, lr.declare_lost(supplier))
    assert requester == supplier and requester.phase is P.LOST
    assert lr.status_of(supplier) is SupplierStatus.COMPLETED_WITHOUT_RETURN


def test_a_status_request_is_answered_with_the_current_status_and_changes_nothing() -> None:
    requester, supplier = opened()
    same, answer = answered(lr.receive_action(supplier, A.STATUS_REQUEST))
    assert same == supplier
    assert (answer.status, answer.reason) == (
        SupplierStatus.WILL_SUPPLY,
        ReasonForMessage.STATUS_REQUEST_RESPONSE,
    )
    assert ok(lr.receive_status(requester, answer)) == requester


def test_the_requester_refuses_a_status_out_of_sequence() -> None:
    requester = lr.open_request("B:1/1", "B", "A", WANT)
    loaned = SupplyingAgencyMessage(SupplierStatus.LOANED, ReasonForMessage.STATUS_CHANGE, "i1")
    assert isinstance(lr.receive_status(requester, loaned), Refusal)


def test_the_supplier_refuses_an_action_out_of_sequence() -> None:
    _, supplier = opened()
    assert isinstance(lr.receive_action(supplier, A.SHIPPED_RETURN), Refusal)


_ACTIONS = list(RequesterAction)
_STATUSES = [
    SupplyingAgencyMessage(status, reason, "i1", DUE, answer)
    for status in SupplierStatus
    for reason in ReasonForMessage
    for answer in (None, True, False)
]


@pytest.mark.parametrize("phase", sorted(TERMINAL))
def test_terminal_phases_stay_terminal(phase: LoanPhase) -> None:
    leg = Leg("B:1/1", "B", "A", WANT, phase, item_id="i1", due=DUE)
    for action in _ACTIONS:
        reply = lr.receive_action(leg, action, DUE)
        assert isinstance(reply, Refusal) or reply[0].phase is phase
        acted = lr.act(leg, action)
        assert isinstance(acted, Refusal) or acted.phase is phase
    for message in _STATUSES:
        told = lr.receive_status(leg, message)
        assert isinstance(told, Refusal) or told.phase is phase
    for command in (lr.ship(leg, DUE), lr.unfill(leg), lr.check_in(leg), lr.recall(leg)):
        assert isinstance(command, Refusal)
    assert isinstance(lr.mark_overdue(leg, date(2030, 1, 1)), Refusal)
    assert isinstance(lr.declare_lost(leg), Refusal)
