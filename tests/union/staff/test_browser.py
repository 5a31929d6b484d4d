"""End to end in a real browser (Debian's chromium, headless, JavaScript off): on the
harvested demo catalogue, a village library's staff member asks for a title the city
library holds, and the city library's staff member signs in and ships it from the pick
list."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.support.browser import chromium as headless_chromium
from tests.support.federation import harvest_demo_catalogue
from tests.union.staff.desk_support import Desk
from tests.union.staff.support import PASSWORD, Clock, add_staff, staff_node
from tests.union.sync_node.support import Hosted
from union.store.engine import Store
from union.store.models import WorkRow
from union.store.sync_models import SyncCustodyRow
from union.sync_node.catalogue import work_items
from union.sync_node.enrolment import enrol, start_node
from union.sync_node.service import KeyDirectory


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    async with headless_chromium() as launched:
        yield launched


def _title_only_kota_holds(store: Store) -> int:
    """A live work whose every copy is KOTA's (so KOTA is the one lender asked)."""
    with store.read() as session:
        for work_id, display in session.execute(
                select(WorkRow.id, WorkRow.display).where(WorkRow.status == "live")
                .order_by(WorkRow.id)):
            items = list(work_items(display or {}))
            if items and all(i.startswith("KOTA/") for i in items):
                return int(work_id)
    raise AssertionError("the demo catalogue has no work held only by KOTA")


async def _sign_in(page: Page, url: str, branch: str, username: str) -> None:
    await page.goto(f"{url}/staf/")
    await page.get_by_label("Cabang").select_option(branch)
    await page.get_by_label("Nama pengguna").fill(username)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()


async def _menu(page: Page, name: str) -> None:
    menu = page.get_by_role("navigation", name="Menu staf")
    await menu.get_by_role("link", name=name, exact=True).click()


async def test_a_staff_member_signs_in_and_ships_a_requested_item(
        chromium: Browser, tmp_path: Path) -> None:
    # The harvest runs its own event loop: off this one.
    federation = await asyncio.to_thread(harvest_demo_catalogue, tmp_path)
    store = Store(federation.union.database)
    clock = Clock()
    keys = KeyDirectory(tmp_path / "keys")
    for code in ("KOTA", "DESA1"):
        enrol(store, code, keys.path(code), clock())
        start_node(store, code, keys.path(code), clock())
    fed = Hosted(store, keys, clock=clock)  # type: ignore[arg-type]
    work_id = _title_only_kota_holds(store)
    add_staff(store, "DESA1", "sari")
    add_staff(store, "KOTA", "admin")
    async with staff_node(store, federation, tmp_path / "web-index", service=fed.service,
                          clock=clock) as node:
        desk = Desk(fed, node)
        village = await (await chromium.new_context(java_script_enabled=False)).new_page()
        await _sign_in(village, node.url, "DESA1", "sari")
        await expect(village.locator("h1")).to_have_text("Meja staf")
        await _menu(village, "Permintaan keluar")
        await village.get_by_label("Nomor karya (eksemplar mana saja)").fill(str(work_id))
        await village.get_by_role("button", name="Ajukan permintaan").click()
        await expect(village.get_by_role("status")).to_have_text("Tersimpan.")
        await expect(village.locator("table")).to_contain_text("Menunggu jawaban")

        await desk.sync("DESA1", "KOTA")
        city = await (await chromium.new_context(java_script_enabled=False)).new_page()
        await _sign_in(city, node.url, "KOTA", "admin")
        await _menu(city, "Permintaan masuk")
        asked = city.get_by_role("row").filter(has_text="DESA1")
        await expect(asked).to_contain_text("Diminta")
        await asked.get_by_role("button", name="Sanggup memenuhi").click()
        await expect(city.get_by_role("status")).to_have_text("Tersimpan.")
        [reserved] = fed.service.snapshot("KOTA").pick_list()
        copy = reserved.item_id
        assert copy is not None and copy.startswith("KOTA/")

        await _menu(city, "Daftar ambil")
        row = city.get_by_role("row").filter(has_text=copy)
        await expect(row).to_contain_text("DESA1")
        await city.screenshot(path=str(tmp_path / "pick-list.png"), full_page=True)
        await row.get_by_label("Jatuh tempo").fill("2026-12-20")
        await row.get_by_role("button", name="Kirim").click()
        await expect(city.get_by_role("status")).to_have_text("Tersimpan.")
        await expect(city.locator("main")).to_contain_text("Tidak ada yang perlu diambil.")

        await desk.sync("KOTA", "DESA1")
        await _menu(village, "Kirim dan terima")
        await expect(village.locator("main")).to_contain_text(copy)
    with store.read() as session:
        custody = session.scalar(select(SyncCustodyRow).where(SyncCustodyRow.item_id == copy))
    assert custody is not None and (custody.status, custody.hold_branch) == (
        "in_transit", "DESA1")
    store.dispose()
