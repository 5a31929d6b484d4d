"""The harvester for a branch that publishes its catalogue as a MARC file.

The file (ISO 2709 or MARCXML) is a local path or an http(s) URL; a URL is first
downloaded in chunks to a temporary file, hashed on the way, and removed afterwards.
Reading is the tolerant streaming reader of ``harvesters.iso2709_reading`` or
``harvesters.marcxml_reading``, run in a worker thread page by page so the event loop
keeps serving the other sources.

Checkpoints. Each page's checkpoint records the file's identity (size and SHA-256 of
its content), how many items (records and skips) were consumed, the byte offset after
them (ISO 2709) and whether the harvest completed. Resuming from a mid-harvest
checkpoint of the same file continues right after its last item: an ISO 2709 file is
re-entered at the byte offset, a MARCXML file is re-parsed and its first items passed
over unconverted. A checkpoint of a different file (or format) starts over.

Unchanged files. Given the final checkpoint of a complete harvest and ``full=False``, a
file whose identity has not changed yields a single empty page with ``complete=True``
and ``full_listing=False`` (the file was not listed again, so nothing is to be marked
deleted). ``full=True`` always reads the file again.

Full listings. The last page says ``full_listing=True`` when the whole file was read
(no fatal XML error) and it held at least one record: an empty or unreadable download
(say, an HTML error page served with status 200) must not delete the branch's catalogue.
Skipped records carry their 001 when it could be recovered, so the catalogue can keep
them alive.

Shards. Parsing is most of the cost of reading, so several processes may read one ISO
2709 file together: each frames every record (cheap) but parses and yields only its own
share of the pages (see ``Shard``); taking the pages from the shards in turn gives the
same pages, with the same checkpoints, as a single reader. A record framed but left to
another shard counts as read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import aiohttp

from harvesters.errors import HarvestError
from harvesters.iso2709_reading import read_iso2709
from harvesters.marc_identity import datestamp_005, local_identifier
from harvesters.marc_reading import Framed, ReadFailure, ReadItem, ReadRecord
from harvesters.marcxml_reading import read_marcxml
from harvesters.records import ISO2709, MARCXML, HarvestedRecord, Page, SkippedRecord

log = logging.getLogger(__name__)

FORMATS = (ISO2709, MARCXML)
CHECKPOINT_VERSION = 1
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Shard:
    """One of ``count`` readers of a file: it yields page p (counted from where the
    harvest starts or resumes) when ``p % count == index``."""

    index: int = 0
    count: int = 1

    def owns(self, page: int) -> bool:
        """Whether page number ``page`` is this shard's."""
        return page % self.count == self.index


WHOLE_FILE = Shard()  # the single reader of a file


class MarcFileHarvester:
    """A MARC file source: every harvest reads the whole file, page by page.

    ``session`` is required for an http(s) URL and unused for a path. ``legacy_encoding``
    names the code page of a source whose non-UTF-8 records are not MARC-8 (for example
    ``cp1252``); leave it None otherwise. Downloads go to ``download_dir`` (the system
    temporary directory by default). ``shard`` makes this harvester one of several
    readers of an ISO 2709 file (see the module docstring).
    """

    def __init__(
        self,
        source_code: str,
        path_or_url: str | os.PathLike[str],
        format: str = ISO2709,
        *,
        page_size: int = 500,
        session: aiohttp.ClientSession | None = None,
        legacy_encoding: str | None = None,
        download_dir: str | os.PathLike[str] | None = None,
        chunk_size: int = 1 << 16,
        shard: Shard = WHOLE_FILE,
    ) -> None:
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, not {format!r}")
        if not 0 <= shard.index < shard.count or (shard.count > 1 and format != ISO2709):
            raise ValueError(f"{shard} does not fit a {format} file")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.source_code = source_code
        self.location = os.fspath(path_or_url)
        self.format = format
        self.page_size = page_size
        self.session = session
        self.legacy_encoding = legacy_encoding
        self.download_dir = download_dir
        self.chunk_size = chunk_size
        self.shard = shard
        self.is_url = self.location.startswith(("http://", "https://"))
        self.name = _display_name(self.location)

    async def harvest(
        self, checkpoint: Mapping[str, Any] | None, *, full: bool = False
    ) -> AsyncIterator[Page]:
        """Yield pages of the file's records, resuming after ``checkpoint`` when it is a
        mid-harvest checkpoint of the same file (see the module docstring)."""
        async with self._local_copy() as (path, identity):
            state = _resume_state(checkpoint, identity, self.format)
            if state is not None and state.get("complete"):
                if not full:
                    yield Page([], [], dict(state), complete=True)
                    return
                state = None
            pages = self._pages(path, identity, state, self.shard)
            try:
                while True:
                    page = await self._next(pages)
                    if page is None:
                        return  # the rest of the file is other shards' pages
                    yield page
                    if page.complete:
                        return
            finally:
                await pages.aclose()

    async def list_identifiers(self) -> AsyncIterator[list[str]]:
        """Yield batches of the local ids of every live record in the file.

        Deleted records (leader/05 'd') are left out; a skipped record whose 001 could be
        recovered is listed, since the branch still has it.
        """
        async with self._local_copy() as (path, identity):
            pages = self._pages(path, identity, None, WHOLE_FILE)
            try:
                while True:
                    page = await self._next(pages)
                    assert page is not None  # a single reader reads every page
                    batch = [r.local_id for r in page.records if not r.deleted]
                    batch += [s.local_id for s in page.skipped if s.local_id]
                    if batch:
                        yield batch
                    if page.complete:
                        return
            finally:
                await pages.aclose()

    def _pages(
        self, path: Path, identity: dict[str, Any], state: Mapping[str, Any] | None,
        shard: Shard,
    ) -> _PageReader:
        try:
            return _PageReader(self, path, identity, state, shard)
        except OSError as exc:
            raise self._unreadable(exc) from exc

    async def _next(self, pages: _PageReader) -> Page | None:
        try:
            return await pages.next()
        except OSError as exc:
            raise self._unreadable(exc) from exc

    def _unreadable(self, exc: OSError) -> HarvestError:
        return HarvestError(
            self.source_code,
            f"cannot read MARC file {self.name}: {exc.strerror or exc}",
            url=self.location if self.is_url else None,
        )

    @contextlib.asynccontextmanager
    async def _local_copy(self) -> AsyncIterator[tuple[Path, dict[str, Any]]]:
        """The file to read and its identity; a URL is downloaded and removed after."""
        if not self.is_url:
            path = Path(self.location)
            try:
                identity = await asyncio.to_thread(_identity_of, path)
            except OSError as exc:
                raise HarvestError(
                    self.source_code, f"cannot open MARC file {path}: {exc.strerror or exc}"
                ) from exc
            yield path, identity
            return
        path, identity = await self._download()
        try:
            yield path, identity
        finally:
            path.unlink(missing_ok=True)

    async def _download(self) -> tuple[Path, dict[str, Any]]:
        if self.session is None:
            raise HarvestError(self.source_code, "a MARC file URL needs an HTTP session")
        handle, name = tempfile.mkstemp(
            prefix=f"marc-{self.source_code}-", suffix=".part", dir=self.download_dir
        )
        path = Path(name)
        digest = hashlib.sha256()
        size = 0
        # No total timeout: a large catalogue may take long; a stalled one may not.
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=120)
        try:
            with os.fdopen(handle, "wb") as out:
                async with self.session.get(self.location, timeout=timeout) as response:
                    if response.status != 200:
                        status = f"HTTP {response.status} {response.reason or ''}".rstrip()
                        raise HarvestError(
                            self.source_code, f"download failed: {status}", url=self.location
                        )
                    async for chunk in response.content.iter_chunked(self.chunk_size):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            path.unlink(missing_ok=True)
            raise HarvestError(
                self.source_code,
                f"download failed: {exc!s} ({type(exc).__name__})",
                url=self.location,
            ) from exc
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, {"size": size, "sha256": digest.hexdigest()}


class _PageReader:
    """Turns the reader's items into pages, one page a call, off the event loop.

    All reading happens on one thread of its own: lxml's ``iterparse`` must not move
    between threads (libxml2 frees its strings in the wrong arena and aborts), which
    ``asyncio.to_thread`` would do from one page to the next.
    """

    def __init__(
        self,
        harvester: MarcFileHarvester,
        path: Path,
        identity: dict[str, Any],
        state: Mapping[str, Any] | None,
        shard: Shard,
    ) -> None:
        self.harvester = harvester
        self.shard = shard
        self.pages = 0  # pages read so far, this shard's or not
        self.identity = identity
        self.index = int(state["index"]) if state else 0
        self.offset = int(state["offset"]) if state and state.get("offset") is not None else 0
        self.read = int(state["read"]) if state else 0
        self.repaired = 0
        self.fatal = False
        self.first_index = self.index
        self.stream: BinaryIO = path.open("rb")
        self.items = self._items()  # not started: nothing is parsed on this thread
        self.thread = ThreadPoolExecutor(1, thread_name_prefix=f"marc-{harvester.source_code}")
        self.ahead: ReadItem | None = None
        self.started = False

    def _items(self) -> Generator[ReadItem, None, None]:
        if self.harvester.format == ISO2709:
            return read_iso2709(
                self.stream,
                start_offset=self.offset,
                start_index=self.index,
                legacy_encoding=self.harvester.legacy_encoding,
                parse=self._parses if self.shard.count > 1 else None,
            )
        return read_marcxml(self.stream, skip=self.index)

    def _parses(self, index: int) -> bool:
        return self.shard.owns((index - self.first_index) // self.harvester.page_size)

    async def next(self) -> Page | None:
        """The next page, read on this reader's own thread."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, self.next_page)

    async def aclose(self) -> None:
        """Stop reading and release the file, on the reading thread (also when the
        consumer stopped early or was cancelled: it waits for a page in progress)."""
        try:
            await asyncio.get_running_loop().run_in_executor(self.thread, self._close)
        finally:
            self.thread.shutdown(wait=False)

    def _close(self) -> None:
        self.items.close()  # frees the parser here, on the thread that used it
        self.ahead = None
        self.stream.close()

    def next_page(self) -> Page | None:
        """This shard's next page; None when the pages left are other shards'."""
        while True:
            page = self._read_page()
            owned = self.shard.owns(self.pages)
            self.pages += 1
            if owned:
                return page
            if page.complete:
                return None

    def _read_page(self) -> Page:
        """Read up to ``page_size`` items; the page is the last when none is left."""
        if not self.started:
            # One item of look-ahead tells whether a page is the last one.
            self.started = True
            self.ahead = next(self.items, None)
        records: list[HarvestedRecord] = []
        skipped: list[SkippedRecord] = []
        size = self.harvester.page_size
        taken = 0
        while self.ahead is not None and taken < size:
            item, self.ahead = self.ahead, next(self.items, None)
            taken += 1
            if isinstance(item, ReadRecord):
                records.append(self._harvested(item))
            elif isinstance(item, Framed):
                self.read += 1  # another shard's record, parsed there
            else:
                skipped.append(self._skipped(item))
            self.index = item.position.index + 1
            if item.position.end_offset is not None:
                self.offset = item.position.end_offset
        self.read += len(records)
        complete = self.ahead is None
        if complete:
            self._summarise()
        return Page(
            records,
            skipped,
            self._checkpoint(complete),
            complete=complete,
            full_listing=complete and not self.fatal and self.read > 0,
        )

    def _checkpoint(self, complete: bool) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION,
            "format": self.harvester.format,
            "file": dict(self.identity),
            "index": self.index,
            "offset": self.offset if self.harvester.format == ISO2709 else None,
            "read": self.read,
            "complete": complete,
        }

    def _harvested(self, item: ReadRecord) -> HarvestedRecord:
        record = item.record
        local_id, fallback = local_identifier(record, item.raw)
        if item.notes or fallback:
            self.repaired += 1
            notes = [*item.notes, *([fallback] if fallback else [])]
            log.info(
                "%s: %s %s read with repairs: %s",
                self.harvester.source_code,
                self.harvester.name,
                item.position.describe(),
                "; ".join(notes),
            )
        return HarvestedRecord(
            local_id=local_id,
            format=self.harvester.format,
            payload=item.raw,
            datestamp=datestamp_005(record),
            deleted=str(record.leader)[5:6] == "d",
            marc=record,
        )

    def _skipped(self, item: ReadFailure) -> SkippedRecord:
        self.fatal = self.fatal or item.fatal
        return SkippedRecord(
            position=f"{self.harvester.name} {item.position.describe()}",
            reason=item.reason,
            local_id=item.local_id,
        )

    def _summarise(self) -> None:
        if self.repaired:
            log.warning(
                "%s: %d record(s) of %s needed repairs (details at INFO level)",
                self.harvester.source_code,
                self.repaired,
                self.harvester.name,
            )


def _identity_of(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of the file's content: a changed file is always noticed."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(_HASH_BLOCK):
            digest.update(block)
            size += len(block)
    return {"size": size, "sha256": digest.hexdigest()}


def _resume_state(
    checkpoint: Mapping[str, Any] | None, identity: dict[str, Any], format: str
) -> Mapping[str, Any] | None:
    """The checkpoint if it belongs to this very file and format, else None (start over)."""
    if not checkpoint or checkpoint.get("version") != CHECKPOINT_VERSION:
        return None
    if checkpoint.get("file") != identity or checkpoint.get("format") != format:
        return None
    return checkpoint


def _display_name(location: str) -> str:
    if location.startswith(("http://", "https://")):
        return Path(urlsplit(location).path).name or location
    return Path(location).name
