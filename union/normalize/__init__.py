"""Normalization: every source record, whatever its format, becomes a BibRecord.

Pure functions only (no I/O, no clock). A record that cannot be parsed or has no usable
title raises :class:`NormalizationError`, so the caller can skip and report it.
"""

from __future__ import annotations

from harvesters.records import ISO2709, MARCXML, OAI_DC
from union.bib_record import BibRecord
from union.normalize.dublin_core import bib_from_oai_dc
from union.normalize.errors import NormalizationError
from union.normalize.marc import bib_from_marc
from union.normalize.payload import record_from_iso2709, record_from_marcxml_payload

__all__ = ["NormalizationError", "bib_from_marc", "bib_from_oai_dc", "bib_from_payload"]


def bib_from_payload(format: str, payload: bytes) -> BibRecord:
    """Normalize a stored source-record payload of the given format.

    ``format`` is one of ``harvesters.records``' ISO2709 (one ISO 2709 record, MARC-8
    decoded when leader/09 is blank), MARCXML (one ``<record>``) or OAI_DC.
    """
    if format == ISO2709:
        return bib_from_marc(record_from_iso2709(payload))
    if format == MARCXML:
        return bib_from_marc(record_from_marcxml_payload(payload))
    if format == OAI_DC:
        return bib_from_oai_dc(payload)
    raise NormalizationError(f"unknown payload format {format!r}")
