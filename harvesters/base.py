"""The protocol every harvester implements, so the catalogue can drive any source alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from harvesters.records import Page


class Harvester(Protocol):
    """A resumable, page-at-a-time reader of one branch's catalogue."""

    def harvest(
        self, checkpoint: Mapping[str, Any] | None, *, full: bool = False
    ) -> AsyncIterator[Page]:
        """Yield pages in order, resuming after ``checkpoint`` when one is given.

        ``checkpoint`` is the one saved with the last committed page (or, for an
        incremental harvest, the final checkpoint of the previous complete harvest).
        ``full`` ignores any incremental watermark and lists everything again.
        """
        ...

    def list_identifiers(self) -> AsyncIterator[list[str]]:
        """Yield batches of every live local identifier, for reconciling deletions."""
        ...
