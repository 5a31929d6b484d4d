"""OAI-PMH harvesting: an async, resumable, incremental harvester with server profiles.

Modules, one job each: ``client`` (HTTP with retries and bounds), ``responses`` (safe XML
parsing), ``marcxml`` (fast MARCXML → pymarc), ``dublin_core`` (oai_dc check and repair),
``profiles`` (server quirks), ``checkpoint`` (resumable state), ``convert`` (records),
``harvester`` (the :class:`OaiHarvester`).
"""

from harvesters.oai.client import RetryPolicy
from harvesters.oai.harvester import OaiHarvester
from harvesters.oai.profiles import STANDARD, ServerProfile, get_profile, slims

__all__ = ["STANDARD", "OaiHarvester", "RetryPolicy", "ServerProfile", "get_profile", "slims"]
