"""The union catalogue's own OAI-PMH 2.0 provider (the server side; the harvester that
reads branch feeds is ``harvesters.oai``).

The core is pure: argument checking (:mod:`.arguments`), datestamps (:mod:`.datestamps`),
stateless resumption tokens (:mod:`.tokens`), metadata rendering (:mod:`.dublin_core`,
:mod:`.marcxml`), response building (:mod:`.responses`) and the verb dispatcher
(:mod:`.provider`), all over a :class:`~union.feed.records.FeedRepository` that the store
implements. :mod:`.http` is the aiohttp edge.
"""

from union.feed.errors import OaiError
from union.feed.provider import FeedConfig, OaiProvider
from union.feed.records import FeedRecord, FeedRepository, FeedSet, Holding

__all__ = [
    "FeedConfig",
    "FeedRecord",
    "FeedRepository",
    "FeedSet",
    "Holding",
    "OaiError",
    "OaiProvider",
]
