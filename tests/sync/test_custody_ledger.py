"""The hub's custody ledger: fed the messages the hub relays, it agrees with every owner
once they are delivered, through loans, cancels, write-offs, finds and transfers."""

from __future__ import annotations

from datetime import date

from sync.authority import Authority
from sync.branch import Branch, LoanPolicy
from sync.custody import Custody, CustodyStatus, Hold, HoldKind
from sync.custody_ledger import CustodyLedger
from sync.messages import (
    HUB,
    CustodyNotice,
    Message,
    NoticeEvent,
    RequesterAction,
    RequestingAgencyMessage,
    SupplierStatus,
)
from sync.refusal import RefusalCode
from sync.signing import KeyRing
from tests.sync.helpers import NOW, FakeCatalogue, Wire

OWNERS = {"a1": "A", "a2": "A"}
DUE = date(2025, 3, 31)


def federation() -> tuple[Wire, dict[str, Branch], CustodyLedger]:
    catalogue = FakeCatalogue({"a1": "w1", "a2": "w1"}, OWNERS)
    staffed = LoanPolicy()
    branches = {
        "A": Branch("A", catalogue, ["a1", "a2"], staffed),
        "R": Branch("R", catalogue, [], staffed),
    }
    return Wire(*branches.values()), branches, CustodyLedger(catalogue)


def follow(wire: Wire, ledger: CustodyLedger, seen: list[int]) -> None:
    """Feed the ledger every message sent since last time, in the order sent."""
    for message in wire.sent[seen[0]:]:
        ledger.follow(message)
    seen[0] = len(wire.sent)


def agrees(ledger: CustodyLedger, owner: Branch) -> bool:
    return all(ledger.custody_of(i) == c for i, c in owner.custody.items())


def test_a_loan_is_followed_step_by_step_as_the_owner_writes_it() -> None:
    wire, b, ledger = federation()
    seen = [0]
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    steps = [
        ("A", lambda: b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY), CustodyStatus.RESERVED),
        ("A", lambda: b["A"].ship("R:1/1", DUE), CustodyStatus.IN_TRANSIT),
        ("R", lambda: b["R"].act("R:1/1", RequesterAction.RECEIVED), CustodyStatus.AT_BORROWER),
        ("R", lambda: b["R"].act("R:1/1", RequesterAction.LENT_TO_PATRON), CustodyStatus.ON_LOAN),
        ("R", lambda: b["R"].act("R:1/1", RequesterAction.RETURNED_BY_PATRON),
         CustodyStatus.AT_BORROWER),
        ("R", lambda: b["R"].act("R:1/1", RequesterAction.SHIPPED_RETURN),
         CustodyStatus.IN_TRANSIT_BACK),
        ("A", lambda: b["A"].check_in("R:1/1"), CustodyStatus.ON_SHELF),
    ]
    for code, step, status in steps:
        wire.send(code, step())
        wire.run()
        follow(wire, ledger, seen)
        assert ledger.custody_of("a1").status is status
        assert agrees(ledger, b["A"])


def test_a_cancel_granted_before_shipping_frees_the_copy_at_the_hub_too() -> None:
    wire, b, ledger = federation()
    seen = [0]
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY))
    wire.send("R", b["R"].cancel_request("R:1"))
    wire.run()
    follow(wire, ledger, seen)
    assert ledger.custody_of("a1") == Custody("a1", "A") == b["A"].custody["a1"]


def test_a_reserved_copy_written_off_is_lost_at_the_hub_not_back_on_the_shelf() -> None:
    # The requester hears Unfilled (as for any copy that cannot be supplied); the owner's
    # custody notice tells the hub the copy is gone.
    wire, b, ledger = federation()
    seen = [0]
    wire.send("R", b["R"].request_item("R:1", "a1", "A", NOW))
    wire.run()
    wire.send("A", b["A"].answer("R:1/1", SupplierStatus.WILL_SUPPLY))
    wire.send("A", b["A"].declare_lost("a1"))
    wire.run()
    follow(wire, ledger, seen)
    assert ledger.custody_of("a1").status is CustodyStatus.LOST
    assert agrees(ledger, b["A"])


def test_a_copy_found_again_is_back_on_the_shelf_at_the_hub() -> None:
    wire, b, ledger = federation()
    seen = [0]
    for command in (lambda: b["A"].declare_lost("a2"), lambda: b["A"].find("a2")):
        wire.send("A", command())
        follow(wire, ledger, seen)
    assert ledger.custody_of("a2") == Custody("a2", "A")
    assert [m.recipient for m in wire.sent] == [HUB, HUB]


def test_a_transfer_moves_ownership_at_the_hub_on_receipt() -> None:
    wire, b, ledger = federation()
    seen = [0]
    wire.send("A", b["A"].propose_transfer("A:t1", "R", ["a1", "a2"]))
    wire.run()
    follow(wire, ledger, seen)
    assert ledger.custody_of("a1").hold == Hold(HoldKind.TRANSFER, "A:t1", "R")
    wire.send("R", b["R"].accept_transfer("A:t1"))
    wire.run()
    wire.send("A", b["A"].ship_transfer("A:t1"))
    wire.run()
    wire.send("R", b["R"].receive_transfer("A:t1", ["a1"]))
    wire.run()
    follow(wire, ledger, seen)
    assert ledger.custody_of("a1") == Custody("a1", "R") == b["R"].custody["a1"]
    assert ledger.custody_of("a2") == b["A"].custody["a2"]  # still in transit, from A


def test_an_event_the_owner_would_refuse_changes_nothing() -> None:
    _, _, ledger = federation()
    received = Message("R", 1, "A", "R:9/1", RequestingAgencyMessage(RequesterAction.RECEIVED), NOW)
    assert ledger.follow(received) == {}  # no such leg: nothing to receive
    assert ledger.custody_of("a1") == Custody("a1", "A")


def test_only_the_owner_may_notify_the_hub_of_its_copies() -> None:
    registry = KeyRing({"A": b"k" * 32, "R": b"k" * 32})
    authority = Authority(registry, FakeCatalogue(owners=OWNERS))
    notice = CustodyNotice(NoticeEvent.LOST, "a1")
    assert authority.admit(Message("A", 1, HUB, "a1", notice, NOW)) is None
    forged = authority.admit(Message("R", 1, HUB, "a1", notice, NOW))
    assert forged is not None and forged.code is RefusalCode.NOT_OWNER
    elsewhere = authority.admit(Message("A", 2, "R", "a1", notice, NOW))
    assert elsewhere is not None and elsewhere.code is RefusalCode.NOT_PERMITTED
