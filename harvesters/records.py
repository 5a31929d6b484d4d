"""What every harvester yields: pages of raw records, the records it had to skip, and a
checkpoint from which the harvest resumes after that page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pymarc

# Payload formats as stored in a source record.
ISO2709 = "iso2709"
MARCXML = "marcxml"
OAI_DC = "oai_dc"


@dataclass(frozen=True, slots=True)
class HarvestedRecord:
    """One record exactly as the branch published it.

    ``payload`` is the raw bytes received (an ISO 2709 record, or the XML of the OAI-PMH
    ``metadata`` child), empty for a deleted record. ``marc`` carries the already parsed
    record for MARC formats so the caller need not parse it twice; it is transient and
    never stored.
    """

    local_id: str
    format: str
    payload: bytes
    datestamp: datetime | None = None
    deleted: bool = False
    marc: pymarc.Record | None = field(default=None, compare=False, repr=False)

    def __reduce__(self) -> tuple[type[HarvestedRecord], tuple[Any, ...]]:
        # Pickled as a plain tuple, without the transient parsed MARC: a page crosses
        # from a harvest worker process to the writer, and the dataclass default
        # (a state dict built field by field) cost more than the rest of the transfer.
        return HarvestedRecord, (self.local_id, self.format, self.payload, self.datestamp,
                                 self.deleted)


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record that could not be read, with where it was and why."""

    position: str
    reason: str
    local_id: str | None = None

    def __reduce__(self) -> tuple[type[SkippedRecord], tuple[Any, ...]]:
        # A plain tuple crosses processes faster than the dataclass default (see above).
        return SkippedRecord, (self.position, self.reason, self.local_id)


@dataclass(slots=True)
class Page:
    """One unit of work to commit atomically: records, skips and the checkpoint after them.

    ``checkpoint`` is JSON-serialisable, opaque to the caller, and handed back to the
    harvester to resume. ``complete`` marks the last page of a harvest; ``response_date``
    is the server's clock for OAI-PMH (the next incremental harvest starts from it).
    ``full_listing`` on the last page says the harvest listed every live record of the
    source, so a record not seen in it has vanished and is to be marked deleted.
    """

    records: list[HarvestedRecord]
    skipped: list[SkippedRecord]
    checkpoint: dict[str, Any]
    complete: bool = False
    response_date: datetime | None = None
    full_listing: bool = False
