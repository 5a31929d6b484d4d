"""``union export``: the union catalogue as one MARC file, streamed (the edge).

Each live work is rendered once by :func:`union.feed.marcxml.marc21` (the feed's own
MARC 21 mapping, an 852 per holding branch's copy); ISO 2709 is that record read back
into pymarc and serialized, so both formats carry exactly the same fields. Works are read
a batch at a time in id order: memory does not grow with the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Literal

from sqlalchemy import select

from harvesters.marcxml_parsing import parse_marcxml
from union.feed import marcxml
from union.feed.work_records import Branches, work_content
from union.store.engine import Store
from union.store.models import WorkRow

__all__ = ["ExportFormat", "export_catalogue", "marc_records"]

ExportFormat = Literal["marc", "marcxml"]
_COLLECTION_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                    b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
_COLLECTION_CLOSE = b"</collection>\n"


def marc_records(store: Store, branches: Branches, branch: str | None = None,
                 batch: int = 500) -> Iterator[str]:
    """The MARCXML record of every live work (held by ``branch`` when given), in id order."""
    last = 0
    while True:
        with store.read() as session:
            rows = session.execute(
                select(WorkRow.id, WorkRow.datestamp, WorkRow.display, WorkRow.display_hash)
                .where(WorkRow.id > last, WorkRow.status == "live")
                .order_by(WorkRow.id).limit(batch)).all()
        for work_id, datestamp, display, display_hash in rows:
            if display is None:
                continue
            content = work_content(display, display_hash, branches)
            if branch is not None and all(h.branch_code != branch for h in content.holdings):
                continue
            yield marcxml.marc21(str(work_id), datestamp, content.bib, content.holdings)
        if len(rows) < batch:
            return
        last = rows[-1][0]


def export_catalogue(store: Store, branches: Branches, out: BinaryIO, fmt: ExportFormat,
                     branch: str | None = None) -> int:
    """Write the catalogue to ``out`` as ISO 2709 (``marc``, UTF-8) or a MARCXML
    collection; returns how many records were written."""
    written = 0
    if fmt == "marcxml":
        out.write(_COLLECTION_OPEN)
    for record in marc_records(store, branches, branch):
        data = record.encode("utf-8")
        if fmt == "marcxml":
            out.write(data)
            out.write(b"\n")
        else:
            out.write(parse_marcxml(data).record.as_marc())
        written += 1
    if fmt == "marcxml":
        out.write(_COLLECTION_CLOSE)
    return written
