"""Ed25519 signatures on messages, and the registry of each branch's public key.

A branch signs the canonical bytes of every message it originates; the hub and the recipient
both verify, so neither a forged origin nor an altered body gets through the relay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync.messages import Message, canonical_bytes
from sync.refusal import Refusal, RefusalCode

# Domain separation: a signature over a sync message can never be mistaken for one over
# anything else the same key might sign later.
SIGNING_CONTEXT = b"union-catalogue/sync/v1\n"


class KeyRegistry(Protocol):
    """Where verifiers find a branch's raw 32-byte Ed25519 public key (None: unknown)."""

    def public_key(self, branch: str) -> bytes | None:
        """The branch's public key, or None when the branch is not a member."""
        ...


class KeyRing:
    """A ``KeyRegistry`` over a fixed mapping of branch code to raw public key."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self._keys = dict(keys)

    def public_key(self, branch: str) -> bytes | None:
        """The branch's public key, or None when the branch is not in the ring."""
        return self._keys.get(branch)


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """A message with its origin's signature over ``SIGNING_CONTEXT + canonical_bytes``."""

    message: Message
    signature: bytes

    @property
    def origin(self) -> str:
        """The claimed origin branch (trust it only after :func:`verify`)."""
        return self.message.origin

    @property
    def seq(self) -> int:
        """The claimed per-origin sequence number."""
        return self.message.seq


def public_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key to publish in the registry for ``private_key``."""
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(message: Message, private_key: Ed25519PrivateKey) -> SignedMessage:
    """Sign ``message`` with its origin branch's private key."""
    return SignedMessage(message, private_key.sign(SIGNING_CONTEXT + canonical_bytes(message)))


def verify(signed: SignedMessage, registry: KeyRegistry) -> Refusal | None:
    """None when the signature is the claimed origin's; otherwise why it is refused."""
    key = registry.public_key(signed.message.origin)
    if key is None:
        return Refusal(RefusalCode.UNKNOWN_BRANCH, f"no key for {signed.message.origin!r}")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(
            signed.signature, SIGNING_CONTEXT + canonical_bytes(signed.message)
        )
    except InvalidSignature:
        return Refusal(RefusalCode.BAD_SIGNATURE, f"not signed by {signed.message.origin!r}")
    return None
