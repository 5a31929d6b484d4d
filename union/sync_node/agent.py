"""The branch agent (``union branch``): a village library's side of the sync protocol.

It opens every connection itself: pushes its outbox and pulls its inbox at the hub, on a
timer, and when the hub cannot be reached it retries with exponential backoff for as long
as it takes. Everything it has is in its own store, so it can be stopped (or killed) at any
moment and started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from union.config import SyncSettings
from union.store.engine import Store
from union.sync_node.enrolment import start_node
from union.sync_node.http import HttpMailbox, HubError
from union.sync_node.keys import register
from union.sync_node.node import BranchNode
from union.sync_node.session import SessionReport, patience_of, policy_of, sync_once

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between failed attempts: doubling from ``first`` up to ``most``, forever."""

    first: float
    most: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row (at least one)."""
        return min(self.most, self.first * 2 ** min(failures - 1, 30))


async def fetch_keys(store: Store, mailbox: HttpMailbox, now: datetime) -> int:
    """Take every member's public key from the hub into this node's registry."""
    keys = await mailbox.keys()

    def save() -> None:
        with store.write() as session:
            for branch, key in keys.items():
                register(session, branch, key, now)

    await asyncio.to_thread(save)
    return len(keys)


async def run_agent(
    store: Store,
    settings: SyncSettings,
    clock: Clock,
    once: bool = False,
    stop: asyncio.Event | None = None,
) -> SessionReport | None:
    """Sync ``settings.branch`` with the hub until ``stop`` is set (or once)."""
    if settings.branch is None or settings.hub_url is None:
        raise ValueError("[sync] branch and hub_url are needed to run a branch agent")
    code, hub_url = settings.branch, settings.hub_url
    stop = stop or asyncio.Event()
    backoff = Backoff(settings.retry_seconds, settings.retry_max_seconds)
    key_path = settings.key_dir / f"{code}.pem"
    node: BranchNode | None = None
    failures = 0
    report: SessionReport | None = None
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as client:
        mailbox = HttpMailbox(hub_url, client)
        while not stop.is_set():
            try:
                # New members' keys, before anything of theirs is verified.
                await fetch_keys(store, mailbox, clock())
                if node is None:
                    node = await asyncio.to_thread(
                        start_node, store, code, key_path, clock(), policy_of(settings, code)
                    )
                report = await sync_once(node, mailbox, clock(), patience_of(settings))
                failures = 0
                log.info("sync %s: %s", code, report)
                if once:
                    return report
                wait = float(settings.interval_seconds)
            except (HubError, aiohttp.ClientError, OSError, TimeoutError) as exc:
                failures += 1
                wait = backoff.delay(failures)
                log.warning("sync %s: hub unreachable (%s); retry in %.0f s", code, exc, wait)
                if once:
                    raise
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
    return report
