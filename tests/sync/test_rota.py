"""The rota: candidate lenders in order, walked one at a time, the silent ones passed over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync import rota
from sync.rota import Ask, Exhausted, LenderCandidate, Patience, RotaStatus

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
PATIENCE = Patience(silence=timedelta(days=2))


def test_branches_with_an_available_copy_come_first() -> None:
    ranked = rota.build_rota(
        [
            LenderCandidate("NEAR_NONE", available=0, distance=1, load=0),
            LenderCandidate("FAR_ONE", available=1, distance=90, load=5),
        ],
        requester="R",
    )
    assert ranked == ("FAR_ONE", "NEAR_NONE")


def test_then_nearer_then_less_loaded_then_by_code() -> None:
    ranked = rota.build_rota(
        [
            LenderCandidate("C", available=2, distance=5, load=3),
            LenderCandidate("B", available=1, distance=5, load=1),
            LenderCandidate("A", available=1, distance=5, load=1),
            LenderCandidate("D", available=1, distance=2, load=9),
        ],
        requester="R",
    )
    assert ranked == ("D", "A", "B", "C")


def test_the_requester_never_asks_itself_nor_anyone_twice() -> None:
    candidates = [
        LenderCandidate("R", 3, 0, 0),
        LenderCandidate("A", 1, 1, 0),
        LenderCandidate("A", 1, 1, 0),
    ]
    assert rota.build_rota(candidates, "R") == ("A",)


def test_walking_starts_by_asking_the_first_lender() -> None:
    walk, step = rota.start("R:1", ("A", "B"), T0)
    assert step == Ask("A", "R:1/1")
    assert (walk.status, walk.position, walk.asked_at) == (RotaStatus.ASKING, 0, T0)


def test_an_empty_rota_is_unfilled_at_once() -> None:
    walk, step = rota.start("R:1", (), T0)
    assert step == Exhausted() and walk.status is RotaStatus.UNFILLED


def test_willsupply_from_the_lender_asked_ends_the_walk_supplied() -> None:
    walk, _ = rota.start("R:1", ("A", "B"), T0)
    assert rota.will_supply(walk, 0).status is RotaStatus.SUPPLIED


def test_a_declining_lender_sends_the_walk_to_the_next() -> None:
    walk, _ = rota.start("R:1", ("A", "B"), T0)
    walk, step = rota.declined(walk, 0, T0 + HOUR)
    assert step == Ask("B", "R:1/2") and walk.asked_at == T0 + HOUR


def test_after_the_last_lender_the_request_is_unfilled() -> None:
    walk, _ = rota.start("R:1", ("A", "B"), T0)
    walk, _ = rota.declined(walk, 0, T0)
    walk, step = rota.declined(walk, 1, T0)
    assert step == Exhausted() and walk.status is RotaStatus.UNFILLED


def test_a_lender_taking_back_its_willsupply_sends_the_walk_on() -> None:
    walk, _ = rota.start("R:1", ("A", "B"), T0)
    walk = rota.will_supply(walk, 0)
    walk, step = rota.declined(walk, 0, T0)
    assert step == Ask("B", "R:1/2") and walk.status is RotaStatus.ASKING


def test_a_late_answer_from_a_lender_passed_over_changes_nothing() -> None:
    walk, _ = rota.start("R:1", ("A", "B"), T0)
    walk, _ = rota.pass_over(walk, T0 + 3 * PATIENCE.silence)
    assert rota.will_supply(walk, 0) == walk
    assert rota.declined(walk, 0, T0) == (walk, None)


@pytest.mark.parametrize(
    ("last_heard", "now", "late"),
    [
        (None, T0 + timedelta(days=2) - HOUR, False),
        (None, T0 + timedelta(days=2), True),
        # Silent since long before it was asked: its time runs from the asking.
        (T0 - timedelta(days=30), T0 + timedelta(days=1), False),
        (T0 - timedelta(days=30), T0 + timedelta(days=2), True),
        # Heard from since it was asked: it gets its time from then.
        (T0 + timedelta(days=1), T0 + timedelta(days=2, hours=12), False),
        (T0 + timedelta(days=1), T0 + timedelta(days=3), True),
    ],
)
def test_a_lender_is_late_judged_from_when_it_was_last_heard_from(
    last_heard: datetime | None, now: datetime, late: bool
) -> None:
    walk, _ = rota.start("R:1", ("A",), T0)
    assert rota.is_late(walk, now, last_heard, PATIENCE) is late


def test_a_lender_heard_from_but_never_answering_is_late_at_the_limit() -> None:
    walk, _ = rota.start("R:1", ("A",), T0)
    patience = Patience(silence=timedelta(days=2), limit=timedelta(days=5))
    heard = T0 + timedelta(days=4, hours=23)
    assert not rota.is_late(walk, T0 + timedelta(days=5) - HOUR, heard, patience)
    assert rota.is_late(walk, T0 + timedelta(days=5), heard, patience)


def test_only_a_lender_being_asked_can_be_late_or_passed_over() -> None:
    walk, _ = rota.start("R:1", ("A",), T0)
    supplied = rota.will_supply(walk, 0)
    assert not rota.is_late(supplied, T0 + timedelta(days=99), None, PATIENCE)
    with pytest.raises(ValueError):
        rota.pass_over(supplied, T0)


def test_passing_over_the_last_lender_leaves_the_request_unfilled() -> None:
    walk, _ = rota.start("R:1", ("A",), T0)
    walk, step = rota.pass_over(walk, T0 + timedelta(days=3))
    assert step == Exhausted() and walk.status is RotaStatus.UNFILLED


def test_a_cancelled_walk_stays_cancelled() -> None:
    walk, _ = rota.start("R:1", ("A", "B"), T0)
    walk = rota.cancel(walk)
    assert walk.status is RotaStatus.CANCELLED
    assert rota.declined(walk, 0, T0) == (walk, None)
    assert rota.will_supply(walk, 0) == walk


def test_an_unfilled_walk_cannot_be_cancelled() -> None:
    walk, _ = rota.start("R:1", (), T0)
    assert rota.cancel(walk).status is RotaStatus.UNFILLED
