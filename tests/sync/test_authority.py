"""Authority: the hub refuses what a branch may not say."""

from __future__ import annotations

from itertools import count

import pytest

from sync.authority import Authority
from sync.messages import (
    Body,
    Message,
    ReasonForMessage,
    Request,
    RequesterAction,
    RequestingAgencyMessage,
    SupplierStatus,
    SupplyingAgencyMessage,
    TransferAction,
    TransferMessage,
)
from sync.refusal import RefusalCode
from sync.signing import KeyRing
from tests.sync.helpers import FakeCatalogue

RING = KeyRing({code: bytes(32) for code in ("A", "B", "C")})
OWNERS = {"a1": "A", "a2": "A", "b1": "B"}


@pytest.fixture
def hub() -> Authority:
    return Authority(RING, FakeCatalogue(owners=OWNERS))


_seq = count(1)


def say(origin: str, recipient: str, request_id: str, body: Body) -> Message:
    return Message(origin, next(_seq), recipient, request_id, body)


def will_supply(item: str | None = "a1") -> SupplyingAgencyMessage:
    return SupplyingAgencyMessage(
        SupplierStatus.WILL_SUPPLY, ReasonForMessage.REQUEST_RESPONSE, item
    )


def refused(hub: Authority, message: Message) -> RefusalCode | None:
    refusal = hub.admit(message)
    return None if refusal is None else refusal.code


def test_a_request_then_its_answer_and_actions_are_admitted(hub: Authority) -> None:
    assert refused(hub, say("B", "A", "B:1/1", Request(work_id="w"))) is None
    assert refused(hub, say("A", "B", "B:1/1", will_supply())) is None
    action = RequestingAgencyMessage(RequesterAction.RECEIVED)
    assert refused(hub, say("B", "A", "B:1/1", action)) is None


def test_a_request_id_must_be_in_the_sender_s_namespace(hub: Authority) -> None:
    assert refused(hub, say("B", "A", "C:1/1", Request(work_id="w"))) is RefusalCode.FOREIGN_ID


def test_a_request_id_cannot_be_used_twice(hub: Authority) -> None:
    hub.admit(say("B", "A", "B:1/1", Request(work_id="w")))
    again = say("B", "C", "B:1/1", Request(work_id="w"))
    assert refused(hub, again) is RefusalCode.DUPLICATE_ID


def test_a_branch_cannot_ship_another_branch_s_item(hub: Authority) -> None:
    hub.admit(say("C", "B", "C:1/1", Request(work_id="w")))
    assert refused(hub, say("B", "C", "C:1/1", will_supply("a1"))) is RefusalCode.NOT_OWNER


def test_a_supplier_cannot_switch_copies_mid_loan(hub: Authority) -> None:
    hub.admit(say("B", "A", "B:1/1", Request(work_id="w")))
    hub.admit(say("A", "B", "B:1/1", will_supply("a1")))
    loaned = SupplyingAgencyMessage(SupplierStatus.LOANED, ReasonForMessage.STATUS_CHANGE, "a2")
    assert refused(hub, say("A", "B", "B:1/1", loaned)) is RefusalCode.NOT_PERMITTED


def test_only_the_supplier_reports_status(hub: Authority) -> None:
    hub.admit(say("B", "A", "B:1/1", Request(work_id="w")))
    unfilled = SupplyingAgencyMessage(SupplierStatus.UNFILLED, ReasonForMessage.REQUEST_RESPONSE)
    assert refused(hub, say("C", "B", "B:1/1", unfilled)) is RefusalCode.NOT_PERMITTED
    assert refused(hub, say("B", "A", "B:1/1", unfilled)) is RefusalCode.NOT_PERMITTED


def test_only_the_requester_takes_requester_actions(hub: Authority) -> None:
    hub.admit(say("B", "A", "B:1/1", Request(work_id="w")))
    cancel = RequestingAgencyMessage(RequesterAction.CANCEL)
    assert refused(hub, say("C", "A", "B:1/1", cancel)) is RefusalCode.NOT_PERMITTED
    assert refused(hub, say("A", "B", "B:1/1", cancel)) is RefusalCode.NOT_PERMITTED


def test_talk_about_an_unknown_request_is_refused(hub: Authority) -> None:
    assert refused(hub, say("A", "B", "B:9/1", will_supply())) is RefusalCode.UNKNOWN_REQUEST
    cancel = RequestingAgencyMessage(RequesterAction.CANCEL)
    assert refused(hub, say("B", "A", "B:9/1", cancel)) is RefusalCode.UNKNOWN_REQUEST


def test_a_message_to_an_unknown_branch_or_to_oneself_is_refused(hub: Authority) -> None:
    request = Request(work_id="w")
    assert refused(hub, say("B", "Z", "B:1/1", request)) is RefusalCode.UNKNOWN_BRANCH
    assert refused(hub, say("B", "B", "B:1/1", request)) is RefusalCode.NOT_PERMITTED


def test_a_request_to_a_branch_that_no_longer_owns_the_copy_is_relayed(hub: Authority) -> None:
    # Stale, not forbidden: the recipient will answer Unfilled.
    assert refused(hub, say("C", "B", "C:1/1", Request(item_id="a1"))) is None


def propose(hub: Authority, items: tuple[str, ...] = ("a1", "a2")) -> RefusalCode | None:
    return refused(hub, say("A", "B", "A:t1", TransferMessage(TransferAction.PROPOSE, items)))


def step(hub: Authority, origin: str, action: TransferAction, *items: str) -> RefusalCode | None:
    recipient = "B" if origin == "A" else "A"
    return refused(hub, say(origin, recipient, "A:t1", TransferMessage(action, items)))


def test_a_transfer_is_admitted_step_by_step_from_the_right_side(hub: Authority) -> None:
    assert propose(hub) is None
    assert step(hub, "B", TransferAction.ACCEPT) is None
    assert step(hub, "A", TransferAction.SHIPPED) is None
    assert step(hub, "B", TransferAction.RECEIVED, "a1", "a2") is None


def test_a_branch_cannot_propose_another_branch_s_items(hub: Authority) -> None:
    assert propose(hub, ("a1", "b1")) is RefusalCode.NOT_OWNER


def test_a_proposal_must_be_a_batch_of_distinct_items(hub: Authority) -> None:
    assert propose(hub, ()) is RefusalCode.MALFORMED
    assert propose(hub, ("a1", "a1")) is RefusalCode.MALFORMED


@pytest.mark.parametrize(
    ("origin", "action"),
    [
        ("A", TransferAction.ACCEPT),
        ("A", TransferAction.DECLINE),
        ("A", TransferAction.RECEIVED),
        ("B", TransferAction.SHIPPED),
        ("B", TransferAction.WITHDRAW),
    ],
)
def test_each_transfer_step_belongs_to_one_side(
    hub: Authority, origin: str, action: TransferAction
) -> None:
    propose(hub)
    assert step(hub, origin, action, "a1") is RefusalCode.NOT_PERMITTED


def test_a_receipt_cannot_claim_items_outside_the_batch(hub: Authority) -> None:
    propose(hub, ("a1",))
    assert step(hub, "B", TransferAction.RECEIVED, "a2") is RefusalCode.NOT_PERMITTED


def test_ownership_moves_on_receipt_ahead_of_the_catalogue(hub: Authority) -> None:
    propose(hub, ("a1",))
    step(hub, "B", TransferAction.ACCEPT)
    step(hub, "A", TransferAction.SHIPPED)
    assert hub.owner_of("a1") == "A"
    step(hub, "B", TransferAction.RECEIVED, "a1")
    assert hub.owner_of("a1") == "B"
    hub.admit(say("C", "A", "C:1/1", Request(work_id="w")))
    assert refused(hub, say("A", "C", "C:1/1", will_supply("a1"))) is RefusalCode.NOT_OWNER
    hub.admit(say("C", "B", "C:2/1", Request(work_id="w")))
    assert refused(hub, say("B", "C", "C:2/1", will_supply("a1"))) is None


def test_a_report_about_a_copy_since_transferred_away_is_admitted(hub: Authority) -> None:
    hub.admit(say("C", "A", "C:1/1", Request(item_id="a1")))
    hub.admit(say("A", "C", "C:1/1", will_supply("a1")))
    propose(hub, ("a1",))
    step(hub, "B", TransferAction.ACCEPT)
    step(hub, "A", TransferAction.SHIPPED)
    step(hub, "B", TransferAction.RECEIVED, "a1")
    report = SupplyingAgencyMessage(
        SupplierStatus.LOAN_COMPLETED, ReasonForMessage.STATUS_REQUEST_RESPONSE, "a1"
    )
    assert refused(hub, say("A", "C", "C:1/1", report)) is None


def test_talk_about_an_unknown_transfer_is_refused(hub: Authority) -> None:
    assert step(hub, "B", TransferAction.ACCEPT) is RefusalCode.UNKNOWN_TRANSFER
