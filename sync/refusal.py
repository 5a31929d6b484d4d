"""Refusals: the one shape every check in the protocol answers with when it says no.

Pure functions return either their new value or a ``Refusal``; nothing in the core raises
for a message it does not accept, because a refused message is an ordinary, audited outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RefusalCode(StrEnum):
    """Why a message, command or transition was not accepted."""

    UNKNOWN_BRANCH = "unknown_branch"
    BAD_SIGNATURE = "bad_signature"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    NOT_PERMITTED = "not_permitted"
    NOT_OWNER = "not_owner"
    FOREIGN_ID = "foreign_id"
    DUPLICATE_ID = "duplicate_id"
    UNKNOWN_REQUEST = "unknown_request"
    UNKNOWN_TRANSFER = "unknown_transfer"
    UNKNOWN_ITEM = "unknown_item"
    INVALID_TRANSITION = "invalid_transition"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refusal with a machine-readable ``code`` and a human ``detail`` for the audit log."""

    code: RefusalCode
    detail: str = ""
