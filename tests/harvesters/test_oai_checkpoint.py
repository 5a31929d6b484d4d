"""OAI-PMH dates and the harvest checkpoint: how a harvest starts (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harvesters.oai.checkpoint import Checkpoint, plan_harvest
from harvesters.oai.dates import Granularity, incremental_from, parse_utc

WATERMARK = datetime(2026, 11, 22, 2, 17, 54, tzinfo=UTC)


def _complete(**changes) -> dict:
    state = Checkpoint(prefix="marc21", started=WATERMARK, watermark=WATERMARK, page=9,
                       complete=True)
    return {**state.to_dict(), **changes}


def _plan(saved, *, full=False, incremental=True, prefix="marc21"):
    return plan_harvest(saved, prefix=prefix, set_spec=None, until=None, full=full,
                        incremental_allowed=incremental)


@pytest.mark.parametrize("text", ["2026-11-22T02:17:54+07:00", "2026-11-22 02:17:54",
                                  "2026-11-22T02:17:54.5Z", "22/11/2026", ""])
def test_only_strict_utc_datestamps_parse(text):
    with pytest.raises(ValueError):
        parse_utc(text)


def test_datestamps_of_both_granularities_parse_to_aware_utc():
    assert parse_utc("2026-11-22T02:17:54Z") == WATERMARK
    assert parse_utc("2026-11-22") == datetime(2026, 11, 22, tzinfo=UTC)


def test_incremental_from_overlaps_one_unit_of_granularity():
    assert incremental_from(WATERMARK, Granularity.SECOND) == "2026-11-22T02:17:53Z"
    assert incremental_from(WATERMARK, Granularity.DAY) == "2026-11-21"


def test_unknown_granularity_falls_back_to_days():
    assert Granularity.from_identify("YYYY-MM-DDThh:mm:ssZ") is Granularity.SECOND
    assert Granularity.from_identify(None) is Granularity.DAY


def test_checkpoint_round_trips_through_json_types():
    state = Checkpoint(prefix="oai_dc", set_spec="kota", from_="2026-11-21", token="t",
                       started=WATERMARK, page=3)
    assert Checkpoint.from_dict(state.to_dict()) == state


def test_no_checkpoint_plans_a_full_listing():
    plan = _plan(None)
    assert not plan.incremental and not plan.resumed and plan.state.from_ is None


def test_complete_checkpoint_plans_an_incremental_harvest_from_its_watermark():
    plan = _plan(_complete())
    assert plan.incremental and plan.state.watermark == WATERMARK and plan.state.page == 0


def test_incomplete_checkpoint_resumes_its_list():
    plan = _plan(_complete(complete=False, token="abc", page=4, from_="x"))
    assert plan.resumed and plan.state.token == "abc" and plan.state.page == 4


def test_full_harvest_abandons_an_interrupted_incremental_list():
    plan = _plan(_complete(complete=False, token="abc", **{"from": "2026-11-21"}), full=True)
    assert not plan.resumed and not plan.incremental and plan.state.from_ is None


def test_profile_without_incremental_harvests_plans_a_full_listing():
    plan = _plan(_complete(), incremental=False)
    assert not plan.incremental and plan.state.from_ is None


def test_checkpoint_of_another_list_is_ignored():
    assert not _plan(_complete(), prefix="oai_dc").incremental


def test_unreadable_checkpoint_is_ignored():
    assert not _plan({"version": 99, "prefix": "marc21"}).incremental
    assert not _plan({"version": 1, "prefix": "marc21", "watermark": "yesterday"}).incremental
