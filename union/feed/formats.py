"""The metadata formats the feed disseminates, each with its renderer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from union.feed import dublin_core, marcxml
from union.feed.records import FeedRecord


def _always(record: FeedRecord) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One metadataPrefix: its schema and namespace (for ListMetadataFormats), how to
    render a live record's metadata, and which records it can be disseminated for
    (every record for the built-in formats; a deleted record is a header in any of them).
    """

    prefix: str
    schema: str
    namespace: str
    render: Callable[[FeedRecord], str]
    applies: Callable[[FeedRecord], bool] = _always


def _render_dc(record: FeedRecord) -> str:
    if record.bib is None:
        raise ValueError(f"work {record.work_id} has no bibliographic record to render")
    return dublin_core.oai_dc(record.bib, record.holdings)


def _render_marc(record: FeedRecord) -> str:
    if record.bib is None:
        raise ValueError(f"work {record.work_id} has no bibliographic record to render")
    return marcxml.marc21(record.work_id, record.datestamp, record.bib, record.holdings)


OAI_DC = MetadataFormat("oai_dc", dublin_core.SCHEMA, dublin_core.NAMESPACE, _render_dc)
MARC21 = MetadataFormat("marc21", marcxml.SCHEMA, marcxml.NAMESPACE, _render_marc)
DEFAULT_FORMATS: tuple[MetadataFormat, ...] = (OAI_DC, MARC21)


def render_all(record: FeedRecord,
               formats: Sequence[MetadataFormat] = DEFAULT_FORMATS) -> dict[str, str]:
    """Every format's metadata for a live record, by prefix: what a store caches in
    ``FeedRecord.rendered`` when a work changes, so harvests need not render."""
    return {f.prefix: f.render(record) for f in formats if f.applies(record)}
