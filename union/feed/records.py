"""What the feed publishes, and the one interface it reads it through.

The store implements :class:`FeedRepository` over its de-duplicated works; the provider
never sees a database. Everything a page needs comes back in one call, in the order the
feed pages in, so memory stays at one page whatever the size of the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from union.bib_record import BibRecord, Item


class Holding(NamedTuple):
    """One branch's holding of a work: its code and name, and its copies there."""

    branch_code: str
    branch_name: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """One work as the feed publishes it.

    ``work_id`` is the work's stable identifier; the OAI identifier is
    ``oai:{domain}:{work_id}``, so it may only hold the characters an oai-identifier's
    local part allows (letters, digits and ``-_.!~*'();/?:@&=+$,%``).
    ``datestamp`` is UTC at whole seconds: when the store last changed the work as the
    feed shows it (record, holdings or sets; for a deleted or merged-away work, the moment
    it went). It must be the store's own clock, never a source's datestamp: a change
    stamped in the past would be missed by incremental harvests. ``sets`` are the leaf setSpecs it
    belongs to (``branch:KOTA``, ``kind:village``, ``format:book``, ``local``); a deleted
    work keeps the sets it had, so selective harvesters learn of the deletion.
    ``bib`` and ``holdings`` are None/empty for a deleted work, and may be left out when
    the repository is asked for headers only. ``rendered`` optionally holds metadata
    already rendered by prefix (``union.feed.formats.render_all``), for a store that keeps
    a rendered copy of each work up to date: a page is then built without rendering, and
    ``bib``/``holdings`` may be left out for those prefixes. The copy must be re-made
    whenever the datestamp changes (marc21 carries it in 005). A live record needs
    ``bib`` or ``rendered[prefix]`` for every prefix it is asked for.
    """

    work_id: str
    datestamp: datetime
    deleted: bool = False
    sets: tuple[str, ...] = ()
    bib: BibRecord | None = None
    holdings: tuple[Holding, ...] = ()
    rendered: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class FeedSet:
    """One set ListSets announces; ``description`` becomes a Dublin Core setDescription."""

    spec: str
    name: str
    description: str | None = None


class FeedRepository(Protocol):
    """The feed's view of the catalogue. Implementations must be safe to call from
    worker threads (the HTTP edge runs the provider off the event loop).

    Selection, shared by :meth:`page` and :meth:`count`: ``from_`` and ``until`` are
    inclusive bounds on the datestamp (None = unbounded); ``set_spec`` selects the works
    with a set equal to it or below it in the hierarchy (``branch`` selects every work
    with a ``branch:...`` set; SQL: ``spec = :s OR (spec > :s || ':' AND spec < :s || ';')``).
    Deleted works are included: they are published as deleted headers for ever.
    """

    def earliest_datestamp(self) -> datetime | None:
        """The oldest datestamp of any work, deleted ones included; None when empty."""
        ...

    def list_sets(self) -> Sequence[FeedSet]:
        """Every set, parents (``branch``, ``kind``, ``format``) included."""
        ...

    def get(self, work_id: str) -> FeedRecord | None:
        """The work, deleted or not (a work merged into another is deleted), or None
        when the id was never issued."""
        ...

    def page(
        self,
        *,
        after: tuple[datetime, str] | None,
        from_: datetime | None,
        until: datetime | None,
        set_spec: str | None,
        limit: int,
        metadata_prefix: str | None,
    ) -> Sequence[FeedRecord]:
        """Up to ``limit`` selected works ordered by (datestamp, work_id), strictly after
        the ``after`` position when given. The order of work ids must be total and the
        same one ``after`` is compared in. ``metadata_prefix`` is the format the page
        will be rendered in, or None for headers only (ListIdentifiers: ``bib``,
        ``holdings`` and ``rendered`` need not be loaded)."""
        ...

    def count(self, *, from_: datetime | None, until: datetime | None,
              set_spec: str | None) -> int:
        """How many works the same selection holds (the completeListSize)."""
        ...
