"""The hub over real HTTP on 127.0.0.1, and village agents that each keep their own store."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from sync.loan_request import LoanPhase
from sync.messages import Message, Request
from sync.signing import sign
from tests.support.federation import harvest_demo_catalogue
from tests.support.paths import REPO
from tests.union.sync_node.support import START, Clock, shared_work
from union.config import SyncSettings, load_federation
from union.search.engine import open_engine
from union.server.context import CONTEXT, ServerContext
from union.store.engine import Store
from union.store.migrate import upgrade
from union.store.sync_models import SyncCustodyRow, SyncRefusalRow
from union.sync_node.agent import Backoff, run_agent
from union.sync_node.catalogue import LocalHoldings
from union.sync_node.codec import signed_to_dict
from union.sync_node.enrolment import catalogued_items, enrol
from union.sync_node.http import HubError, setup
from union.sync_node.hub_holdings import HubHoldings
from union.sync_node.keys import load_key_file
from union.sync_node.node import BranchNode
from union.sync_node.service import KeyDirectory, SyncService


@asynccontextmanager
async def hub_server(
    store: Store, tmp_path: Path, clock: Clock, sync: SyncSettings | None = None
) -> AsyncIterator[str]:
    federation = load_federation(REPO / "config" / "demo.toml")
    if sync is not None:
        federation = dataclasses.replace(federation, sync=sync)
    context = ServerContext(
        federation=federation,
        store=store,
        clock=clock,
        engine=open_engine("tantivy", tmp_path / "index"),
    )
    app = web.Application()
    app[CONTEXT] = context
    setup(app, context)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def village(tmp_path: Path, code: str, items: list[str], keys: KeyDirectory) -> Store:
    store = Store(f"sqlite:///{tmp_path / code}.db")
    upgrade(store.engine)
    BranchNode(store, code, load(keys, code)).create([f"{code}/{b}" for b in items], START)
    return store


def load(keys: KeyDirectory, code: str) -> Ed25519PrivateKey:
    return load_key_file(keys.path(code))


async def test_village_agents_reserve_a_copy_through_the_hub_over_http(
    store: Store, tmp_path: Path
) -> None:
    clock = Clock()
    keys = KeyDirectory(tmp_path / "keys")
    for code in ("KOTA", "DESA"):
        enrol(store, code, keys.path(code), clock())
    kota, desa = village(tmp_path, "KOTA", ["B1"], keys), village(tmp_path, "DESA", [], keys)
    desa_staff = SyncService(desa, lambda code: keys.node(desa, code))
    kota_staff = SyncService(kota, lambda code: keys.node(kota, code))
    async with hub_server(store, tmp_path, clock) as url:
        settings = {
            code: SyncSettings(branch=code, hub_url=url, key_dir=keys.directory)
            for code in ("KOTA", "DESA")
        }
        await run_agent(desa, settings["DESA"], clock, once=True)  # learns KOTA's key
        request = desa_staff.reserve_item("DESA", "KOTA/B1", clock())
        for code, its_store in (("DESA", desa), ("KOTA", kota)):
            await run_agent(its_store, settings[code], clock, once=True)
        [waiting] = kota_staff.snapshot("KOTA").to_answer()
        kota_staff.will_supply("KOTA", waiting.request_id, clock())
        for code, its_store in (("KOTA", kota), ("DESA", desa)):
            await run_agent(its_store, settings[code], clock, once=True)
    [asked] = desa_staff.snapshot("DESA").outgoing()
    [pick] = kota_staff.snapshot("KOTA").pick_list()
    assert asked.leg is not None and asked.leg.phase is LoanPhase.WILL_SUPPLY
    assert (pick.request_id, pick.item_id) == (f"{request}/1", "KOTA/B1")


async def test_a_forged_push_over_http_is_refused_and_logged(store: Store, tmp_path: Path) -> None:
    clock = Clock()
    keys = KeyDirectory(tmp_path / "keys")
    enrol(store, "KOTA", keys.path("KOTA"), clock())
    enrol(store, "DESA", keys.path("DESA"), clock())
    forged = sign(
        Message("KOTA", 1, "DESA", "KOTA:1", Request(item_id="DESA/1"), START),
        Ed25519PrivateKey.generate(),
    )
    async with hub_server(store, tmp_path, clock) as url, aiohttp.ClientSession() as client:
        body = {"branch": "KOTA", "messages": [signed_to_dict(forged)]}
        async with client.post(f"{url}/sync/push", json=body) as response:
            answer = await response.json()
    assert answer == {"held": 0, "admitted": 0, "refused": 1, "duplicates": 0}
    with store.read() as session:
        assert session.scalars(select(SyncRefusalRow.code)).all() == ["bad_signature"]


async def test_a_malformed_push_is_answered_400_and_stores_nothing(
    store: Store, tmp_path: Path
) -> None:
    clock = Clock()
    async with hub_server(store, tmp_path, clock) as url, aiohttp.ClientSession() as client:
        for body in (b"not json", b'{"branch": "KOTA", "messages": [{"message": {}}]}'):
            async with client.post(f"{url}/sync/push", data=body) as response:
                assert response.status == 400
                assert "message" in await response.text() or "JSON" in await response.text()


async def test_an_agent_that_cannot_reach_the_hub_keeps_its_outbox_and_delivers_it_later(
    store: Store, tmp_path: Path
) -> None:
    clock = Clock()
    keys = KeyDirectory(tmp_path / "keys")
    enrol(store, "DESA", keys.path("DESA"), clock())
    enrol(store, "KOTA", keys.path("KOTA"), clock())
    desa = village(tmp_path, "DESA", [], keys)
    SyncService(desa, lambda c: keys.node(desa, c)).reserve_item("DESA", "KOTA/B1", clock())
    async with hub_server(store, tmp_path, clock) as url:
        closed = url  # the port is free again once the server is gone
    settings = SyncSettings(branch="DESA", hub_url=closed, key_dir=keys.directory)
    with pytest.raises(aiohttp.ClientError):
        await run_agent(desa, settings, clock, once=True)
    assert len(keys.node(desa, "DESA").pending()) == 1
    async with hub_server(store, tmp_path, clock) as url:
        report = await run_agent(desa, dataclasses.replace(settings, hub_url=url), clock, once=True)
    assert report is not None and (report.pushed, report.acknowledged) == (1, 1)
    assert keys.node(desa, "DESA").pending() == []


def test_retries_back_off_doubling_up_to_the_ceiling_and_never_give_up() -> None:
    backoff = Backoff(first=5, most=3600)
    waits = [backoff.delay(n) for n in (1, 2, 3, 4, 10, 1000)]
    assert waits == [5, 10, 20, 40, 2560, 3600]


async def test_the_hub_runs_the_sessions_of_a_branch_it_hosts(store: Store, tmp_path: Path) -> None:
    clock = Clock()
    keys = KeyDirectory(tmp_path / "keys")
    for code in ("KOTA", "DESA"):
        enrol(store, code, keys.path(code), clock())
    keys.node(store, "KOTA").create(["KOTA/B1"], START)
    desa = village(tmp_path, "DESA", [], keys)
    hosting = SyncSettings(
        key_dir=keys.directory, hosted=("KOTA",), interval_seconds=1, answer_requests=("KOTA",)
    )
    async with hub_server(store, tmp_path, clock, hosting) as url:
        settings = SyncSettings(branch="DESA", hub_url=url, key_dir=keys.directory)
        await run_agent(desa, settings, clock, once=True)
        staff = SyncService(desa, lambda code: keys.node(desa, code))
        staff.reserve_item("DESA", "KOTA/B1", clock())
        for _ in range(40):  # the hosted branch answers in its own session, within seconds
            await run_agent(desa, settings, clock, once=True)
            leg = staff.snapshot("DESA").outgoing()[0].leg
            if leg is not None and leg.phase is LoanPhase.WILL_SUPPLY:
                break
            await asyncio.sleep(0.5)
    assert leg is not None and leg.phase is LoanPhase.WILL_SUPPLY
    [pick] = SyncService(store, lambda code: keys.node(store, code)).snapshot("KOTA").pick_list()
    assert pick.item_id == "KOTA/B1"


def hub_custody(store: Store, item: str) -> tuple[str, str, str | None] | None:
    """(owner, status, hold branch) of a copy as the hub's store has it (what search reads)."""
    with store.read() as session:
        row = session.scalar(select(SyncCustodyRow).where(SyncCustodyRow.item_id == item))
        return None if row is None else (row.owner, row.status, row.hold_branch)


async def test_the_hub_keeps_the_custody_of_village_agents_copies_for_search(
    store: Store, tmp_path: Path
) -> None:
    clock = Clock()
    keys = KeyDirectory(tmp_path / "keys")
    for code in ("KOTA", "DESA"):
        enrol(store, code, keys.path(code), clock())
    stores = {
        "KOTA": village(tmp_path, "KOTA", ["B1", "B2", "B3"], keys),
        "DESA": village(tmp_path, "DESA", [], keys),
    }
    staff = {c: SyncService(s, lambda code, s=s: keys.node(s, code)) for c, s in stores.items()}
    kota, desa = staff["KOTA"], staff["DESA"]
    async with hub_server(store, tmp_path, clock) as url:

        async def sessions(*codes: str) -> None:
            for code in codes:
                settings = SyncSettings(branch=code, hub_url=url, key_dir=keys.directory)
                await run_agent(stores[code], settings, clock, once=True)

        await sessions("KOTA", "DESA")  # each learns the other's key
        request = desa.reserve_item("DESA", "KOTA/B1", clock())
        await sessions("DESA", "KOTA")
        leg = f"{request}/1"
        kota.will_supply("KOTA", leg, clock())
        await sessions("KOTA")
        assert hub_custody(store, "KOTA/B1") == ("KOTA", "reserved", "DESA")
        kota.ship("KOTA", leg, clock())
        await sessions("KOTA", "DESA")
        assert hub_custody(store, "KOTA/B1") == ("KOTA", "in_transit", "DESA")
        desa.receive("DESA", leg, clock())
        desa.lend("DESA", leg, clock())
        await sessions("DESA")
        assert hub_custody(store, "KOTA/B1") == ("KOTA", "on_loan", "DESA")
        kota.declare_lost("KOTA", "KOTA/B2", clock())
        await sessions("KOTA")
        assert hub_custody(store, "KOTA/B2") == ("KOTA", "lost", None)
        moving = kota.propose_transfer("KOTA", "DESA", ["KOTA/B3"], clock())
        await sessions("KOTA", "DESA")
        desa.accept_transfer("DESA", moving, clock())
        await sessions("DESA", "KOTA")
        kota.ship_transfer("KOTA", moving, clock())
        await sessions("KOTA", "DESA")
        desa.receive_transfer("DESA", moving, clock())
        await sessions("DESA")
        assert hub_custody(store, "KOTA/B3") == ("DESA", "on_shelf", None)
        await sessions("KOTA")  # KOTA hears of the receipt
    # Every copy as its owner wrote it in its own store, the hub agrees.
    for code in stores:
        for custody in staff[code].snapshot(code).custody():
            hold = custody.hold.branch if custody.hold else None
            assert hub_custody(store, custody.item_id) == (code, custody.status.value, hold)


async def test_a_village_builds_its_rota_and_answers_from_the_hubs_union_holdings(
    tmp_path: Path,
) -> None:
    clock = Clock()
    (tmp_path / "hub").mkdir()
    federation = await asyncio.to_thread(harvest_demo_catalogue, tmp_path / "hub")
    hub = Store(federation.union.database)
    keys = KeyDirectory(tmp_path / "keys")
    work_id, items = shared_work(hub, "KOTA", "DESA2")
    stores = {}
    for code in ("KOTA", "DESA1", "DESA2"):
        enrol(hub, code, keys.path(code), clock())
        owned = [i.partition("/")[2] for i in catalogued_items(hub, code)]
        stores[code] = village(tmp_path, code, owned, keys)
    try:
        async with hub_server(hub, tmp_path, clock) as url:
            desks = {
                code: SyncService(s, lambda c, s=s: keys.node(s, c), holdings=HubHoldings(url))
                for code, s in stores.items()
            }

            async def sessions(*codes: str) -> None:
                for code in codes:
                    settings = SyncSettings(branch=code, hub_url=url, key_dir=keys.directory)
                    await run_agent(stores[code], settings, clock, once=True)

            await sessions("KOTA", "DESA2", "DESA1")  # keys all round
            # DESA2 writes its copy off: the hub hears of it, so DESA2 has none available.
            [desa2_copy] = [i for i in items if i.startswith("DESA2/")]
            desks["DESA2"].declare_lost("DESA2", desa2_copy, clock())
            await sessions("DESA2")
            # A village store holds no works: its own holdings know no lender at all.
            assert LocalHoldings(stores["DESA1"]).lenders_for(str(work_id), "DESA1") == []
            # The desk asks the hub over HTTP: off this loop, which serves the hub.
            desa1, kota = desks["DESA1"], desks["KOTA"]
            request = await asyncio.to_thread(desa1.request_title, "DESA1", work_id, clock())
            [placed] = desks["DESA1"].snapshot("DESA1").outgoing()
            assert placed.rota.lenders == ("KOTA", "DESA2")  # available copies first
            await sessions("DESA1", "KOTA")
            await asyncio.to_thread(kota.will_supply, "KOTA", f"{request}/1", clock())
            await sessions("KOTA", "DESA1")
        [placed] = desks["DESA1"].snapshot("DESA1").outgoing()
        assert placed.leg is not None and placed.leg.phase is LoanPhase.WILL_SUPPLY
        assert placed.leg.item_id in items and placed.leg.item_id.startswith("KOTA/")
    finally:
        for s in (hub, *stores.values()):
            s.dispose()


def test_a_village_desk_without_the_hub_gets_a_clear_error(tmp_path: Path) -> None:
    keys = KeyDirectory(tmp_path / "keys")
    desa = village_with_key(tmp_path, "DESA", keys)
    offline = HubHoldings("http://127.0.0.1:9")
    desk = SyncService(desa, lambda c: keys.node(desa, c), holdings=offline)
    with pytest.raises(HubError, match="hub unreachable"):
        desk.request_title("DESA", 1, START)
    assert desk.snapshot("DESA").outgoing() == []
    desa.dispose()


def village_with_key(tmp_path: Path, code: str, keys: KeyDirectory) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    upgrade(store.engine)
    enrol(store, code, keys.path(code), START)
    store.dispose()
    return village(tmp_path, code, [], keys)
