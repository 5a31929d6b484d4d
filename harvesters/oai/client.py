"""Fetching OAI-PMH responses over HTTP: timeouts, a size bound, retries with backoff.

A request is retried (the same URL, so the same page) on connection errors, timeouts,
HTTP 5xx/408/429 and bodies that are not well-formed OAI-PMH, waiting 1, 2, 4, ... seconds
(capped), or what a 503/429 ``Retry-After`` asks for (capped too). Oversized, refused or
hostile responses fail at once. When the attempts run out, :class:`HarvestError` names the
source, the URL and the last reason.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import aiohttp
from yarl import URL

from harvesters.errors import HarvestError
from harvesters.oai.dates import parse_http_date, utc_now
from harvesters.oai.responses import Envelope, MalformedResponse, UnsafeResponse, parse_envelope

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=600, connect=30, sock_read=120)
USER_AGENT = "union-catalogue-harvester/0.1 (OAI-PMH)"
# A pre-encoded token keeps its %-escapes and '+'; only what cannot stand in a query
# (spaces, quotes, '&', '#', non-ASCII) is escaped.
_PREENCODED_SAFE = "%+!$'()*,;=:@/?-._~"
_TAGS = re.compile(r"<[^>]*>")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently one request is retried."""

    attempts: int = 5
    backoff: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 600.0

    def delay(self, attempt: int) -> float:
        """The exponential backoff before retry number ``attempt`` (1-based)."""
        return min(self.backoff * 2 ** (attempt - 1), self.backoff_max)


@dataclass(frozen=True, slots=True)
class Response:
    """A parsed response, the URL it came from, the HTTP ``Date`` header and the body."""

    envelope: Envelope
    url: str
    http_date: datetime | None
    body: bytes = b""


class _Transient(Exception):
    """A failure worth retrying, with the server's requested delay if it gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class OaiClient:
    """Requests to one OAI-PMH base URL over an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        source: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utc_now,
        preencoded_tokens: bool = False,
    ) -> None:
        self._session = session
        self._base = URL(base_url)
        self.source = source
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._preencoded = preencoded_tokens

    def url_for(self, params: Mapping[str, str]) -> URL:
        """The request URL for these OAI-PMH arguments."""
        if self._preencoded and "resumptionToken" in params:
            others = {k: v for k, v in params.items() if k != "resumptionToken"}
            head = str(self._base.update_query(others))
            token = quote(params["resumptionToken"], safe=_PREENCODED_SAFE)
            return URL(f"{head}&resumptionToken={token}", encoded=True)
        return self._base.update_query(dict(params))

    async def request(self, params: Mapping[str, str]) -> Response:
        """Fetch and parse one response, retrying transient failures; HarvestError at last."""
        url = self.url_for(params)
        attempts = max(1, self._retry.attempts)
        reason = "no attempt made"
        for attempt in range(1, attempts + 1):
            wait: float | None = None
            try:
                body, http_date = await self._get(url)
                return Response(parse_envelope(body), str(url), http_date, body)
            except _Transient as exc:
                reason, wait = exc.reason, exc.retry_after
            except MalformedResponse as exc:
                reason = f"malformed response: {exc}"
            except UnsafeResponse as exc:
                raise HarvestError(self.source, f"refused: {exc}", url=str(url)) from None
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            if attempt < attempts:
                await self._sleep(wait if wait is not None else self._retry.delay(attempt))
        raise HarvestError(
            self.source, f"gave up after {attempts} attempts: {reason}", url=str(url)
        )

    async def _get(self, url: URL) -> tuple[bytes, datetime | None]:
        headers = {"User-Agent": USER_AGENT}
        async with self._session.get(url, headers=headers, timeout=self._timeout) as resp:
            if resp.status != 200:
                await self._refuse(resp, str(url))
            declared = resp.content_length
            if declared is not None and declared > self._max_bytes:
                raise self._oversized(str(url), declared)
            body = bytearray()
            async for chunk in resp.content.iter_chunked(1 << 16):
                body += chunk
                # Counting decompressed bytes also stops a gzip bomb.
                if len(body) > self._max_bytes:
                    raise self._oversized(str(url), len(body))
            return bytes(body), parse_http_date(resp.headers.get("Date"))

    async def _refuse(self, resp: aiohttp.ClientResponse, url: str) -> None:
        status = resp.status
        reason = f"HTTP {status}{await _snippet(resp)}"
        if status in (429, 503):
            raise _Transient(reason, self._retry_after(resp.headers.get("Retry-After")))
        if status >= 500 or status == 408:
            raise _Transient(reason)
        raise HarvestError(self.source, reason, url=url)

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds a ``Retry-After`` (delta-seconds or HTTP-date) asks for, capped."""
        if value is None:
            return None
        value = value.strip()
        if value.isascii() and value.isdigit():
            seconds = float(value)
        else:
            moment = parse_http_date(value)
            if moment is None:
                return None
            seconds = max(0.0, (moment - self._clock()).total_seconds())
        return min(seconds, self._retry.retry_after_max)

    def _oversized(self, url: str, size: int) -> HarvestError:
        return HarvestError(
            self.source,
            f"response of {size} bytes exceeds the {self._max_bytes}-byte bound",
            url=url,
        )


async def _snippet(resp: aiohttp.ClientResponse) -> str:
    """A short text excerpt of an error page (an HTML 500 page says what broke)."""
    try:
        raw = await resp.content.read(4096)
    except (aiohttp.ClientError, TimeoutError, OSError):
        return ""
    text = " ".join(_TAGS.sub(" ", raw.decode("utf-8", "replace")).split())
    return f": {text[:160]}" if text else ""
