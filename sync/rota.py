"""A patron's request walked along a rota of candidate lenders, one lender at a time.

The rota is built from the union holdings: branches with a copy available first, then nearer,
then less loaded ones. The requester asks each lender in turn (one request leg per lender,
with id ``<request id>/<n>``) until one will supply. A lender that answers Unfilled or
RetryPossible, or is silent too long, is passed over; after the last lender the request is
Unfilled. A lender that said WillSupply and later cannot supply sends the walk on.

    asking(n)        ─WillSupply from n──────────────▶ supplied(n)
    asking(n)        ─Unfilled, RetryPossible, late──▶ asking(n+1)  (unfilled after the last)
    supplied(n)      ─Unfilled from n────────────────▶ asking(n+1)  (unfilled after the last)
    asking, supplied ─the patron cancels─────────────▶ cancelled

All instants are passed in and must be on one clock (the edge decides which).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class LenderCandidate:
    """A branch holding the title, as the union catalogue sees it.

    ``available`` counts its copies on the shelf; ``distance`` is from the requester in any
    unit (smaller is nearer); ``load`` counts the loans it is currently supplying.
    """

    branch: str
    available: int
    distance: float
    load: int


def build_rota(candidates: Iterable[LenderCandidate], requester: str) -> tuple[str, ...]:
    """Lenders in the order to ask them: available copies first, then nearer, less loaded.

    The requester itself is left out; ties are broken by branch code so every run agrees.
    """
    best: dict[str, LenderCandidate] = {}
    for candidate in candidates:
        if candidate.branch != requester and candidate.branch not in best:
            best[candidate.branch] = candidate
    ranked = sorted(best.values(), key=lambda c: (c.available <= 0, c.distance, c.load, c.branch))
    return tuple(c.branch for c in ranked)


class RotaStatus(StrEnum):
    """Where the walk stands."""

    ASKING = "asking"  # waiting for the current lender's answer
    SUPPLIED = "supplied"  # the current lender will supply
    UNFILLED = "unfilled"  # every lender declined or was passed over
    CANCELLED = "cancelled"  # the patron withdrew the request


@dataclass(frozen=True, slots=True)
class Patience:
    """How long a lender is waited for.

    A lender gets ``silence`` from the later of when it was asked and when it was last heard
    from: one still syncing is given time to answer in its next session, one gone quiet is
    passed over ``silence`` after it was asked. ``limit``, when set, caps the wait for a lender
    that keeps syncing but never answers.
    """

    silence: timedelta
    limit: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Rota:
    """The requester's walk for one patron request; ``position`` indexes ``lenders``."""

    request_id: str
    lenders: tuple[str, ...]
    position: int
    asked_at: datetime | None
    status: RotaStatus


@dataclass(frozen=True, slots=True)
class Ask:
    """Send the request to ``lender`` as leg ``leg_id``."""

    lender: str
    leg_id: str


@dataclass(frozen=True, slots=True)
class Exhausted:
    """No lender is left: the patron request is Unfilled."""


Step = Ask | Exhausted


def leg_id(request_id: str, position: int) -> str:
    """The id of the leg asking the lender at ``position`` (1-based in the id)."""
    return f"{request_id}/{position + 1}"


def start(request_id: str, lenders: tuple[str, ...], now: datetime) -> tuple[Rota, Step]:
    """Begin the walk: ask the first lender (or give up at once when there is none)."""
    return _ask(Rota(request_id, lenders, -1, None, RotaStatus.ASKING), now)


def will_supply(rota: Rota, position: int) -> Rota:
    """The lender at ``position`` answered WillSupply; a lender already passed over is ignored."""
    if rota.status is not RotaStatus.ASKING or position != rota.position:
        return rota
    return replace(rota, status=RotaStatus.SUPPLIED)


def declined(rota: Rota, position: int, now: datetime) -> tuple[Rota, Step | None]:
    """The lender at ``position`` answered Unfilled or RetryPossible (or took back its
    WillSupply): ask the next one. A lender already passed over changes nothing."""
    if rota.status not in (RotaStatus.ASKING, RotaStatus.SUPPLIED) or position != rota.position:
        return rota, None
    return _ask(rota, now)


def is_late(rota: Rota, now: datetime, last_heard: datetime | None, patience: Patience) -> bool:
    """Whether the lender being asked has had its time and is to be passed over."""
    if rota.status is not RotaStatus.ASKING or rota.asked_at is None:
        return False
    since = max(rota.asked_at, last_heard) if last_heard else rota.asked_at
    if now >= since + patience.silence:
        return True
    return patience.limit is not None and now >= rota.asked_at + patience.limit


def pass_over(rota: Rota, now: datetime) -> tuple[Rota, Step]:
    """Skip the lender being asked (the caller cancels its leg) and ask the next one."""
    if rota.status is not RotaStatus.ASKING:
        raise ValueError(f"only a lender being asked can be passed over ({rota.status})")
    return _ask(rota, now)


def cancel(rota: Rota) -> Rota:
    """The patron withdraws: the walk stops where it is."""
    if rota.status in (RotaStatus.ASKING, RotaStatus.SUPPLIED):
        return replace(rota, status=RotaStatus.CANCELLED)
    return rota


def _ask(rota: Rota, now: datetime) -> tuple[Rota, Step]:
    position = rota.position + 1
    if position >= len(rota.lenders):
        return replace(rota, position=position, status=RotaStatus.UNFILLED), Exhausted()
    moved = replace(rota, position=position, asked_at=now, status=RotaStatus.ASKING)
    return moved, Ask(rota.lenders[position], leg_id(rota.request_id, position))
