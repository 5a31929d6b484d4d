"""Items (physical copies) from MARC 852, Koha 952, and SLiMS's Dublin Core.

Koha embeds one 952 per item (https://koha-community.org/manual/latest/en/html/
cataloguing.html#item-fields): $a home branch, $b holding branch, $c shelving location,
$o call number, $p barcode, $8 collection code, $y item type, $0 withdrawn, $1 lost,
$4 damaged, $7 not for loan, $q date due when on loan, $9 item number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pymarc import Field

from union.bib_record import Item
from union.normalize.text import clean

AVAILABLE = "available"
ON_LOAN = "on_loan"
MISSING = "missing"
NOT_FOR_LOAN = "not_for_loan"

# Subfields only a Koha item has. Other systems used 952 for other things (LC's local
# data, RLIN holdings with just $a/$b), so a 952 without any of them is not an item.
_KOHA_ITEM_CODES = frozenset("opy97108q")


def _first(field: Field, code: str) -> str | None:
    for subfield in field.subfields:
        if subfield.code == code:
            value = clean(subfield.value)
            if value:
                return value
    return None


def _flag(value: str | None) -> bool:
    """Koha status subfields hold an authorised-value number; "0" or empty means unset."""
    return value is not None and value.strip() not in ("0", "")


def is_koha_item(field: Field) -> bool:
    """True when a 952 carries Koha item subfields."""
    return any(subfield.code in _KOHA_ITEM_CODES for subfield in field.subfields)


def koha_status(field: Field) -> str:
    """The custody status of a Koha item: lost or withdrawn, on loan, not for loan, or on
    the shelf. Damaged items are not special: Koha lends them unless told otherwise."""
    if _flag(_first(field, "1")) or _flag(_first(field, "0")):
        return MISSING
    if _first(field, "q"):
        return ON_LOAN
    if _flag(_first(field, "7")):
        return NOT_FOR_LOAN  # negative values ("ordered") are not lendable either
    return AVAILABLE


def item_from_952(field: Field) -> Item:
    """A Koha 952 as an Item. ``branch`` is the home (owning) branch, else the holding one."""
    return Item(
        barcode=_first(field, "p"),
        branch=_first(field, "a") or _first(field, "b"),
        location=_first(field, "c"),
        call_number=_first(field, "o"),
        status=koha_status(field),
        collection=_first(field, "8"),
    )


def item_from_852(field: Field) -> Item:
    """A MARC 852 location as an Item: $b sublocation (branch), else $a institution; $c
    shelving location; $k $h $i $m call number parts, else $j; $p piece designation."""
    parts = [_first(field, code) for code in "khim"]
    call_number = " ".join(p for p in parts if p) or _first(field, "j")
    return Item(
        barcode=_first(field, "p"),
        branch=_first(field, "b") or _first(field, "a"),
        location=_first(field, "c"),
        call_number=call_number,
        status=None,
    )


def items_from_marc(fields_852: Iterable[Field], fields_952: Iterable[Field]) -> list[Item]:
    """Items from Koha 952 fields or, when there are none, from 852 locations.

    Records exported with both (Koha-based Finna, for one) describe the same copies
    twice: the 852 as a holdings summary, the 952 per item. The items win.
    """
    items = [item_from_952(f) for f in fields_952 if is_koha_item(f)]
    return items or [item_from_852(f) for f in fields_852]


def slims_items(barcodes: Sequence[str], call_number: str | None) -> list[Item]:
    """SLiMS's oai_dc lists each copy's item code in dc:hasPart; all share the call number."""
    return [Item(barcode=code, call_number=call_number) for code in barcodes if code]
