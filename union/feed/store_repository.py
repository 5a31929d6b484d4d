"""The feed over the store: :class:`~union.feed.records.FeedRepository` on the published
records that :mod:`union.feed.follower` keeps (the edge).

Pages are keyset scans of ``feed_records`` in (datestamp, work id) order, the metadata
read already rendered, so a page costs one indexed query and no rendering. Work ids are
integers: the OAI local id is the decimal number, and the keyset compares it as one.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from union.config import Federation
from union.feed.provider import FeedConfig
from union.feed.records import FeedRecord, FeedSet
from union.feed.sets import FORMAT
from union.feed.work_records import Branches
from union.store.engine import Store
from union.store.feed_models import FeedRecordRow, FeedRecordSetRow, FeedStateRow

__all__ = ["StoreFeedRepository", "feed_config", "token_secret"]

_SECRET = "token_secret"
_MAX_ID = 2**63 - 1
_T = FeedRecordRow.__table__.c
_S = FeedRecordSetRow.__table__.c
_HEADER = (_T.work_id, _T.datestamp, _T.deleted, _T.sets)
_METADATA = {"oai_dc": _T.oai_dc, "marc21": _T.marc21}


class StoreFeedRepository:
    """The published works of one store; safe to call from worker threads (each call
    opens its own session)."""

    def __init__(self, store: Store, branches: Branches) -> None:
        self.store = store
        self.branches = branches

    def earliest_datestamp(self) -> datetime | None:
        """The oldest datestamp of any published work, deleted ones included."""
        with self.store.read() as session:
            value: datetime | None = session.scalar(select(func.min(_T.datestamp)))
            return value

    def list_sets(self) -> Sequence[FeedSet]:
        """The federation's sets, with the formats the catalogue holds."""
        with self.store.read() as session:
            specs = session.scalars(select(_S.spec).distinct()
                                    .where(_S.spec > f"{FORMAT}:", _S.spec < f"{FORMAT};"))
            formats = [spec.partition(":")[2] for spec in specs]
        return self.branches.sets(formats)

    def get(self, work_id: str) -> FeedRecord | None:
        """The work, deleted or not; None for an id never published."""
        number = _number(work_id)
        if number is None:
            return None
        with self.store.read() as session:
            row = session.execute(select(*_HEADER, _T.oai_dc, _T.marc21)
                                  .where(_T.work_id == number)).first()
        if row is None:
            return None
        rendered = {"oai_dc": row.oai_dc, "marc21": row.marc21}
        return _record(row, None if row.deleted else rendered)

    def page(self, *, after: tuple[datetime, str] | None, from_: datetime | None,
             until: datetime | None, set_spec: str | None, limit: int,
             metadata_prefix: str | None) -> Sequence[FeedRecord]:
        """Up to ``limit`` works after ``after`` in (datestamp, work id) order."""
        conditions = _selection(from_, until, set_spec)
        if after is not None:
            conditions.append(tuple_(_T.datestamp, _T.work_id) > tuple_(after[0],
                                                                        int(after[1])))
        prefix = metadata_prefix or ""
        column = _METADATA.get(prefix)
        columns: list[Any] = [*_HEADER] if column is None else [*_HEADER, column]
        query = (select(*columns).where(and_(True, *conditions))
                 .order_by(_T.datestamp, _T.work_id).limit(limit))
        with self.store.read() as session:
            rows = session.execute(query).all()
        if column is None:
            return [_record(row, None) for row in rows]
        return [_record(row, None if row.deleted else {prefix: row[4]})
                for row in rows]

    def count(self, *, from_: datetime | None, until: datetime | None,
              set_spec: str | None) -> int:
        """How many works the selection holds."""
        query = select(func.count()).select_from(FeedRecordRow.__table__).where(
            and_(True, *_selection(from_, until, set_spec)))
        with self.store.read() as session:
            return int(session.scalar(query) or 0)


def _number(work_id: str) -> int | None:
    if not (work_id.isascii() and work_id.isdigit()) or work_id != str(int(work_id)):
        return None
    number = int(work_id)
    return number if number <= _MAX_ID else None


def _record(row: Any, rendered: dict[str, str] | None) -> FeedRecord:
    return FeedRecord(work_id=str(row.work_id), datestamp=row.datestamp,
                      deleted=bool(row.deleted), sets=tuple(row.sets.split()),
                      rendered=rendered)


def _selection(from_: datetime | None, until: datetime | None,
               set_spec: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if from_ is not None:
        conditions.append(_T.datestamp >= from_)
    if until is not None:
        conditions.append(_T.datestamp <= until)
    if set_spec is not None:
        # The set itself or any below it: "branch" takes "branch:KOTA" (":" < ";").
        conditions.append(exists().where(
            _S.work_id == _T.work_id,
            (_S.spec == set_spec) | and_(_S.spec > set_spec + ":", _S.spec < set_spec + ";"),
        ))
    return conditions


def token_secret(store: Store, federation: Federation) -> bytes:
    """The secret resumption tokens are signed with: ``[feed] token_secret`` when the
    federation file sets one, else one generated once and kept in the store, so every
    node sharing the store signs alike."""
    if federation.feed.token_secret:
        return federation.feed.token_secret.encode("utf-8")
    for _ in range(2):  # a second node may insert it first: then read theirs
        try:
            with store.write() as session:
                row = session.get(FeedStateRow, _SECRET)
                if row is None:
                    row = FeedStateRow(name=_SECRET, value=secrets.token_urlsafe(32))
                    session.add(row)
                return row.value.encode("utf-8")
        except IntegrityError:
            continue
    raise RuntimeError("could not read or store the feed's token secret")


def feed_config(federation: Federation, secret: bytes, base_url: str | None = None) -> FeedConfig:
    """The provider's settings from the federation file; ``base_url`` is the feed's own
    address (default: the node's ``base_url`` followed by ``/oai``)."""
    node = federation.union
    return FeedConfig(
        repository_name=node.name,
        base_url=base_url or node.base_url.rstrip("/") + "/oai",
        domain=node.oai_domain,
        admin_emails=(node.admin_email,),
        secret=secret,
        records_page_size=federation.feed.records_page_size,
        identifiers_page_size=federation.feed.identifiers_page_size,
    )
