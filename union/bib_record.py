"""The normalized bibliographic record: what every source record becomes, whatever its format.

Plain frozen dataclasses so that normalization stays a pure function and records can be
compared, hashed and stored as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from typing import Any

import msgspec


@dataclass(frozen=True, slots=True)
class Agent:
    """A person, body or meeting responsible for the work, with their role.

    ``name`` is as catalogued (often inverted: "Toer, Pramoedya Ananta"); ``kind`` is
    "person", "body" or "meeting"; ``role`` is a plain English relator term such as
    "author", "editor", "translator", "illustrator", or "contributor" when unknown;
    ``main`` marks the 1xx main entry.
    """

    name: str
    kind: str = "person"
    role: str = "author"
    dates: str | None = None
    main: bool = False


@dataclass(frozen=True, slots=True)
class Item:
    """One physical copy as the source describes it.

    ``branch`` is the holding branch code or name given by the source (may be None: the
    record's own branch holds it); ``status`` is "available", "on_loan", "missing",
    "not_for_loan" or None when the source does not say.
    """

    barcode: str | None = None
    branch: str | None = None
    location: str | None = None
    call_number: str | None = None
    status: str | None = None
    collection: str | None = None

    def __reduce__(self) -> tuple[type[Item], tuple[Any, ...]]:
        # Items cross from a harvest worker process to the writer: a plain tuple pickles
        # several times faster than the slotted dataclass default (a state dict built
        # through dataclasses.fields()).
        return Item, _item_values(self)


@dataclass(frozen=True, slots=True)
class BibRecord:
    """The normalized form of one source record.

    Identifiers are normalized: ``isbns`` are valid ISBN-13s without hyphens,
    ``invalid_isbns`` keeps what was printed but failed its checksum (evidence, not an
    identifier); ``issns`` as "1234-5679"; ``lccns`` normalized per the LC rules;
    ``oclc_numbers`` digits only; ``national_numbers`` from 015/016 as "agency:number".
    ``languages`` are MARC/ISO 639-2 codes ("ind", "eng"); ``original_languages`` are the
    languages a translation was made from (041 $h). ``year`` is the first 4-digit year of
    publication; ``format`` is "book", "ebook", "serial", "map", "score", "sound", "video",
    "computer_file", "kit", "manuscript", "visual" or "mixed".
    ``classifications`` are class numbers as "scheme:number" ("ddc:005.133", DDC without
    its "/" segmentation marks). ``title_nonfiling`` is how many leading characters of
    ``title`` to skip when sorting (MARC 245 second indicator: "The " -> 4).
    """

    title: str
    subtitle: str | None = None
    part_number: str | None = None
    part_name: str | None = None
    responsibility: str | None = None
    uniform_title: str | None = None
    agents: tuple[Agent, ...] = ()
    edition: str | None = None
    publisher: str | None = None
    place: str | None = None
    year: int | None = None
    date_text: str | None = None
    isbns: tuple[str, ...] = ()
    invalid_isbns: tuple[str, ...] = ()
    issns: tuple[str, ...] = ()
    lccns: tuple[str, ...] = ()
    oclc_numbers: tuple[str, ...] = ()
    national_numbers: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    original_languages: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    extent: str | None = None
    dimensions: str | None = None
    format: str = "book"
    notes: tuple[str, ...] = ()
    items: tuple[Item, ...] = field(default=())
    classifications: tuple[str, ...] = ()
    title_nonfiling: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists).

        Written out rather than ``dataclasses.asdict``, whose recursive deep copy cost
        more than normalizing the record itself.
        """
        data = {name: getattr(self, name) for name in _BIB_FIELDS}
        for name in _TUPLE_FIELDS:
            data[name] = list(data[name])
        data["agents"] = [_plain(agent, _AGENT_FIELDS) for agent in self.agents]
        data["items"] = [_plain(item, _ITEM_FIELDS) for item in self.items]
        return data

    def without_items(self) -> BibRecord:
        """The record without its items: its description of the book alone, which is all
        that matching looks at."""
        return replace(self, items=())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BibRecord:
        """Inverse of :meth:`to_dict`; unknown keys are ignored so old rows still load.
        Raises ``msgspec.ValidationError`` for a value of the wrong type."""
        return msgspec.convert(data, cls)

    @classmethod
    def from_json(cls, text: str | bytes) -> BibRecord:
        """The record stored as this JSON text (``to_dict`` written out), decoded straight
        into the dataclasses in C: a fifth of the cost of parsing to dicts and converting
        them, which a rebuild does for every record of the catalogue."""
        return _DECODER.decode(text)


def _plain(value: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in names}


_BIB_FIELDS = tuple(f.name for f in fields(BibRecord))
_TUPLE_FIELDS = tuple(
    f.name for f in fields(BibRecord)
    if str(f.type).startswith("tuple") and f.name not in ("agents", "items")
)
_AGENT_FIELDS = tuple(f.name for f in fields(Agent))


_DECODER = msgspec.json.Decoder(BibRecord)
_ITEM_FIELDS = tuple(f.name for f in fields(Item))
_item_values = attrgetter(*_ITEM_FIELDS)
