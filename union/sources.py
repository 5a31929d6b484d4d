"""Building the harvester for a configured branch source, and what a source can fail with."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from harvesters.base import Harvester
from harvesters.errors import HarvestError
from harvesters.marc_file import WHOLE_FILE, MarcFileHarvester, Shard
from harvesters.oai.convert import PageConverter
from harvesters.oai.harvester import OaiHarvester
from harvesters.records import ISO2709
from union.config import Branch, MarcFileSource, OaiSource

# What a source can fail with; anything else is a bug and must surface.
SOURCE_FAILURES = (HarvestError, OSError, aiohttp.ClientError, TimeoutError)


# How many processes read one ISO 2709 file together: parsing is most of the work, and
# two readers plus the writer keep both cores of a small server busy.
FILE_SHARDS = 2
# A smaller file (about 8,000 records) is read by one process: starting a second one
# costs more CPU (~1.3 s of imports) than it saves on a village's few thousand records.
SHARDED_FILE_BYTES = 8 * 1024 * 1024
# How many processes convert the pages one process fetches from an OAI-PMH feed. A SLiMS
# feed is village-sized (thousands of records): one process fetches and converts it, as
# starting three would cost more (~1.3 s of imports each) than they save.
FEED_CONVERTERS = 2


def shard_count(branch: Branch) -> int:
    """How many harvest processes prepare the branch's pages (file shards, or the
    converters of a feed's fetched pages)."""
    source = branch.source
    if isinstance(source, OaiSource):
        return 1 if source.profile == "slims" else FEED_CONVERTERS
    # Each shard would download a file published at a URL again: one reader.
    if source.format != ISO2709 or source.is_url:
        return 1
    try:
        if Path(source.location).stat().st_size < SHARDED_FILE_BYTES:
            return 1
    except OSError:
        return 1  # the harvester reports what is wrong with the file
    return FILE_SHARDS


def page_converter(branch: Branch) -> PageConverter:
    """How the pages of the branch's OAI-PMH feed are converted (see ``harvest_raw``)."""
    source = branch.source
    if not isinstance(source, OaiSource):
        raise TypeError(f"branch {branch.code} is not harvested over OAI-PMH")
    return PageConverter.of(source.metadata_prefix, source.profile)


def make_harvester(branch: Branch, http: aiohttp.ClientSession,
                   shard: Shard = WHOLE_FILE) -> Harvester:
    """The harvester for a configured branch source (``shard``: its share of the pages)."""
    source = branch.source
    if isinstance(source, MarcFileSource):
        return MarcFileHarvester(branch.code, source.location, source.format, session=http,
                                 legacy_encoding=source.encoding, shard=shard)
    return OaiHarvester(branch.code, source.url, metadata_prefix=source.metadata_prefix,
                        set_spec=source.set_spec, profile=source.profile, session=http)
