"""Staff working the sync protocol through the pages and the JSON API: hosted branches
with real nodes, keys and hub in a store on SQLite and PostgreSQL, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.union.staff.desk_support import Desk, api, hosted_branches
from tests.union.staff.support import (
    Clock,
    add_staff,
    browser,
    csrf_of,
    new_token,
    sign_in,
    staff_node,
)
from union.config import Federation
from union.store.engine import Store
from union.store.sync_models import SyncCustodyRow
from union.sync_node.conflicts import record_conflicts
from union.sync_node.service import KeyDirectory


@pytest.fixture
async def desk(branches: Store, federation: Federation, tmp_path: Path) -> AsyncIterator[Desk]:
    clock = Clock()
    fed = hosted_branches(branches, KeyDirectory(tmp_path / "keys"), clock,
                          {"KOTA": ["B1", "B2"], "DESA1": ["D1"], "DESA2": []})
    async with staff_node(branches, federation, tmp_path / "index", service=fed.service,
                          clock=clock) as node:
        yield Desk(fed, node)


def _custody(store: Store, item: str) -> tuple[str, str, str | None]:
    with store.read() as session:
        row = session.scalar(select(SyncCustodyRow).where(SyncCustodyRow.item_id == item))
        assert row is not None
        return row.owner, row.status, row.hold_branch


async def _asked(desk: Desk, item: str = "KOTA/B1") -> str:
    """DESA1 asks for ``item`` and KOTA has the request, unanswered. Returns the leg id."""
    token = new_token(desk.node.store, "DESA1")
    async with browser() as client:
        status, body = await api(client, desk.node, token, "POST",
                                 "/DESA1/permintaan/keluar", {"item_id": item})
    assert status == 201
    await desk.sync("DESA1", "KOTA")
    return f"{body['id']}/1"


async def _requested(desk: Desk, item: str = "KOTA/B1") -> str:
    """DESA1 asks for ``item``; KOTA's staff have answered WillSupply through the API.
    Returns the leg id."""
    leg = await _asked(desk, item)
    async with browser() as client:
        status, _ = await api(client, desk.node, new_token(desk.node.store, "KOTA"), "POST",
                              "/KOTA/permintaan/masuk/sanggup", {"id": leg})
    assert status == 200
    await desk.sync("KOTA", "DESA1")
    return leg


async def test_a_waiting_request_is_answered_from_the_incoming_page(desk: Desk) -> None:
    leg = await _asked(desk)
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "on_shelf", None)
    add_staff(desk.node.store, "KOTA", "admin")
    async with browser() as client:
        await sign_in(client, desk.node.url, "KOTA", "admin")
        async with client.get(f"{desk.node.url}/staf/KOTA/permintaan/masuk") as page:
            html = await page.text()
        assert leg in html and "Diminta" in html and "Sanggup memenuhi" in html
        answer = await client.post(f"{desk.node.url}/staf/KOTA/permintaan/masuk/sanggup",
                                   data={"csrf": csrf_of(html), "id": leg},
                                   allow_redirects=False)
    assert answer.status == 303
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "reserved", "DESA1")
    await desk.sync("KOTA", "DESA1")
    [placed] = desk.fed.service.snapshot("DESA1").outgoing()
    assert placed.rota.status.value == "supplied"


async def test_retry_possible_from_the_api_sends_the_request_down_the_rota(desk: Desk) -> None:
    leg = await _asked(desk)
    async with browser() as client:
        status, _ = await api(client, desk.node, new_token(desk.node.store, "KOTA"), "POST",
                              "/KOTA/permintaan/masuk/coba-lagi", {"id": leg})
    assert status == 200
    await desk.sync("KOTA", "DESA1")
    [placed] = desk.fed.service.snapshot("DESA1").outgoing()
    assert placed.rota.status.value == "unfilled"  # KOTA was its only lender
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "on_shelf", None)


async def test_a_request_shows_on_the_owners_incoming_page_and_pick_list(desk: Desk) -> None:
    leg = await _requested(desk)
    add_staff(desk.node.store, "KOTA", "admin")
    async with browser() as client:
        await sign_in(client, desk.node.url, "KOTA", "admin")
        async with client.get(f"{desk.node.url}/staf/KOTA/permintaan/masuk") as incoming:
            incoming_html = await incoming.text()
        async with client.get(f"{desk.node.url}/staf/KOTA/ambil") as picks:
            picks_html = await picks.text()
        async with client.get(f"{desk.node.url}/staf/KOTA/") as dashboard:
            dashboard_html = await dashboard.text()
    assert leg in incoming_html and "Akan dipenuhi" in incoming_html
    assert "KOTA/B1" in picks_html and 'action="/staf/KOTA/permintaan/masuk/kirim"' in picks_html
    assert "Permintaan masuk terbuka</a>: <strong>1</strong>" in dashboard_html


async def test_shipping_from_the_pick_list_page_puts_the_copy_in_transit(desk: Desk) -> None:
    leg = await _requested(desk)
    add_staff(desk.node.store, "KOTA", "admin")
    async with browser() as client:
        await sign_in(client, desk.node.url, "KOTA", "admin")
        async with client.get(f"{desk.node.url}/staf/KOTA/ambil") as picks:
            token = csrf_of(await picks.text())
        shipped = await client.post(
            f"{desk.node.url}/staf/KOTA/permintaan/masuk/kirim", allow_redirects=False,
            data={"csrf": token, "id": leg, "due": "2026-12-20", "back": "/staf/KOTA/ambil"})
        async with client.get(f"{desk.node.url}/staf/KOTA/ambil?selesai=1") as after:
            after_html = await after.text()
    assert shipped.status == 303 and shipped.headers["Location"] == "/staf/KOTA/ambil?selesai=1"
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "in_transit", "DESA1")
    assert "Tersimpan." in after_html and "Tidak ada yang perlu diambil." in after_html
    await desk.sync("KOTA", "DESA1")
    [arriving] = desk.fed.service.snapshot("DESA1").to_receive()
    assert arriving.request_id == leg and str(arriving.due) == "2026-12-20"


async def test_a_loan_walks_from_request_to_check_in_through_the_api(desk: Desk) -> None:
    leg = await _requested(desk)
    kota, desa = new_token(desk.node.store, "KOTA"), new_token(desk.node.store, "DESA1")
    async with browser() as client:
        status, body = await api(client, desk.node, kota, "POST", "/KOTA/permintaan/masuk/kirim",
                                 {"id": leg})
        assert (status, body["ok"]) == (200, True) and body["due"] == "2026-12-06"
        await desk.sync("KOTA", "DESA1")
        status, board = await api(client, desk.node, desa, "GET", "/DESA1/kirim-terima")
        assert [r["id"] for r in board["to_receive"]] == [leg]
        assert board["to_receive"][0]["actions"] == ["terima"]
        for word in ("terima", "pinjamkan", "dikembalikan", "kirim-balik"):
            status, body = await api(client, desk.node, desa, "POST",
                                     f"/DESA1/permintaan/keluar/{word}", {"id": leg})
            assert status == 200, (word, body)
        await desk.sync("DESA1", "KOTA")
        assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "in_transit_back", "DESA1")
        status, _ = await api(client, desk.node, kota, "POST",
                              "/KOTA/permintaan/masuk/terima-kembali", {"id": leg})
        assert status == 200
        status, incoming = await api(client, desk.node, kota, "GET", "/KOTA/permintaan/masuk")
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "on_shelf", None)
    assert incoming == {"requests": []}


async def test_unfilled_from_the_incoming_page_frees_the_copy(desk: Desk) -> None:
    leg = await _requested(desk)
    add_staff(desk.node.store, "KOTA", "admin")
    async with browser() as client:
        await sign_in(client, desk.node.url, "KOTA", "admin")
        async with client.get(f"{desk.node.url}/staf/KOTA/permintaan/masuk") as page:
            token = csrf_of(await page.text())
        answer = await client.post(f"{desk.node.url}/staf/KOTA/permintaan/masuk/tolak",
                                   data={"csrf": token, "id": leg}, allow_redirects=False)
    assert answer.status == 303
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "on_shelf", None)


async def test_an_action_the_protocol_refuses_now_is_a_409(desk: Desk) -> None:
    leg = await _requested(desk)
    kota = new_token(desk.node.store, "KOTA")
    add_staff(desk.node.store, "KOTA", "admin")
    async with browser() as client:
        await api(client, desk.node, kota, "POST", "/KOTA/permintaan/masuk/kirim", {"id": leg})
        status, body = await api(client, desk.node, kota, "POST",
                                 "/KOTA/permintaan/masuk/kirim", {"id": leg})
        await sign_in(client, desk.node.url, "KOTA", "admin")
        async with client.get(f"{desk.node.url}/staf/KOTA/") as page:
            token = csrf_of(await page.text())
        again = await client.post(f"{desk.node.url}/staf/KOTA/permintaan/masuk/kirim",
                                  data={"csrf": token, "id": leg}, allow_redirects=False)
        again_html = await again.text()
    assert status == 409 and body["error"] == "invalid_transition"
    assert again.status == 409 and "Tidak dapat dilakukan sekarang" in again_html


async def test_another_branchs_request_cannot_be_acted_on_by_naming_its_id(desk: Desk) -> None:
    leg = await _requested(desk)
    desa2 = new_token(desk.node.store, "DESA2")
    async with browser() as client:
        status, body = await api(client, desk.node, desa2, "POST",
                                 "/DESA2/permintaan/masuk/kirim", {"id": leg})
    assert status == 404 and body["error"] == "unknown_request"
    assert _custody(desk.node.store, "KOTA/B1") == ("KOTA", "reserved", "DESA1")


@pytest.mark.parametrize(("path", "body", "problem"), [
    ("/KOTA/permintaan/masuk/kirim", {}, "id is required"),
    ("/KOTA/permintaan/masuk/kirim", {"id": "x", "due": "besok"}, "due must be a date"),
    ("/KOTA/permintaan/keluar", {"work_id": "dua"}, "work_id must be a number"),
    ("/KOTA/permintaan/keluar", {"work_id": "1\u00b2"}, "work_id must be a number"),
    ("/KOTA/permintaan/keluar", {}, "either work_id or item_id"),
    ("/KOTA/mutasi", {"destination": "DESA1"}, "destination and items"),
    ("/KOTA/konflik", {"id": "satu"}, "conflict number"),
    ("/KOTA/konflik", {"id": "\u00b2"}, "conflict number"),
    ("/KOTA/permintaan/masuk/terbang", {"id": "x"}, "no action masuk/terbang"),
])
async def test_malformed_input_is_a_400_or_404_that_says_why(
        desk: Desk, path: str, body: dict[str, str], problem: str) -> None:
    kota = new_token(desk.node.store, "KOTA")
    async with browser() as client:
        status, answer = await api(client, desk.node, kota, "POST", path, body)
    assert status in (400, 404) and problem in answer["message"]


async def test_a_body_that_is_not_json_is_a_400(desk: Desk) -> None:
    kota = new_token(desk.node.store, "KOTA")
    async with browser() as client, client.post(
            f"{desk.node.url}/api/staf/KOTA/mutasi", data=b"destination=DESA1",
            headers={"Authorization": f"Bearer {kota}"}) as response:
        body = await response.json()
    assert response.status == 400 and body["error"] == "malformed"


async def test_a_transfer_is_proposed_accepted_shipped_and_received_through_the_api(
        desk: Desk) -> None:
    kota, desa = new_token(desk.node.store, "KOTA"), new_token(desk.node.store, "DESA2")
    async with browser() as client:
        status, body = await api(client, desk.node, kota, "POST", "/KOTA/mutasi",
                                 {"destination": "DESA2", "items": ["KOTA/B1", "KOTA/B2"]})
        assert status == 201
        transfer = body["id"]
        await desk.sync("KOTA", "DESA2")
        status, board = await api(client, desk.node, desa, "GET", "/DESA2/mutasi")
        assert board["transfers"][0]["actions"] == ["setujui", "tolak"]
        await api(client, desk.node, desa, "POST", "/DESA2/mutasi/setujui", {"id": transfer})
        await desk.sync("DESA2", "KOTA")
        status, _ = await api(client, desk.node, kota, "POST", "/KOTA/mutasi/kirim",
                              {"id": transfer})
        assert status == 200
        await desk.sync("KOTA", "DESA2")
        status, shipping = await api(client, desk.node, desa, "GET", "/DESA2/kirim-terima")
        assert [t["id"] for t in shipping["transfers_to_receive"]] == [transfer]
        status, _ = await api(client, desk.node, desa, "POST", "/DESA2/mutasi/terima",
                              {"id": transfer})
        assert status == 200
        await desk.sync("DESA2", "KOTA")
    assert _custody(desk.node.store, "KOTA/B1")[:2] == ("DESA2", "on_shelf")
    assert _custody(desk.node.store, "KOTA/B2")[:2] == ("DESA2", "on_shelf")


async def test_a_branch_whose_sync_does_not_run_here_gets_a_clear_409(desk: Desk) -> None:
    desa3 = new_token(desk.node.store, "DESA3")
    async with browser() as client:
        status, body = await api(client, desk.node, desa3, "GET", "/DESA3/ambil")
    assert status == 409 and body["error"] == "no_sync_node"


async def test_the_conflicts_page_says_when_there_are_none(desk: Desk) -> None:
    add_staff(desk.node.store, "DESA1", "sari")
    async with browser() as client:
        await sign_in(client, desk.node.url, "DESA1", "sari")
        async with client.get(f"{desk.node.url}/staf/DESA1/konflik") as page:
            html = await page.text()
    assert page.status == 200 and "Tidak ada konflik." in html


async def _transferred_b1_to_desa2(desk: Desk) -> None:
    service, now = desk.fed.service, desk.fed.clock
    transfer = service.propose_transfer("KOTA", "DESA2", ["KOTA/B1"], now())
    await desk.sync("KOTA", "DESA2")
    service.accept_transfer("DESA2", transfer, now())
    await desk.sync("DESA2", "KOTA")
    service.ship_transfer("KOTA", transfer, now())
    await desk.sync("KOTA", "DESA2")
    service.receive_transfer("DESA2", transfer, now())
    await desk.sync("DESA2", "KOTA")


async def test_a_harvest_conflict_is_listed_and_resolved_by_a_party_to_it(desk: Desk) -> None:
    await _transferred_b1_to_desa2(desk)
    with desk.node.store.write() as session:
        # KOTA's own catalogue still lists the copy it gave away.
        record_conflicts(session, "KOTA", ["KOTA/B1"], desk.fed.clock())
    kota, desa1 = new_token(desk.node.store, "KOTA"), new_token(desk.node.store, "DESA1")
    async with browser() as client:
        status, board = await api(client, desk.node, kota, "GET", "/KOTA/konflik")
        [conflict] = board["conflicts"]
        assert (conflict["item_id"], conflict["owner"]) == ("KOTA/B1", "DESA2")
        outsider, _ = await api(client, desk.node, desa1, "POST", "/DESA1/konflik",
                                {"id": conflict["id"], "resolution": "transfer_stands"})
        status, _ = await api(client, desk.node, kota, "POST", "/KOTA/konflik",
                              {"id": conflict["id"], "resolution": "transfer_stands"})
        _, after = await api(client, desk.node, kota, "GET", "/KOTA/konflik")
    assert outsider == 404 and status == 200 and after == {"conflicts": []}
