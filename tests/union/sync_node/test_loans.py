"""Loans between hosted branches, through the store-backed nodes and the hub."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sync.loan_request import LoanPhase
from tests.union.sync_node.support import hosted
from union.store.engine import Store
from union.store.sync_models import SyncCustodyRow
from union.sync_node.service import SyncRefused


def custody_row(store: Store, item: str) -> tuple[str, str, str | None]:
    with store.read() as session:
        row = session.scalar(select(SyncCustodyRow).where(SyncCustodyRow.item_id == item))
        assert row is not None
        return row.owner, row.status, row.hold_branch


def test_a_reserved_copy_travels_to_the_borrower_and_back(store: Store, tmp_path: Path) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []})
    svc, now = fed.service, fed.clock
    request = svc.reserve_item("DESA", "KOTA/B1", now())
    fed.sync("DESA", "KOTA")
    [waiting] = svc.snapshot("KOTA").to_answer()
    assert custody_row(store, "KOTA/B1") == ("KOTA", "on_shelf", None)
    svc.will_supply("KOTA", waiting.request_id, now())
    fed.sync("KOTA", "DESA")
    assert custody_row(store, "KOTA/B1") == ("KOTA", "reserved", "DESA")
    [pick] = svc.snapshot("KOTA").pick_list()
    assert pick.item_id == "KOTA/B1"
    svc.ship("KOTA", pick.request_id, now())
    fed.sync("KOTA", "DESA")
    [arriving] = svc.snapshot("DESA").to_receive()
    assert arriving.request_id == f"{request}/1"
    for step in (svc.receive, svc.lend, svc.patron_return, svc.ship_return):
        step("DESA", arriving.request_id, fed.clock.advance(days=1))
    fed.sync("DESA", "KOTA")
    assert custody_row(store, "KOTA/B1") == ("KOTA", "in_transit_back", "DESA")
    svc.check_in("KOTA", pick.request_id, now())
    fed.sync("KOTA", "DESA")
    assert custody_row(store, "KOTA/B1") == ("KOTA", "on_shelf", None)
    [lent] = svc.snapshot("KOTA").incoming(open_only=False)
    [asked] = svc.snapshot("DESA").outgoing()
    assert lent.leg.phase is LoanPhase.COMPLETED
    assert asked.leg is not None and asked.leg.phase is LoanPhase.COMPLETED


def test_two_requests_for_one_copy_are_decided_in_the_order_the_owner_sees_them(
    store: Store, tmp_path: Path
) -> None:
    # KOTA answers requests automatically (its [sync] answer_requests policy).
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": [], "DUSUN": []}, answering=["KOTA"])
    svc = fed.service
    second = svc.reserve_item("DUSUN", "KOTA/B1", fed.clock())
    first = svc.reserve_item("DESA", "KOTA/B1", fed.clock())
    fed.sync("DESA", "DUSUN", "KOTA", "DESA", "DUSUN")
    legs = [r.leg for r in svc.snapshot("KOTA").incoming(open_only=False)]
    phases = {leg.request_id: leg.phase for leg in legs}
    assert phases == {f"{first}/1": LoanPhase.WILL_SUPPLY, f"{second}/1": LoanPhase.RETRY_POSSIBLE}


def test_staff_of_one_branch_cannot_ship_another_branchs_loan(store: Store, tmp_path: Path) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []}, answering=["KOTA"])
    fed.service.reserve_item("DESA", "KOTA/B1", fed.clock())
    fed.sync("DESA", "KOTA")
    [pick] = fed.service.snapshot("KOTA").pick_list()
    with pytest.raises(SyncRefused) as refused:
        fed.service.ship("DESA", pick.request_id, fed.clock())
    assert refused.value.refusal.code == "unknown_request"


def test_a_lenders_staff_decline_and_the_requester_hears_it(store: Store, tmp_path: Path) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []})
    svc, now = fed.service, fed.clock
    request = svc.reserve_item("DESA", "KOTA/B1", now())
    fed.sync("DESA", "KOTA")
    svc.retry_later("KOTA", f"{request}/1", now())
    fed.sync("KOTA", "DESA")
    [asked] = svc.snapshot("DESA").outgoing()
    assert asked.rota.status.value == "unfilled"  # KOTA was the only lender on the rota
    [answered] = svc.snapshot("KOTA").incoming(open_only=False)
    assert answered.leg.phase is LoanPhase.RETRY_POSSIBLE
    assert custody_row(store, "KOTA/B1") == ("KOTA", "on_shelf", None)
