"""The OAI-PMH harvester: pages of records from one branch's feed, resumable after any page.

One harvester pages through its list strictly in order and shares nothing with other
harvesters but the injected aiohttp session, so many run side by side safely. While the
caller commits a page, the next one is already being fetched (the resumption token is
known as soon as the page is parsed); pages are still yielded one at a time, in order.
``harvest_raw`` yields the same pages read only as far as the response's tree is needed,
so that the rest of the conversion can run in other processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Mapping
from contextlib import aclosing
from datetime import datetime
from typing import Any

import aiohttp

from harvesters.errors import HarvestError
from harvesters.oai.checkpoint import Checkpoint, plan_harvest
from harvesters.oai.client import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    Clock,
    OaiClient,
    Response,
    RetryPolicy,
    Sleep,
)
from harvesters.oai.convert import PageConverter, RawPage
from harvesters.oai.dates import Granularity, incremental_from, parse_utc, utc_now
from harvesters.oai.profiles import ServerProfile
from harvesters.oai.responses import (
    IdentifyInfo,
    MalformedResponse,
    OaiError,
    RecordEntry,
    ResumptionToken,
    identify,
    list_identifiers,
    list_records,
)
from harvesters.records import Page

NO_RECORDS = "noRecordsMatch"
BAD_TOKEN = "badResumptionToken"
# Loop turns given to a new prefetch so its request is on the wire before this page's
# records are converted (one suffices with a pooled connection in aiohttp 3.9+).
PREFETCH_SPINS = 3


class OaiHarvester:
    """Harvests one OAI-PMH source; implements :class:`harvesters.base.Harvester`.

    ``source`` names the branch in errors. ``profile`` is a profile name ("standard",
    "slims") or a :class:`ServerProfile`. ``until`` bounds every list (rarely wanted).
    ``sleep`` and ``clock`` are injectable for tests; ``retry``, ``timeout`` and
    ``max_bytes`` tune the HTTP client. A token the server rejects is answered by
    restarting the list from its ``from``, at most ``max_restarts`` times per call.
    """

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        session: aiohttp.ClientSession,
        metadata_prefix: str = "oai_dc",
        set_spec: str | None = None,
        until: str | None = None,
        profile: str | ServerProfile = "standard",
        payload_format: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utc_now,
        max_restarts: int = 3,
        prefetch: bool = True,
    ) -> None:
        self.converter = PageConverter.of(metadata_prefix, profile, payload_format)
        self.source = source
        self.base_url = base_url
        self.metadata_prefix = metadata_prefix
        self.set_spec = set_spec
        self.until = until
        self.profile = self.converter.profile
        self.payload_format = self.converter.payload_format
        self.max_restarts = max_restarts
        self.prefetch = prefetch
        self._granularity: Granularity | None = self.profile.granularity
        self._client = OaiClient(
            session,
            base_url,
            source=source,
            max_bytes=max_bytes,
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            preencoded_tokens=self.profile.preencoded_tokens,
        )

    async def identify(self) -> IdentifyInfo:
        """The repository's Identify answer (HarvestError if it reports an error)."""
        response = await self._client.request({"verb": "Identify"})
        self._raise_errors(response)
        try:
            return identify(response.envelope)
        except MalformedResponse as exc:
            raise HarvestError(self.source, str(exc), url=response.url) from None

    async def granularity(self) -> Granularity:
        """The datestamp granularity for ``from``: the profile's, else Identify's.

        A server whose Identify answers with an OAI-PMH error gets day granularity, which
        every repository must accept; an unreachable one fails the harvest as usual.
        """
        if self._granularity is None:
            try:
                declared = (await self.identify()).granularity
            except HarvestError as exc:
                if exc.code is None:
                    raise
                declared = None
            self._granularity = Granularity.from_identify(declared)
        return self._granularity

    async def harvest(
        self, checkpoint: Mapping[str, Any] | None, *, full: bool = False
    ) -> AsyncIterator[Page]:
        """Yield pages in order; see :mod:`harvesters.oai.checkpoint` for the checkpoint."""
        async with aclosing(self._listing(checkpoint, full)) as listing:
            async for _, entries, page in listing:
                page.records, page.skipped = self.converter.records(entries, _number(page))
                yield page

    async def harvest_raw(
        self, checkpoint: Mapping[str, Any] | None, *, full: bool = False
    ) -> AsyncIterator[RawPage]:
        """Yield the pages of :meth:`harvest` read only as far as their trees are needed,
        for ``self.converter`` to finish (elsewhere: fetching stays in order here,
        converting can go on in parallel)."""
        async with aclosing(self._listing(checkpoint, full)) as listing:
            async for response, entries, page in listing:
                number = _number(page)
                yield RawPage(response.body if entries else b"", response.url, number,
                              page.checkpoint, self.converter.read(entries, number),
                              page.complete, page.response_date, page.full_listing)

    async def _listing(
        self, checkpoint: Mapping[str, Any] | None, full: bool
    ) -> AsyncGenerator[tuple[Response, list[RecordEntry], Page], None]:
        """Each response in order, its record entries, and its page still without records
        (the next page's request is already on its way)."""
        plan = plan_harvest(
            checkpoint,
            prefix=self.metadata_prefix,
            set_spec=self.set_spec,
            until=self.until,
            full=full,
            incremental_allowed=self.profile.incremental,
        )
        state = plan.state
        if plan.incremental and state.watermark is not None:
            state.from_ = incremental_from(state.watermark, await self.granularity())
        restarts = 0
        guard = _LoopGuard()
        fetch: Awaitable[Response] = self._client.request(self._list_params(state))
        try:
            while True:
                sent_token = state.token
                response = await fetch
                error = _first_error(response)
                if error is not None:
                    if error.code == BAD_TOKEN and sent_token is not None:
                        restarts = self._count_restart(restarts, response, error)
                        # The list is restarted from its own `from` (the watermark), not
                        # from zero; pages seen again are harmless re-ingests.
                        state.token = None
                        fetch = self._client.request(self._list_params(state))
                        continue
                    if error.code == NO_RECORDS and sent_token is None:
                        self._note_started(state, response)
                        yield response, [], self._final_page(state)
                        return
                    raise self._oai_failure(response, error, sent_token)
                self._note_started(state, response)
                try:
                    entries, token = list_records(response.envelope)
                except MalformedResponse as exc:
                    raise HarvestError(self.source, str(exc), url=response.url) from None
                state.token = self._next_token(
                    token, guard, sent_token, [e.header.identifier for e in entries], response
                )
                state.page += 1
                if state.token is not None and self.prefetch:
                    fetch = asyncio.ensure_future(self._client.request(self._list_params(state)))
                    for _ in range(PREFETCH_SPINS):
                        await asyncio.sleep(0)
                if state.token is None:
                    yield response, entries, self._final_page(state)
                    return
                yield response, entries, Page([], [], state.to_dict(),
                                              response_date=state.started)
                if not self.prefetch:
                    fetch = self._client.request(self._list_params(state))
        finally:
            _discard(fetch)

    async def list_identifiers(self) -> AsyncIterator[list[str]]:
        """Yield batches of every live identifier (ListIdentifiers without ``from``).

        If the server rejects a token mid-list, the listing starts again from the top, so
        some identifiers may be yielded twice; the caller treats them as a set.
        """
        params: dict[str, str] = {"verb": "ListIdentifiers", "metadataPrefix": self.metadata_prefix}
        if self.set_spec:
            params["set"] = self.set_spec
        token: str | None = None
        restarts = 0
        guard = _LoopGuard()
        while True:
            sent = token
            response = await self._client.request(
                params if sent is None else {"verb": "ListIdentifiers", "resumptionToken": sent}
            )
            error = _first_error(response)
            if error is not None:
                if error.code == BAD_TOKEN and sent is not None:
                    restarts = self._count_restart(restarts, response, error)
                    token = None
                    continue
                if error.code == NO_RECORDS and sent is None:
                    return
                raise self._oai_failure(response, error, sent)
            try:
                headers, next_token = list_identifiers(response.envelope)
            except MalformedResponse as exc:
                raise HarvestError(self.source, str(exc), url=response.url) from None
            token = self._next_token(
                next_token, guard, sent, [h.identifier for h in headers], response
            )
            batch = [h.identifier for h in headers if h.identifier and not h.deleted]
            if batch:
                yield batch
            if token is None:
                return

    # -- helpers -------------------------------------------------------------------------

    def _list_params(self, state: Checkpoint) -> dict[str, str]:
        if state.token is not None:
            return {"verb": "ListRecords", "resumptionToken": state.token}
        params = {"verb": "ListRecords", "metadataPrefix": state.prefix}
        if state.from_:
            params["from"] = state.from_
        if state.until:
            params["until"] = state.until
        if state.set_spec:
            params["set"] = state.set_spec
        return params

    def _final_page(self, state: Checkpoint) -> Page:
        state.token = None
        state.complete = True
        state.watermark = state.started
        return Page(
            [],
            [],
            state.to_dict(),
            complete=True,
            response_date=state.started,
            full_listing=state.from_ is None,
        )

    def _note_started(self, state: Checkpoint, response: Response) -> None:
        # The pending watermark is the first responseDate of the list; a resumed or
        # restarted list keeps the earlier one, which only widens the next overlap.
        if state.started is None:
            state.started = self._server_clock(response)

    def _server_clock(self, response: Response) -> datetime:
        if self.profile.response_date_from_http and response.http_date is not None:
            return response.http_date
        text = response.envelope.response_date
        try:
            return parse_utc(text or "")
        except ValueError:
            raise HarvestError(
                self.source, f"responseDate {text!r} is not a UTC datestamp", url=response.url
            ) from None

    def _next_token(
        self,
        token: ResumptionToken | None,
        guard: _LoopGuard,
        sent: str | None,
        ids: list[str | None],
        response: Response,
    ) -> str | None:
        value = token.value if token is not None else None
        if guard.repeats(sent, value, ids):
            # The same token bringing the same records again would loop forever (SLiMS
            # oai.php does this when its token is URL-encoded twice).
            raise HarvestError(
                self.source,
                f"server answered resumptionToken {sent!r} with "
                "the same records and the same token",
                url=response.url,
            )
        return value

    def _count_restart(self, restarts: int, response: Response, error: OaiError) -> int:
        if restarts >= self.max_restarts:
            raise HarvestError(
                self.source,
                f"resumptionToken rejected {restarts + 1} times ({error.code}: {error.message})",
                url=response.url,
                code=error.code,
            )
        return restarts + 1

    def _raise_errors(self, response: Response) -> None:
        error = _first_error(response)
        if error is not None:
            raise self._oai_failure(response, error, None)

    def _oai_failure(
        self, response: Response, error: OaiError, sent_token: str | None
    ) -> HarvestError:
        reason = f"OAI-PMH error {error.code}: {error.message}"
        if error.code == NO_RECORDS and sent_token is not None:
            # SLiMS answers a token made under `from` this way; ending the list here
            # would silently lose the rest of it.
            reason += " (in answer to a resumptionToken: the server lost the list)"
        return HarvestError(self.source, reason, url=response.url, code=error.code)


def _number(page: Page) -> int:
    """The number of a page in its list (1 for the first), as its checkpoint keeps it."""
    return int(page.checkpoint["page"])


def _first_error(response: Response) -> OaiError | None:
    errors = response.envelope.errors
    return errors[0] if errors else None


class _LoopGuard:
    """Notices a server answering a token with the same token and the same records."""

    def __init__(self) -> None:
        self._last: tuple[str | None, list[str | None]] | None = None

    def repeats(self, sent: str | None, token: str | None, ids: list[str | None]) -> bool:
        """True if this page repeats the previous one (same token out, same records)."""
        looped = (
            sent is not None
            and token == sent
            and self._last is not None
            and self._last == (sent, ids)
        )
        self._last = (token, ids)
        return looped


def _discard(fetch: Awaitable[Response]) -> None:
    """Cancel a prefetch nobody will read (or close a coroutine never awaited)."""
    if isinstance(fetch, asyncio.Future):
        if not fetch.done():
            fetch.cancel()
        elif not fetch.cancelled():
            fetch.exception()  # mark it retrieved: its failure no longer matters
    elif asyncio.iscoroutine(fetch):
        fetch.close()
