"""Which copies of a work are on the shelf now, branch by branch (pure).

The harvested item status comes in each branch system's own words: normalized Koha 952
items say "available", "on_loan", "missing" or "not_for_loan"; SLiMS and INLISLite screens
say "Tersedia", "Dipinjam", "Hilang", "Dalam Perbaikan", "Tidak Dipinjamkan"; Voyager and
LoC holdings say "Not Charged" or "Charged"; SLiMS's item table stores "0" for a copy
with no special status. Only the words that mean "on the shelf, lendable" count as
available; every other status (on loan, in repair, lost, reference only, in process...)
does not. A copy whose source says nothing is on the shelf: most village catalogues
record no circulation at all. A branch record without item lines stands for one copy.

The sync protocol knows better than the last harvest: ``custody`` maps (branch code,
barcode) to the copy's custody state ("on_shelf", "reserved", "in_transit",
"on_loan"...), and a copy found there is available exactly when it is "on_shelf".

The search index, the API and the web pages all count availability with
:func:`branch_availability`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["AVAILABLE_WORDS", "ON_SHELF", "BranchAvailability", "available_branches",
           "branch_availability", "status_available"]

#: Folded item statuses that mean the copy is on the shelf and can be borrowed.
AVAILABLE_WORDS: frozenset[str] = frozenset({
    "available", "tersedia", "ada", "0", "on shelf", "not charged", "check shelf",
    "in library", "di rak",
})
#: The custody state of a copy at its owner and free.
ON_SHELF = "on_shelf"
Custody = Mapping[tuple[str, str], str]
_SEPARATORS = re.compile(r"[\s_\-]+")


@dataclass(frozen=True, slots=True)
class BranchAvailability:
    """How many of a branch's copies of a work are on the shelf now, out of how many."""

    branch: str
    available: int
    total: int


def status_available(status: str | None) -> bool:
    """Whether a harvested item status means the copy is on the shelf now (no status
    does)."""
    if status is None:
        return True
    folded = _SEPARATORS.sub(" ", status.strip().casefold()).strip(" .")
    return not folded or folded in AVAILABLE_WORDS


def _item_available(branch: str, item: Mapping[str, Any], custody: Custody) -> bool:
    barcode = item.get("barcode")
    if barcode:
        state = custody.get((branch, barcode))
        if state is not None:
            return state == ON_SHELF
    return status_available(item.get("status"))


def branch_availability(
    display: Mapping[str, Any], custody: Custody | None = None
) -> tuple[BranchAvailability, ...]:
    """Per holding branch of a work's display record (its ``holdings``), copies on the
    shelf now and copies in all, in the order the display record lists the branches."""
    counts: dict[str, list[int]] = {}
    for holding in display.get("holdings") or ():
        branch = holding["branch"]
        items: Sequence[Mapping[str, Any]] = holding.get("items") or ()
        tally = counts.setdefault(branch, [0, 0])
        if not items:
            tally[0] += 1
            tally[1] += 1
            continue
        for item in items:
            tally[0] += _item_available(branch, item, custody or {})
            tally[1] += 1
    return tuple(BranchAvailability(code, available, total)
                 for code, (available, total) in counts.items())


def available_branches(display: Mapping[str, Any], custody: Custody | None = None
                       ) -> tuple[str, ...]:
    """The branches with at least one copy of the work on the shelf now."""
    return tuple(entry.branch for entry in branch_availability(display, custody)
                 if entry.available)
