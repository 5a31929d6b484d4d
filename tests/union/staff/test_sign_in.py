"""Signing in to the staff pages over real HTTP, on SQLite and PostgreSQL: sessions,
wrong passwords, expiry, throttling, CSRF refusal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.union.staff.support import (
    add_staff,
    browser,
    csrf_of,
    sign_in,
    staff_node,
)
from union.config import Federation
from union.store.engine import Store


async def _node(branches: Store, federation: Federation, tmp_path: Path):  # type: ignore[no-untyped-def]
    add_staff(branches, "DESA1", "sari")
    return staff_node(branches, federation, tmp_path / "index")


async def test_a_visitor_without_a_session_is_sent_to_sign_in(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        response = await client.get(f"{node.url}/staf/DESA1/panen", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/staf/masuk?next=/staf/DESA1/panen"


async def test_signing_in_opens_the_branch_desk_with_a_guarded_cookie(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        response = await sign_in(client, node.url, "DESA1", "sari")
        assert response.status == 303 and response.headers["Location"] == "/staf/DESA1/"
        cookie = response.cookies["staf_sesi"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert cookie["path"] == "/staf"
        async with client.get(f"{node.url}/staf/DESA1/") as desk:
            html = await desk.text()
    assert desk.status == 200
    assert "Meja staf" in html and "Perpustakaan DESA1" in html and "sari" in html
    assert desk.headers["Cache-Control"] == "no-store"


async def test_sign_in_goes_back_to_the_page_first_asked_for(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        async with client.get(f"{node.url}/staf/masuk?next=/staf/DESA1/panen") as form:
            token = csrf_of(await form.text())
        response = await client.post(
            f"{node.url}/staf/masuk?next=/staf/DESA1/panen", allow_redirects=False,
            data={"csrf": token, "branch": "DESA1", "username": "sari",
                  "password": "rahasia-perpustakaan"})
    assert response.headers["Location"] == "/staf/DESA1/panen"


async def test_sign_in_never_sends_the_browser_to_another_site(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        async with client.get(f"{node.url}/staf/masuk") as form:
            token = csrf_of(await form.text())
        response = await client.post(
            f"{node.url}/staf/masuk?next=https://evil.example/", allow_redirects=False,
            data={"csrf": token, "branch": "DESA1", "username": "sari",
                  "password": "rahasia-perpustakaan"})
    assert response.headers["Location"] == "/staf/DESA1/"


async def test_a_wrong_password_is_refused_and_opens_no_session(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        response = await sign_in(client, node.url, "DESA1", "sari", "kata-sandi-keliru")
        html = await response.text()
        desk = await client.get(f"{node.url}/staf/DESA1/", allow_redirects=False)
    assert response.status == 401 and "kata sandi salah" in html
    assert "staf_sesi" not in response.cookies
    assert desk.status == 303


async def test_the_right_password_for_another_branch_is_refused(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        response = await sign_in(client, node.url, "DESA2", "sari")
    assert response.status == 401


async def test_the_sign_in_form_without_its_token_is_refused(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        response = await client.post(f"{node.url}/staf/masuk", allow_redirects=False, data={
            "branch": "DESA1", "username": "sari", "password": "rahasia-perpustakaan"})
    assert response.status == 403 and "staf_sesi" not in response.cookies


async def test_sign_in_is_refused_after_five_failures_even_with_the_right_password(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        statuses = [(await sign_in(client, node.url, "DESA1", "sari", "keliru-keliru")).status
                    for _ in range(5)]
        blocked = await sign_in(client, node.url, "DESA1", "sari")
        node.clock.advance(timedelta(minutes=16))
        later = await sign_in(client, node.url, "DESA1", "sari")
    assert statuses == [401] * 5
    assert blocked.status == 429 and "Terlalu banyak" in await blocked.text()
    assert later.status == 303


async def test_an_idle_session_expires(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        await sign_in(client, node.url, "DESA1", "sari")
        node.clock.advance(timedelta(minutes=110))
        still = await client.get(f"{node.url}/staf/DESA1/", allow_redirects=False)
        node.clock.advance(timedelta(hours=2, minutes=1))
        expired = await client.get(f"{node.url}/staf/DESA1/", allow_redirects=False)
    assert still.status == 200
    assert expired.status == 303 and expired.headers["Location"].startswith("/staf/masuk")


async def test_a_form_without_the_sessions_csrf_token_is_refused(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        await sign_in(client, node.url, "DESA1", "sari")
        missing = await client.post(f"{node.url}/staf/keluar", allow_redirects=False)
        wrong = await client.post(f"{node.url}/staf/keluar", allow_redirects=False,
                                  data={"csrf": "not-the-token"})
        desk = await client.get(f"{node.url}/staf/DESA1/", allow_redirects=False)
    assert missing.status == 403 and wrong.status == 403
    assert "Formulir ditolak" in await wrong.text()
    assert desk.status == 200  # still signed in: nothing was done


async def test_signing_out_ends_the_session(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        await sign_in(client, node.url, "DESA1", "sari")
        async with client.get(f"{node.url}/staf/DESA1/") as desk:
            token = csrf_of(await desk.text())
        out = await client.post(f"{node.url}/staf/keluar", allow_redirects=False,
                                data={"csrf": token})
        again = await client.get(f"{node.url}/staf/DESA1/", allow_redirects=False)
    assert out.status == 303 and again.status == 303


async def test_a_stolen_cookie_is_useless_after_sign_out(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        response = await sign_in(client, node.url, "DESA1", "sari")
        stolen = response.cookies["staf_sesi"].value
        async with client.get(f"{node.url}/staf/DESA1/") as desk:
            token = csrf_of(await desk.text())
        await client.post(f"{node.url}/staf/keluar", data={"csrf": token},
                          allow_redirects=False)
        async with browser() as thief:
            replay = await thief.get(f"{node.url}/staf/DESA1/", allow_redirects=False,
                                     headers={"Cookie": f"staf_sesi={stolen}"})
    assert replay.status == 303


async def test_pages_speak_indonesian_first_and_english_on_request(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    async with await _node(branches, federation, tmp_path) as node, browser() as client:
        await sign_in(client, node.url, "DESA1", "sari")
        async with client.get(f"{node.url}/staf/DESA1/panen") as indonesian:
            first = await indonesian.text()
        async with client.get(f"{node.url}/staf/DESA1/panen?lang=en") as english:
            second = await english.text()
        async with client.get(f"{node.url}/staf/DESA1/") as remembered:
            third = await remembered.text()
    assert "Status panen" in first and 'lang="id"' in first and "English" in first
    assert "Harvest status" in second and 'lang="en"' in second
    assert "Staff desk" in third
