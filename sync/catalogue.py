"""What the sync protocol needs to know about the union catalogue, as protocols.

``sync`` never imports the catalogue; the union package implements these and passes them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sync.rota import LenderCandidate


class Ownership(Protocol):
    """Which branch owns a copy, as the union holdings say (the hub's view)."""

    def owner_of(self, item_id: str) -> str | None:
        """The owning branch's code, or None for a copy the catalogue does not know."""
        ...


class Holdings(Protocol):
    """Which copies of a title each branch holds, and who could lend one."""

    def copies_of(self, work_id: str, branch: str) -> Iterable[str]:
        """Item ids of ``branch``'s copies of the work (any custody state)."""
        ...

    def lenders_for(self, work_id: str, requester: str) -> Iterable[LenderCandidate]:
        """Every branch holding the work, with its available copies, its distance from
        ``requester`` and its load."""
        ...
