"""Messages: the envelope, ISO 18626 bodies, and the canonical bytes a branch signs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.messages import (
    Body,
    Message,
    MessageKind,
    ReasonForMessage,
    Request,
    RequesterAction,
    RequestingAgencyMessage,
    SupplierStatus,
    SupplyingAgencyMessage,
    TransferAction,
    TransferMessage,
    canonical_bytes,
    message_from_dict,
)

_TEXT = st.text(max_size=20)
_BODIES = st.one_of(
    st.builds(Request, item_id=_TEXT, work_id=st.none() | _TEXT, note=_TEXT),
    st.builds(Request, item_id=st.none(), work_id=_TEXT, note=_TEXT),
    st.builds(
        SupplyingAgencyMessage,
        status=st.sampled_from(SupplierStatus),
        reason=st.sampled_from(ReasonForMessage),
        item_id=st.none() | _TEXT,
        due=st.none() | st.dates(),
        answer=st.none() | st.booleans(),
        note=_TEXT,
    ),
    st.builds(RequestingAgencyMessage, action=st.sampled_from(RequesterAction), note=_TEXT),
    st.builds(
        TransferMessage,
        action=st.sampled_from(TransferAction),
        item_ids=st.lists(_TEXT, max_size=4).map(tuple),
        note=_TEXT,
    ),
)
_MESSAGES = st.builds(
    Message,
    origin=_TEXT,
    seq=st.integers(min_value=1, max_value=2**40),
    recipient=_TEXT,
    request_id=_TEXT,
    body=_BODIES,
    sent_at=st.none() | st.datetimes(timezones=st.just(UTC)),
)


@given(_MESSAGES)
def test_a_message_survives_the_round_trip_through_json(message: Message) -> None:
    wire = json.loads(json.dumps(message.to_dict()))
    assert message_from_dict(wire) == message


@given(_MESSAGES)
def test_canonical_bytes_do_not_depend_on_key_order(message: Message) -> None:
    shuffled = dict(reversed(list(message.to_dict().items())))
    assert canonical_bytes(message_from_dict(shuffled)) == canonical_bytes(message)


def test_canonical_bytes_are_sorted_compact_json() -> None:
    message = Message("A", 1, "B", "A:1/1", RequestingAgencyMessage(RequesterAction.RECEIVED))
    assert canonical_bytes(message) == (
        b'{"body":{"action":"Received","note":""},"kind":"RequestingAgencyMessage",'
        b'"origin":"A","recipient":"B","request_id":"A:1/1","sent_at":null,"seq":1}'
    )


def test_kind_names_the_iso_18626_message_type() -> None:
    kinds: dict[Body, MessageKind] = {
        Request(work_id="w"): MessageKind.REQUEST,
        SupplyingAgencyMessage(SupplierStatus.LOANED, ReasonForMessage.STATUS_CHANGE): (
            MessageKind.SUPPLYING_AGENCY
        ),
        RequestingAgencyMessage(RequesterAction.CANCEL): MessageKind.REQUESTING_AGENCY,
        TransferMessage(TransferAction.PROPOSE, ("i",)): MessageKind.TRANSFER,
    }
    for body, kind in kinds.items():
        assert Message("A", 1, "B", "A:1", body).kind is kind


def test_vocabulary_is_spelled_as_in_iso_18626() -> None:
    assert {s.value for s in SupplierStatus} >= {
        "ExpectToSupply", "WillSupply", "Loaned", "Overdue", "Recalled", "RetryPossible",
        "Unfilled", "LoanCompleted", "Cancelled",
    }  # fmt: skip
    assert {a.value for a in RequesterAction} >= {
        "Received", "ShippedReturn", "Cancel", "Renew", "StatusRequest",
    }  # fmt: skip


def test_a_request_names_an_item_or_a_work() -> None:
    with pytest.raises(ValueError):
        Request()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("kind"),
        lambda d: d.update(kind="Telegram"),
        lambda d: d.update(seq=0),
        lambda d: d.update(seq="1"),
        lambda d: d.update(seq=True),
        lambda d: d["body"].update(status="Mislaid"),
        lambda d: d["body"].pop("reason"),
        lambda d: d["body"].update(due="tomorrow"),
        lambda d: d.update(body=None),
    ],
)
def test_a_malformed_message_is_a_value_error(damage: Callable[[dict], object]) -> None:
    body = SupplyingAgencyMessage(
        SupplierStatus.LOANED, ReasonForMessage.STATUS_CHANGE, "i1", date(2025, 3, 1)
    )
    data = Message("A", 3, "B", "B:1/1", body, datetime(2025, 1, 1, tzinfo=UTC)).to_dict()
    damage(data)
    with pytest.raises(ValueError):
        message_from_dict(data)
