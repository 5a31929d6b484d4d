"""The OAI-PMH harvest checkpoint and how a harvest starts from one (pure).

The checkpoint saved with each page holds everything needed to go on after it: the list
being harvested (prefix, set, ``from``, ``until``), the resumption token for the next page,
the harvest's pending watermark (the first ``responseDate`` it got) and the watermark of
the previous complete harvest. On the last page ``complete`` is true, the token is gone
and ``watermark`` becomes the pending one: the next incremental harvest starts there.

As JSON::

    {"version": 1, "prefix": "marc21", "set": null, "from": "2026-11-21",
     "until": null, "token": "abc", "started": "2026-11-22T02:17:54Z",
     "watermark": "2026-11-21T02:00:00Z", "page": 3, "complete": false}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from harvesters.oai.dates import format_utc, parse_utc

VERSION = 1


@dataclass(slots=True)
class Checkpoint:
    """The state of one harvest (mutable while it runs)."""

    prefix: str
    set_spec: str | None = None
    from_: str | None = None
    until: str | None = None
    token: str | None = None
    started: datetime | None = None
    watermark: datetime | None = None
    page: int = 0
    complete: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON-serialisable form saved with a page."""
        return {
            "version": VERSION,
            "prefix": self.prefix,
            "set": self.set_spec,
            "from": self.from_,
            "until": self.until,
            "token": self.token,
            "started": format_utc(self.started) if self.started else None,
            "watermark": format_utc(self.watermark) if self.watermark else None,
            "page": self.page,
            "complete": self.complete,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint | None:
        """Read a saved checkpoint; None if it is not one this version understands."""
        if data.get("version") != VERSION or not isinstance(data.get("prefix"), str):
            return None
        try:
            return cls(
                prefix=data["prefix"],
                set_spec=data.get("set"),
                from_=data.get("from"),
                until=data.get("until"),
                token=data.get("token"),
                started=_moment(data.get("started")),
                watermark=_moment(data.get("watermark")),
                page=int(data.get("page", 0)),
                complete=bool(data.get("complete", False)),
            )
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class Plan:
    """How a harvest call starts: the state to run with, and whether ``from`` is still to
    be computed from ``state.watermark`` (that needs the server's granularity)."""

    state: Checkpoint
    incremental: bool
    resumed: bool


def plan_harvest(
    saved: Mapping[str, Any] | None,
    *,
    prefix: str,
    set_spec: str | None,
    until: str | None,
    full: bool,
    incremental_allowed: bool,
) -> Plan:
    """Decide whether to resume, harvest incrementally, or list everything."""
    previous = Checkpoint.from_dict(saved) if saved else None
    if previous is not None and (previous.prefix, previous.set_spec) != (prefix, set_spec):
        # The checkpoint is of another list (the source's config changed): start afresh.
        previous = None
    if previous is not None and not previous.complete:
        incremental_list = previous.from_ is not None
        if not (incremental_list and (full or not incremental_allowed)):
            # Resume the interrupted list where its last committed page left it.
            return Plan(previous, incremental=False, resumed=True)
        previous = None
    fresh = Checkpoint(prefix=prefix, set_spec=set_spec, until=until)
    if previous is not None and previous.watermark and not full and incremental_allowed:
        fresh.watermark = previous.watermark
        return Plan(fresh, incremental=True, resumed=False)
    return Plan(fresh, incremental=False, resumed=False)


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    return parse_utc(str(value))
