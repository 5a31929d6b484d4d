"""De-duplication core (pure, no I/O): name and title keys, title comparison, pairwise
match decisions with their evidence. Clustering and storage build on :func:`decide`."""

from union.dedup.evidence import Decision, Evidence, Signal
from union.dedup.keys import blocking_keys
from union.dedup.names import name_key, name_similarity
from union.dedup.pairwise import THRESHOLD, decide
from union.dedup.title_words import title_key

__all__ = [
    "THRESHOLD",
    "Decision",
    "Evidence",
    "Signal",
    "blocking_keys",
    "decide",
    "name_key",
    "name_similarity",
    "title_key",
]
