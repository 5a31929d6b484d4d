"""Checking the stored audit logs: every branch's hash chain, from its first entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from sync import audit
from union.store.engine import Store
from union.store.sync_models import SyncAuditRow

_PAGE = 5000


@dataclass(frozen=True, slots=True)
class ChainReport:
    """One branch's log: how many entries were checked, and the first break (None: sound)."""

    branch: str
    entries: int
    first_break: audit.ChainBreak | None


def audited_branches(store: Store) -> list[str]:
    """Every branch with an audit log in ``store``."""
    with store.read() as session:
        return list(
            session.scalars(select(SyncAuditRow.branch).distinct().order_by(SyncAuditRow.branch))
        )


def verify_chain(store: Store, branch: str) -> ChainReport:
    """Walk ``branch``'s log in pages, each continuing from the last trusted entry."""
    head: audit.AuditEntry | None = None
    count = 0
    for page in _pages(store, branch):
        broken = audit.verify(page, branch, after=head)
        if broken is not None:
            return ChainReport(branch, broken.index, broken)
        head, count = page[-1], count + len(page)
    return ChainReport(branch, count, None)


def _pages(store: Store, branch: str) -> Iterator[list[audit.AuditEntry]]:
    after = -1
    while True:
        with store.read() as session:
            rows = session.execute(
                select(
                    SyncAuditRow.branch,
                    SyncAuditRow.index,
                    SyncAuditRow.prev_hash,
                    SyncAuditRow.record,
                    SyncAuditRow.hash,
                )
                .where(SyncAuditRow.branch == branch, SyncAuditRow.index > after)
                .order_by(SyncAuditRow.index)
                .limit(_PAGE)
            ).all()
        if not rows:
            return
        page = [audit.AuditEntry(*row) for row in rows]
        yield page
        after = page[-1].index
