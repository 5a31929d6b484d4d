"""Signed messages to and from JSON, as they travel over HTTP and in bundles."""

from __future__ import annotations

from typing import Any

from sync.messages import message_from_dict
from sync.sequencing import Skip
from sync.signing import SignedMessage


def signed_to_dict(signed: SignedMessage) -> dict[str, Any]:
    """A JSON-ready dict: the message and its signature in hex."""
    return {"message": signed.message.to_dict(), "signature": signed.signature.hex()}


def signed_from_dict(data: Any) -> SignedMessage:
    """The inverse of :func:`signed_to_dict`; ``ValueError`` for anything malformed."""
    if not isinstance(data, dict):
        raise ValueError("a signed message is a JSON object")
    try:
        signature = bytes.fromhex(data["signature"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed signature: {exc!r}") from exc
    message = data.get("message")
    if not isinstance(message, dict):
        raise ValueError("a signed message's message is a JSON object")
    return SignedMessage(message_from_dict(message), signature)


def skip_range_to_dict(origin: str, seq: int, upto: int, reason: str) -> dict[str, Any]:
    """Slots ``seq``..``upto`` of ``origin``'s stream that the puller only skips."""
    return {"skip": {"origin": origin, "seq": seq, "upto": upto, "reason": reason}}


def entries_from_dicts(data: Any) -> list[SignedMessage | Skip]:
    """A pulled list (messages and skip ranges) as inbox entries; ``ValueError`` for
    anything malformed."""
    if not isinstance(data, list):
        raise ValueError("pulled entries are a JSON list")
    out: list[SignedMessage | Skip] = []
    for item in data:
        if isinstance(item, dict) and "skip" in item:
            out.extend(_skips(item["skip"]))
        else:
            out.append(signed_from_dict(item))
    return out


def _skips(skip: Any) -> list[Skip]:
    try:
        seq, upto = skip["seq"], skip.get("upto", skip["seq"])
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (seq, upto)):
            raise ValueError("skip bounds are integers")
        if seq < 1 or upto < seq or upto - seq > 1_000_000:
            raise ValueError(f"bad skip range {seq}..{upto}")
        origin, reason = str(skip["origin"]), str(skip["reason"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed skip: {exc!r}") from exc
    return [Skip(origin, n, reason) for n in range(seq, upto + 1)]
