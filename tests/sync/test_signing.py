"""Signing: every branch signs what it originates; forged and unknown-branch messages fail."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.messages import Message, RequesterAction, RequestingAgencyMessage
from sync.refusal import RefusalCode
from sync.signing import KeyRing, SignedMessage, public_bytes, sign, verify

KEYS = {code: Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32) for n, code in enumerate("AB")}
RING = KeyRing({code: public_bytes(key) for code, key in KEYS.items()})
MESSAGE = Message("A", 7, "B", "A:1/1", RequestingAgencyMessage(RequesterAction.RECEIVED))


def test_a_message_signed_by_its_origin_verifies() -> None:
    assert verify(sign(MESSAGE, KEYS["A"]), RING) is None


def test_a_message_from_an_unknown_branch_is_refused() -> None:
    stranger = replace(MESSAGE, origin="Z")
    refusal = verify(sign(stranger, Ed25519PrivateKey.generate()), RING)
    assert refusal is not None and refusal.code is RefusalCode.UNKNOWN_BRANCH


def test_a_message_signed_by_another_branch_is_refused() -> None:
    refusal = verify(sign(MESSAGE, KEYS["B"]), RING)
    assert refusal is not None and refusal.code is RefusalCode.BAD_SIGNATURE


@pytest.mark.parametrize(
    "tamper",
    [
        {"seq": 8},
        {"recipient": "C"},
        {"request_id": "A:2/1"},
        {"body": RequestingAgencyMessage(RequesterAction.CANCEL)},
    ],
)
def test_an_altered_message_is_refused(tamper: dict[str, Any]) -> None:
    signed = sign(MESSAGE, KEYS["A"])
    forged = SignedMessage(replace(MESSAGE, **tamper), signed.signature)
    refusal = verify(forged, RING)
    assert refusal is not None and refusal.code is RefusalCode.BAD_SIGNATURE


def test_a_garbled_signature_is_refused() -> None:
    signed = sign(MESSAGE, KEYS["A"])
    refusal = verify(SignedMessage(MESSAGE, signed.signature[::-1]), RING)
    assert refusal is not None and refusal.code is RefusalCode.BAD_SIGNATURE


def test_signing_is_deterministic_so_a_resent_message_is_byte_identical() -> None:
    assert sign(MESSAGE, KEYS["A"]) == sign(MESSAGE, KEYS["A"])


def test_a_signed_message_is_sequenced_by_its_origin_and_number() -> None:
    signed = sign(MESSAGE, KEYS["A"])
    assert (signed.origin, signed.seq) == ("A", 7)
