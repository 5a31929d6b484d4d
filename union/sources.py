"""Building the harvester for a configured branch source, and what a source can fail with."""

from __future__ import annotations

import aiohttp

from harvesters.base import Harvester
from harvesters.errors import HarvestError
from harvesters.marc_file import MarcFileHarvester
from harvesters.oai.harvester import OaiHarvester
from union.config import Branch, MarcFileSource

# What a source can fail with; anything else is a bug and must surface.
SOURCE_FAILURES = (HarvestError, OSError, aiohttp.ClientError, TimeoutError)


def make_harvester(branch: Branch, http: aiohttp.ClientSession) -> Harvester:
    """The harvester for a configured branch source."""
    source = branch.source
    if isinstance(source, MarcFileSource):
        return MarcFileHarvester(branch.code, source.location, source.format, session=http)
    return OaiHarvester(branch.code, source.url, metadata_prefix=source.metadata_prefix,
                        set_spec=source.set_spec, profile=source.profile, session=http)
