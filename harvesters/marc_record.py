"""What both MARC parsers build: a Unicode pymarc Record and the repairs it needed (pure).

Both parsers (:mod:`harvesters.iso2709_parsing`, :mod:`harvesters.marcxml_parsing`) are
tolerant in the same way: whatever can be placed exactly is read, every repair is
described in ``ParsedMarc.notes``, and a record whose fields cannot be located (or whose
text would have to be invented) raises ``MarcDataError`` with a human reason.

The parsed record is Unicode whatever the source encoding, so its leader/09 is set to
'a'; the raw bytes are untouched and stay the stored payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pymarc import Field, Indicators, Leader, Record, Subfield

LEADER_LENGTH = 24

# Whether a Field can be made by filling pymarc's slots directly, which skips
# Field.__init__'s checks (3x faster; the parsers make those checks themselves). False if a
# future pymarc changes the slots: fields are then made by the constructor.
FAST_FIELDS = {"tag", "data", "_indicators", "subfields", "control_field"} <= set(
    getattr(Field, "__slots__", ())
)
_new = object.__new__
# Every pair of printable ASCII indicators, built once: most fields reuse one of these.
COMMON_INDICATORS = {
    a + b: Indicators(a, b)
    for a in map(chr, range(0x20, 0x7F))
    for b in map(chr, range(0x20, 0x7F))
}


class MarcDataError(ValueError):
    """The record cannot be read; ``reason`` says why in words a cataloguer understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class ParsedMarc:
    """A parsed record and the repairs it needed (empty when it was clean)."""

    record: Record
    notes: list[str] = field(default_factory=list)


def control_field(tag: str, data: str) -> Field:
    """A pymarc control field, built without pymarc's per-field validation."""
    if not FAST_FIELDS:
        return Field(tag, data=data)
    made = _new(Field)
    made.tag = tag
    made.data = data
    made.control_field = True
    made._indicators = None
    made.subfields = []
    return made


def data_field(tag: str, indicators: Indicators, subfields: list[Subfield]) -> Field:
    """A pymarc data field, built without pymarc's per-field validation."""
    if not FAST_FIELDS:
        return Field(tag, indicators, subfields)
    made = _new(Field)
    made.tag = tag
    made.data = None
    made.control_field = False
    made._indicators = indicators
    made.subfields = subfields
    return made


def make_record(leader: str, fields: list[Field]) -> Record:
    """A pymarc Record with this leader, but 09 = 'a' since its text is Unicode.

    (pymarc's constructor would also overwrite positions 10-11 and 20-23.)
    """
    record = Record(fields=fields)
    record.leader = Leader(leader[:9] + "a" + leader[10:])
    return record
