"""Stateless, tamper-evident resumption tokens.

A token carries everything needed to produce the next page: the list's arguments, the
upper bound pinned when the list began (so records changed later are not shuffled in),
the keyset position (datestamp, work id) of the last record sent, the cursor and the
complete list size. Its text is ``base64url(JSON) "." base64url(HMAC-SHA256)[:16 bytes]``,
the MAC taken over the exact payload text with a server secret: any altered character,
or a token made with another secret, fails to verify. No server state, so any web node
with the secret can answer any token, and a re-sent token gives the same page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime

from union.feed.datestamps import from_epoch, to_epoch

_VERSION = 1
_DOMAIN = b"union.feed resumptionToken v1\x00"  # keeps these MACs apart from other uses
_MAC_BYTES = 16
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,1500}\.[A-Za-z0-9_-]{22}")
_VERBS = ("ListIdentifiers", "ListRecords")


class BadToken(ValueError):
    """The token was not made by this server (altered, truncated, another secret)."""


@dataclass(frozen=True, slots=True)
class ListPosition:
    """Where a list harvest stands: the state a resumption token carries.

    ``until`` is the inclusive upper bound in force for the whole list (the smaller of
    the harvester's ``until`` and the first page's responseDate); ``after`` is the
    (datestamp, work id) of the last record already sent (None at the start of a list,
    which no token encodes); ``cursor`` is how many records came before the page this
    token asks for.
    """

    verb: str
    metadata_prefix: str
    from_: datetime | None
    until: datetime
    set_spec: str | None
    after: tuple[datetime, str] | None
    cursor: int
    complete_list_size: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: str, secret: bytes) -> str:
    digest = hmac.new(secret, _DOMAIN + payload.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest[:_MAC_BYTES])


def encode_token(position: ListPosition, secret: bytes) -> str:
    """The resumption token for ``position``, signed with ``secret``."""
    if position.after is None:
        raise ValueError("a resumption token resumes after a record: position.after is None")
    data = [
        _VERSION,
        _VERBS.index(position.verb),
        position.metadata_prefix,
        None if position.from_ is None else to_epoch(position.from_),
        to_epoch(position.until),
        position.set_spec,
        to_epoch(position.after[0]),
        position.after[1],
        position.cursor,
        position.complete_list_size,
    ]
    payload = _b64(json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
    return f"{payload}.{_mac(payload, secret)}"


def decode_token(token: str, secret: bytes) -> ListPosition:
    """The position ``token`` carries; BadToken unless it was made with ``secret``."""
    if not _SHAPE.fullmatch(token):
        raise BadToken("not a resumption token of this repository")
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        raise BadToken("the resumption token has been altered or has expired")
    try:
        data = json.loads(_unb64(payload))
        return _position(data)
    except (binascii.Error, ValueError, TypeError, IndexError, OverflowError) as exc:
        # A verified MAC over bad content: a token from an incompatible server version.
        raise BadToken("the resumption token is not understood") from exc


def _position(data: object) -> ListPosition:
    if not isinstance(data, list) or len(data) != 10 or data[0] != _VERSION:
        raise ValueError("unknown token layout")
    _, verb, prefix, from_, until, set_spec, after_stamp, after_id, cursor, size = data
    for count in (verb, cursor, size):
        _integer(count, minimum=0)
    for stamp in (until, after_stamp) if from_ is None else (from_, until, after_stamp):
        _integer(stamp)  # before 1970 is negative, and legal in ``from``
    if not isinstance(prefix, str) or not isinstance(after_id, str):
        raise ValueError("bad token field")
    if set_spec is not None and not isinstance(set_spec, str):
        raise ValueError("bad token field")
    return ListPosition(
        verb=_VERBS[verb],
        metadata_prefix=prefix,
        from_=None if from_ is None else from_epoch(from_),
        until=from_epoch(until),
        set_spec=set_spec,
        after=(from_epoch(after_stamp), after_id),
        cursor=cursor,
        complete_list_size=size,
    )


def _integer(value: object, minimum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("bad token field")
    if minimum is not None and value < minimum:
        raise ValueError("bad token field")
