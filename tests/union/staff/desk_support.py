"""Hosted branches with real sync nodes, signing keys and the hub in the test's store,
behind a staff web node: what the desk tests drive through pages and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.union.staff.support import Clock, Node
from tests.union.sync_node.support import Hosted
from union.sync_node.session import sync_once


@dataclass
class Desk:
    """The hosted federation and the web node its staff use."""

    fed: Hosted
    node: Node

    async def sync(self, *codes: str) -> None:
        """One sync session of each branch named, in order."""
        for code in codes:
            await sync_once(self.fed.node(code), self.fed.mailbox, self.fed.clock())


def hosted_branches(store: Any, keys: Any, clock: Clock,
                    owned: Mapping[str, Sequence[str]]) -> Hosted:
    """Branches enrolled in ``store`` owning these barcodes (ids ``<code>/<barcode>``)."""
    fed = Hosted(store, keys, clock=clock)  # type: ignore[arg-type]
    for code, barcodes in owned.items():
        fed.add(code, barcodes)
    return fed


async def api(client: aiohttp.ClientSession, node: Node, token: str, method: str, path: str,
              body: Any = None) -> tuple[int, Any]:
    """Call the staff API; the status and the JSON answer."""
    async with client.request(method, f"{node.url}/api/staf{path}", json=body,
                              headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, await response.json()
