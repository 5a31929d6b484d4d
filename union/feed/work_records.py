"""A work's merged display record -> what the feed and the MARC export publish (pure).

The display record (``union.works.display``) holds the description, identifiers,
subjects and, per member record, the holding branch's copies. Here it becomes a
:class:`~union.bib_record.BibRecord`, one :class:`~union.feed.records.Holding` per
holding branch (named as the federation file names it), and the work's leaf sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from union.bib_record import BibRecord, Item
from union.config import Federation
from union.feed.records import FeedSet, Holding
from union.feed.sets import federation_sets, record_sets
from union.local_content import LocalMatcher

__all__ = ["Branches", "WorkContent", "work_content"]


@dataclass(frozen=True, slots=True)
class Branches:
    """What the feed needs of the federation: branch names and kinds, and the matcher of
    the local region. ``digest`` changes whenever any of it does (the sets and holdings
    of every work must then be looked at again)."""

    names: Mapping[str, str]
    kinds: Mapping[str, str]
    local: LocalMatcher
    region: str
    digest: str

    @classmethod
    def of(cls, federation: Federation) -> Branches:
        """The branches and region of ``federation``."""
        names = {b.code: b.name for b in federation.branches}
        kinds = {b.code: b.kind for b in federation.branches}
        places = federation.local.places
        region = places[0] if places else federation.union.name
        digest = _digest([sorted(names.items()), sorted(kinds.items()),
                          list(federation.local.places), list(federation.local.subjects)])
        return cls(names, kinds, LocalMatcher(federation.local), region, digest)

    def sets(self, formats: Iterable[str]) -> list[FeedSet]:
        """Every set ListSets announces, given the formats in use."""
        return federation_sets(
            [(code, name, self.kinds[code]) for code, name in self.names.items()],
            formats, self.region)


@dataclass(frozen=True, slots=True)
class WorkContent:
    """A live work as published: ``digest`` covers everything its output is made of
    except its datestamp, so an unchanged digest means unchanged output."""

    bib: BibRecord
    holdings: tuple[Holding, ...]
    sets: tuple[str, ...]
    digest: str


def work_content(display: Mapping[str, Any], display_hash: str | None,
                 branches: Branches) -> WorkContent:
    """The published content of a live work with this display record."""
    bib = BibRecord.from_dict(dict(display))
    holdings = _holdings(display.get("holdings") or (), branches.names)
    sets = record_sets(
        bib.format,
        [(h.branch_code, branches.kinds[h.branch_code]) for h in holdings
         if h.branch_code in branches.kinds],
        branches.local.is_local(display),
    )
    # Holdings name branches as configured, so a renamed branch changes the output too.
    names = [h.branch_name for h in holdings]
    digest = _digest([display_hash or _digest(display), names, sets])
    return WorkContent(bib, holdings, sets, digest)


def _holdings(members: Sequence[Mapping[str, Any]],
              names: Mapping[str, str]) -> tuple[Holding, ...]:
    """One holding per branch, its copies gathered over the branch's member records."""
    items: dict[str, list[Item]] = {}
    for member in members:
        copies = items.setdefault(member["branch"], [])
        copies += [Item(barcode=i.get("barcode"), branch=i.get("label"),
                        location=i.get("location"), call_number=i.get("call_number"),
                        status=i.get("status"), collection=i.get("collection"))
                   for i in member.get("items") or ()]
    return tuple(Holding(code, names.get(code, code), tuple(copies))
                 for code, copies in items.items())


def _digest(value: Any) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()
