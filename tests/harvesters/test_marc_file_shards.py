"""Several readers of one ISO 2709 file, each parsing its share of the pages, give in turn
exactly the pages (records, skips, checkpoints) of a single reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harvesters.marc_file import MarcFileHarvester, Shard
from harvesters.records import ISO2709, MARCXML, Page
from tests.harvesters.test_marc_file import BAD_RECORDS, LOC, OPERA, marc, pages_of


def _view(page: Page, *, read: bool = True) -> tuple[Any, ...]:
    checkpoint = page.checkpoint if read else {k: v for k, v in page.checkpoint.items()
                                               if k != "read"}
    return ([(r.local_id, r.payload, r.datestamp, r.deleted) for r in page.records],
            page.skipped, checkpoint, page.complete, page.full_listing)


async def _in_turn(path: Path, count: int, page_size: int,
                   checkpoint: dict[str, Any] | None = None) -> list[Page]:
    """The shards' pages taken in turn (shard n % count gives page n), as the writer does."""
    shards = [await pages_of(MarcFileHarvester("loc", path, ISO2709, page_size=page_size,
                                               shard=Shard(index, count)), checkpoint)
              for index in range(count)]
    merged: list[Page] = []
    while not merged or not merged[-1].complete:
        shard = shards[len(merged) % count]
        merged.append(shard[len(merged) // count])
    return merged


@pytest.mark.parametrize("count", [2, 3])
async def test_shards_in_turn_give_the_single_readers_pages(count: int) -> None:
    single = await pages_of(MarcFileHarvester("loc", LOC, ISO2709, page_size=500))
    merged = await _in_turn(LOC, count, 500)
    assert [_view(p) for p in merged] == [_view(p) for p in single]


async def test_skips_are_reported_once_by_the_shard_that_owns_their_page() -> None:
    single = await pages_of(MarcFileHarvester("bad", BAD_RECORDS, ISO2709, page_size=2))
    merged = await _in_turn(BAD_RECORDS, 2, 2)
    assert any(p.skipped for p in single)
    # The one difference: a record another shard failed to parse counted as read here.
    assert [_view(p, read=False) for p in merged] == [_view(p, read=False) for p in single]


async def test_resumed_shards_continue_after_the_committed_page() -> None:
    single = await pages_of(MarcFileHarvester("loc", LOC, ISO2709, page_size=500))
    resumed = await _in_turn(LOC, 2, 500, checkpoint=single[2].checkpoint)
    assert [_view(p) for p in resumed] == [_view(p) for p in single[3:]]


async def test_shard_without_the_last_page_ends_without_yielding_it() -> None:
    # 2,828 records in pages of 500: six pages, the last (number 5) is shard 1's.
    first = await pages_of(MarcFileHarvester("loc", LOC, ISO2709, page_size=500,
                                             shard=Shard(0, 2)))
    second = await pages_of(MarcFileHarvester("loc", LOC, ISO2709, page_size=500,
                                              shard=Shard(1, 2)))
    assert [p.complete for p in first] == [False, False, False]
    assert [p.complete for p in second] == [False, False, True]


async def test_records_of_other_shards_count_as_read_for_the_full_listing(
        tmp_path: Path) -> None:
    path = tmp_path / "two.mrc"
    path.write_bytes(marc("a1") + marc("a2"))
    pages = await _in_turn(path, 2, 1)
    assert [(p.complete, p.full_listing) for p in pages] == [(False, False), (True, True)]
    assert [p.checkpoint["read"] for p in pages] == [1, 2]


def test_a_marcxml_file_cannot_be_sharded() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        MarcFileHarvester("opera", OPERA, MARCXML, shard=Shard(0, 2))


def test_a_shard_index_must_be_below_the_count() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        MarcFileHarvester("loc", LOC, ISO2709, shard=Shard(2, 2))
